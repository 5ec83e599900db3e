import { spawnSync } from "node:child_process";
import { describe, expect } from "vitest";
import { it } from "../harness/index.js";

describe("npm run tour: the command-line tour", () => {
  it("runs real commands on the demo site and shows grants, a peak charge, a re-entry and denies with reasons", () => {
    const r = spawnSync(process.execPath, ["dist/demo/tour.js"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toContain("Welcome Ada — 7/10 left"); // R4: peak costs 2
    expect(out).toContain("GRANTED  reentry"); // R5
    expect(out).toContain("DENIED  anti_passback"); // R12
    expect(out).toContain("GRANTED  booking"); // R10
    expect(out).toContain("Pool opens Tue 07:00"); // R15
    for (const reason of ["wrong_area", "expired", "card_blocked", "member_blocked", "unknown_card"])
      expect(out).toContain(`DENIED  ${reason}`);
    expect(out).toMatch(/mp-ada-pool +10 pool entries +active +2026-11-01 … 2027-04-30 +7\/10 credits left/);
    expect(out).toContain("(removed; run with --keep to keep it)");
  });
});
