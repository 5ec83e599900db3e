import { DateTime } from "luxon";
import { describe, expect } from "vitest";
import { it } from "../harness/index.js";
import { accessgw, importExamples, jsonOf } from "./accessgw.js";

/** The example site's zone (test/fixtures/examples/site.yaml). */
const ZONE = "Europe/Rome";

describe.concurrent("the command line a person expects, through the real binary (§8)", () => {
  it("did-you-mean: `accessgw evnts` names the verb meant, in one line and a pointer to help (exit 2)", async () => {
    const r = await accessgw(["evnts"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe('accessgw: unknown verb "evnts" — did you mean events?\nsee accessgw --help\n');
  });

  it("did-you-mean: `accessgw events --lmit 5` names the flag meant (exit 2)", async () => {
    const r = await accessgw(["events", "--lmit", "5"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "accessgw events: unknown flag --lmit — did you mean --limit?\nsee accessgw events --help\n",
    );
  });

  it("--at HH:MM is that time today in the site's zone; --at 'YYYY-MM-DD HH:MM' is that wall time", async ({
    folder: { data },
  }) => {
    await importExamples(data);
    const explainAt = async (at: string) =>
      jsonOf<{ at: string }>(
        await accessgw([
          "explain",
          "--card",
          "1234567",
          "--area",
          "pool",
          "--at",
          at,
          "--json",
          "--data",
          data,
        ]),
      ).at;
    const before = DateTime.now().setZone(ZONE).toISODate();
    const today = DateTime.fromISO(await explainAt("07:30"), { zone: ZONE });
    const after = DateTime.now().setZone(ZONE).toISODate();
    expect(today.toFormat("HH:mm")).toBe("07:30");
    // The run may straddle midnight at the site: today is the date before or after it.
    expect([before, after]).toContain(today.toISODate());
    const spaced = await explainAt("2026-12-14 17:05");
    expect(spaced).toBe(DateTime.fromISO("2026-12-14T17:05", { zone: ZONE }).toUTC().toISO());
  });
});
