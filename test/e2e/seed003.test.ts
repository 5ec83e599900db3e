/**
 * Seed 003's rules through the real binary: R18 (leftovers carried over to the next pack) and R19
 * (member codes) as `import`, `balance`, `explain` and `scan` show them.
 */
import { join } from "node:path";
import { describe, expect } from "vitest";
import { it } from "../harness/index.js";
import { accessgw, importExamples, jsonOf, ROOT } from "./accessgw.js";

const SEED_003 = join(ROOT, "test", "fixtures", "seed003.yaml");

interface Balance {
  codes: string[];
  multipacks: {
    multipackId: string;
    creditsRemaining: number | null;
    creditsTotal: number | null;
    transfersIn: { from: string; credits: number }[];
    transferOut: { to: string; credits: number } | null;
  }[];
}

describe("seed 003 through the command line", () => {
  it("R18/R19: balance, explain and scan show the carried-over credits and the member's codes", async ({
    folder: { data },
  }) => {
    await importExamples(data);
    expect((await accessgw(["import", SEED_003, "--data", data])).code).toBe(0);
    const at = ["--at", "2027-03-22T10:00", "--data", data];

    const b = jsonOf<Balance>(await accessgw(["balance", "--card", "4242", "--json", ...at]));
    expect(b.codes).toEqual(["corp-acme"]);
    const byId = Object.fromEntries(b.multipacks.map((m) => [m.multipackId, m]));
    expect(byId["mp-1"]).toMatchObject({
      creditsRemaining: 0,
      creditsTotal: 10,
      transferOut: { to: "mp-2", credits: 3 },
    });
    expect(byId["mp-2"]).toMatchObject({
      creditsRemaining: 9,
      creditsTotal: 13,
      transfersIn: [{ from: "mp-1", credits: 3 }],
    });
    const text = await accessgw(["balance", "--card", "4242", ...at]);
    expect(text.stdout).toContain("member codes: corp-acme");
    expect(text.stdout).toContain("carried over: 3 from mp-1, which ended 2027-03-09");

    const studio = await accessgw(["explain", "--card", "4242", "--area", "studio", ...at]);
    expect(studio.stdout).toMatch(/^GRANTED {2}ok/);
    expect(studio.stdout).toContain("member code corp-acme (R19)");

    const e = jsonOf(await accessgw(["scan", "--card", "4242", "--area", "pool", "--json", ...at]));
    expect(e).toMatchObject({
      multipackId: "mp-2",
      creditsRemaining: 8,
      creditsTotal: 13,
      message: "Welcome Ada — 8/13 left",
    });
  });
});
