import fc from "fast-check";
import { describe, expect } from "vitest";
import { AccessGwError } from "../../config/errors.js";
import { explain, memberBalance, scan } from "../../gateway/decisions.js";
import type { Store } from "../../gateway/store/db.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { unpacked } from "../helpers/packedRows.js";
import { dump, freshStore, importExamples, scanReq, type TestStore } from "./storeHelpers.js";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const START = at("2027-03-20T00:00");

/** The example cards as printed, with leading zeros, lower-case noise and an unknown one (R1). */
const CARDS = ["0001234567", "1234567", "7654321", " 5550001 ", "5550002", "9999999", "abc"];
const MEMBERS = ["m-anna", "m-bruno", "m-carla", "m-dario"];
const AREAS = ["gym", "pool", "studio"];

/** A scan somewhere in the example site, on one of 20 days, mostly during opening hours. */
const scanArb = fc.record({
  card: fc.constantFrom(...CARDS),
  area: fc.constantFrom(...AREAS),
  direction: fc.constantFrom<"in" | "out">("in", "in", "in", "out"),
  day: fc.integer({ min: 0, max: 20 }),
  minute: fc.integer({ min: 6 * 60, max: 22 * 60 }),
});

/** The scan's instant: `day` days after START at `minute` local minutes (close enough across DST). */
const instant = (s: { day: number; minute: number }) => START + s.day * DAY + s.minute * MIN;

/** A store holding the examples and a few recorded decisions, so that explain has history to read. */
function busyStore(): TestStore {
  const run = freshStore();
  importExamples(run.store);
  scan(run.store, scanReq("1234567", "pool"), at("2027-03-22T10:00"), "gw-1");
  scan(run.store, scanReq("7654321", "studio"), at("2027-03-23T19:00"), "gw-1");
  scan(run.store, scanReq("5550001", "gym"), at("2027-03-26T13:00"), "gw-1");
  return run;
}

/** Every limited multipack's remaining credits as `balance` shows them at `now`. */
function remainders(store: Store, now: number): number[] {
  return MEMBERS.flatMap((member) =>
    memberBalance(store, { member }, now)
      .multipacks.map((mp) => mp.creditsRemaining)
      .filter((r): r is number => r !== null),
  );
}

describe("explain", () => {
  it("never changes the store, whatever the card, area and time (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            scanArb,
            scanArb.map((s) => ({ ...s, area: "sauna" })),
          ),
          { minLength: 1, maxLength: 15 },
        ),
        (scans) => {
          const run = busyStore();
          try {
            const before = dump(run.store);
            for (const s of scans) {
              const req = scanReq(s.card, s.area, s.direction);
              if (s.area === "sauna")
                expect(() => explain(run.store, req, instant(s))).toThrow(AccessGwError);
              else expect(["grant", "deny"]).toContain(explain(run.store, req, instant(s)).decision);
            }
            expect(dump(run.store)).toEqual(before);
          } finally {
            run.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("R6: credits", () => {
  it("R6, R16: remaining credits never drop below 0 through any sequence of scans (property)", () => {
    fc.assert(
      fc.property(fc.array(scanArb, { minLength: 1, maxLength: 40 }), (scans) => {
        const run = freshStore();
        try {
          importExamples(run.store);
          const ordered = [...scans].sort((a, b) => instant(a) - instant(b));
          for (const s of ordered) {
            const e = scan(run.store, scanReq(s.card, s.area, s.direction), instant(s), "gw-1");
            expect(e.creditsDeducted).toBeGreaterThanOrEqual(0);
            if (e.creditsRemaining !== null) expect(e.creditsRemaining).toBeGreaterThanOrEqual(0);
          }
          const end = instant(ordered.at(-1) ?? { day: 0, minute: 0 });
          for (const r of remainders(run.store, end)) expect(r).toBeGreaterThanOrEqual(0);
          // R14: every charged credit is a local ledger entry of the same amount.
          const charged = unpacked(run.store)
            .db.prepare("SELECT coalesce(sum(amount), 0) AS n FROM ledger WHERE origin = 'local'")
            .get() as { n: number };
          const events = run.store.db.prepare("SELECT doc FROM events").all() as { doc: string }[];
          const deducted = events.reduce(
            (n, r) => n + (JSON.parse(r.doc) as { creditsDeducted: number }).creditsDeducted,
            0,
          );
          expect(charged.n).toBe(deducted);
        } finally {
          run.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it("R6: a 3-credit trial grants three charged entries, then refuses with no_credits at 0/3", ({
    exampleStore: store,
  }) => {
    const times = [0, 1, 2, 3, 4].map((i) => at("2027-03-26T13:00") + i * 10 * MIN);
    const decisions = times.map((now) => scan(store, scanReq("5550001", "gym"), now, "gw-1"));
    expect(decisions.map((d) => [d.decision, d.reason, d.creditsRemaining])).toEqual([
      ["grant", "ok", 2],
      ["grant", "ok", 1],
      ["grant", "ok", 0],
      ["deny", "no_credits", null],
      ["deny", "no_credits", null],
    ]);
    expect(remainders(store, times[4] as number)).toContain(0);
    expect(Math.min(...remainders(store, times[4] as number))).toBe(0);
  });
});
