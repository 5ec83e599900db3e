/** docs/osdp.md's "How the gateway talks to readers" agrees with the control panel's states and timings. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultTimings, SECURE_STATES } from "../../drivers/osdp/cpTypes.js";

const page = readFileSync(new URL("../../docs/osdp.md", import.meta.url), "utf8");
const section = page.slice(
  page.indexOf("## How the gateway talks to readers"),
  page.indexOf("## The protocol on the wire"),
);

describe("docs/osdp.md, how the gateway talks to readers", () => {
  it("lists every secure channel state the control panel reports", () => {
    const table = section.slice(section.indexOf("| state"));
    const states = [...table.matchAll(/^\| `([a-z]+)` +\|/gm)].map((m) => m[1]);
    expect(states).toEqual([...SECURE_STATES]);
  });

  it("gives the timings the control panel uses", () => {
    expect(defaultTimings).toMatchObject({
      replyTimeoutMs: 200,
      offlineAfterMs: 8_000,
      offlineRetryMs: 2_000,
      pollIntervalMs: 50,
      handshakeRetryMs: 10_000,
    });
    for (const phrase of ["every 50 ms", "within 200 ms", "for 8 s", "every 2 s", "every 10 s"])
      expect(section).toContain(phrase);
  });
});
