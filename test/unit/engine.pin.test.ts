/** R21 in the engine: when a reader asks for a PIN, and the deny a PIN outcome gives. */
import { describe, expect, it } from "vitest";
import { localNow } from "../../gateway/engine/clock.js";
import { pinDecision, pinRequired } from "../../gateway/engine/pin.js";
import { at } from "../helpers/build.js";

describe("R21: when a reader asks for a PIN", () => {
  const holidays = new Set(["2027-03-29"]);
  const ln = (local: string) => localNow(at(local), "Europe/Rome");
  const evenings = { windows: [{ days: ["mon" as const], from: "20:00", to: "06:00" }] };

  it.each([
    ["never", "in", "2027-03-22T10:00", false],
    ["always", "in", "2027-03-22T10:00", true],
    ["always", "out", "2027-03-22T10:00", false],
    ["windows", "in", "2027-03-22T19:59", false],
    ["windows", "in", "2027-03-22T20:00", true],
    // R3: a window past midnight belongs to the day it starts on; `to` is exclusive.
    ["windows", "in", "2027-03-23T05:59", true],
    ["windows", "in", "2027-03-23T06:00", false],
    // R3: on a site holiday only windows listing `hol` apply.
    ["windows", "in", "2027-03-29T21:00", false],
    ["windows", "out", "2027-03-22T21:00", false],
  ] as const)("R21: pin %s, %s reader, at %s → asks: %s", (policy, direction, local, asks) => {
    const p = policy === "windows" ? evenings : policy;
    expect(pinRequired(p, direction, ln(local), holidays)).toBe(asks);
  });

  it("R21: no pin option is pin: never", () => {
    expect(pinRequired(undefined, "in", ln("2027-03-22T10:00"), holidays)).toBe(false);
  });

  it("R21/R15: a PIN deny carries its reason and the member's language, never a PIN", () => {
    const req = { card: "0004215834", area: "gym", direction: "in" as const, readerId: "r1" };
    const d = pinDecision(req, at("2027-03-22T10:00"), { id: "m-1", locale: "it" }, "en", "wrong_pin");
    expect(d).toMatchObject({ decision: "deny", reason: "wrong_pin", memberId: "m-1", card: "4215834" });
    expect(d.message).toBe("PIN errato");
    expect(pinDecision(req, 0, { id: "m-1", locale: null }, null, "pin_locked").message).toContain(
      "15 minutes",
    );
  });
});
