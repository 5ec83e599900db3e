/** Issue 13 §1: what the control panel does about each NAK (docs/osdp.md's table), by code and by what was NAKed. */
import { describe, expect, it } from "vitest";
import { type NakAction, type NakedPacket, nakAction } from "../../drivers/osdp/nakPolicy.js";

const cases: [number, NakedPacket, boolean, NakAction][] = [
  [4, "command", true, "restart"],
  [4, "poll", false, "restart"],
  [4, "handshake", true, "restart"],
  [6, "handshake", true, "handshake-refused"],
  [5, "handshake", true, "handshake-refused"],
  [3, "handshake", true, "handshake-refused"],
  [6, "command", true, "set-up-again"],
  [6, "poll", true, "set-up-again"],
  [6, "poll", false, "report"],
  [6, "command", false, "fail"],
  [1, "command", true, "send-again"],
  [3, "command", true, "unsupported"],
  [3, "poll", true, "report"],
  [3, "setup", true, "report"],
  [2, "command", true, "fail"],
  [9, "command", true, "fail"],
  [0x42, "command", true, "fail"],
];

describe("nakAction", () => {
  it.each(cases)("NAK %i to a %s (channel wanted: %s) → %s", (error, packet, wanted, action) => {
    expect(nakAction(error, packet, wanted)).toBe(action);
  });
});
