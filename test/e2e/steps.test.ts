import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { parse } from "yaml";
import { it } from "../harness/index.js";
import { tempDir } from "../helpers/build.js";
import type { Step } from "../helpers/examples.js";
import {
  accessgw,
  EXAMPLES,
  expectAllDecisionFields,
  GATEWAY_ID,
  importExamples,
  jsonLines,
  jsonOf,
} from "./accessgw.js";

const steps = parse(readFileSync(join(EXAMPLES, "steps.yaml"), "utf8")) as Step[];

/** What each step of steps.yaml shows, after the rule named in its comment. */
const NAMES = [
  "R1/R3/R6: a card read with leading zeros is Anna's; off-peak pool costs 1 credit, 9/10 left",
  "R12: hard anti-passback denies a second entry with no exit in between",
  "R11: scanning out is granted as an exit and costs nothing",
  "R5: re-entry within the 90-minute deduction interval is free",
  "R11: Anna scans out after her re-entry",
  "R3/R4: a peak-hour swim costs 2 credits, 7/10 left",
  "R11: Anna scans out after the peak swim",
  "R3: on a holiday only `hol` windows apply, so 18:00 is off-peak and costs 1",
  "R3: a swim pack is not valid in the gym (wrong_area)",
  "R11: Anna scans out of the pool on the holiday",
  "R2: bought 1 Mar with 3 months' validity, the pack is valid through 31 May",
  "R11: Anna scans out on the last valid day",
  "R2: the day after its validUntil the pack is expired",
  "R9: with equal priority the free flex pack is chosen before the paid swim pack",
  "R11: Bruno scans out of the pool",
  "R7/R16: the daily allowance is used up, so the swim pack pays: 10 − 8 − 1 = 1 left",
  "R11: Bruno scans out again",
  "R13: peak needs 2 credits with 1 left and flex has no peak item: no_credits",
  "R8: Bruno's first studio visit of the week",
  "R8: Bruno's second studio visit of the week",
  "R8: Bruno's third studio visit of the week",
  "R8: a fourth studio visit in the same week reaches the 3-a-week limit",
  "R8: weeks start on Monday, so the limit allows a visit again",
  "R2: a pack begins at its purchase instant, so an hour earlier it is not_yet_valid",
  "R2/R6: after the purchase the trial pack charges 1 of its 3 credits",
  "R3: the trial pack is not valid in the studio (wrong_area)",
  "R2: 26 Mar + 7 − 1 days = valid through 1 Apr, across the DST change of 28 Mar",
  "R2: the trial pack is expired on 2 Apr",
  "R1: a lost card is denied as card_blocked",
  "R1: an unknown card is denied as unknown_card",
];

describe("the worked example: steps.yaml scanned in order on one fresh data folder", () => {
  let folder: { dir: string; cleanup: () => void };
  let data: string;
  const recorded: Record<string, unknown>[] = [];

  beforeAll(async () => {
    folder = tempDir("accessgw-e2e-steps-");
    data = join(folder.dir, "data");
    await importExamples(data);
  });
  afterAll(() => folder.cleanup());

  it("names every step of steps.yaml", () => {
    expect(steps).toHaveLength(30);
    expect(NAMES).toHaveLength(steps.length);
  });

  steps.forEach((step, i) => {
    it(`step ${i + 1}: ${NAMES[i]}`, async () => {
      const args = ["scan", "--card", step.card, "--area", step.area, "--at", step.at, "--json"];
      if (step.direction) args.push("--direction", step.direction);
      const d = jsonOf(await accessgw([...args, "--data", data]));
      recorded.push(d);
      expectAllDecisionFields(d);
      expect(d).toMatchObject(step.expect);
      expect(d).toMatchObject({
        id: `${GATEWAY_ID}:${i + 1}`,
        seq: i + 1,
        area: step.area,
        direction: step.direction ?? "in",
        readerId: null,
      });
      // Exit 0 for a deny too (jsonOf checked it): a deny is an answer.
      expect(["grant", "deny"]).toContain(d.decision);
    });
  });

  it("recorded all 30 decisions as scan printed them, oldest (by `at`) first", async () => {
    const events = jsonLines(await accessgw(["events", "--json", "--data", data]));
    // The steps jump back in time (Bruno's scans come after Anna's of May), so order is by instant.
    const byInstant = [...recorded].sort(
      (a, b) =>
        Date.parse(a.at as string) - Date.parse(b.at as string) || (a.seq as number) - (b.seq as number),
    );
    expect(events).toEqual(byInstant);
  });
});
