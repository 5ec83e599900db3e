/**
 * sync.md "History horizon": history older than the horizon never changes a decision. Random sites
 * (deduction intervals, allowances with and without rollover, limits of every period, every kind of
 * validity and charge period), multipacks, visits over two years and scan instants (DST days
 * included) are decided twice: with every visit, and with only the visits from horizonStart on.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide } from "../../gateway/engine/decide.js";
import { historyHorizonDays, horizonStart } from "../../gateway/engine/horizon.js";
import { compileSite } from "../../gateway/engine/site.js";
import type { VisitFact } from "../../gateway/engine/types.js";
import { at, facts, multipack, req, siteConfig } from "../helpers/build.js";

const DAY = 86_400_000;
const ZONE = "Europe/Rome";
const ALWAYS = { days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "hol"], from: "00:00", to: "24:00" };
const TYPES = [
  { id: "gym-all", areas: ["gym"], windows: [ALWAYS] },
  { id: "pool-all", areas: ["pool"], windows: [ALWAYS] },
  { id: "studio-all", areas: ["studio"], windows: [ALWAYS] },
];
const AREA_OF: Record<string, string> = { "gym-all": "gym", "pool-all": "pool", "studio-all": "studio" };

/** A setting present one time in four: each one alone can set the horizon, so most sites keep it short. */
const rarely = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: arb, weight: 1 });
const duration = fc.oneof(
  { arbitrary: fc.record({ days: fc.integer({ min: 1, max: 60 }) }), weight: 3 },
  { arbitrary: fc.record({ weeks: fc.integer({ min: 1, max: 8 }) }), weight: 3 },
  { arbitrary: fc.record({ months: fc.integer({ min: 1, max: 2 }) }), weight: 2 },
  { arbitrary: fc.record({ years: fc.constant(1) }), weight: 1 },
);
const validity = fc.oneof(
  { arbitrary: duration, weight: 6 },
  { arbitrary: fc.record({ fromFirstUse: duration }), weight: 1 },
  { arbitrary: fc.constant({ indefinite: true }), weight: 1 },
  { arbitrary: fc.constant(undefined), weight: 1 },
);
const period = fc.constantFrom("day", "day", "week", "week", "month", "year", "chargePeriod");
const item = (accessType: string) =>
  fc.record({
    accessType: fc.constant(accessType),
    credits: fc.constant(0),
    allowance: fc.option(
      fc.record({ count: fc.integer({ min: 1, max: 2 }), period, rollover: fc.boolean() }),
      { nil: undefined, freq: 2 },
    ),
    deductionIntervalMinutes: rarely(fc.integer({ min: 0, max: 3000 })),
  });
const product = (id: string) =>
  fc.record({
    id: fc.constant(id),
    credits: fc.constant(0),
    validity,
    chargePeriod: rarely(duration),
    items: fc
      .subarray(Object.keys(AREA_OF), { minLength: 1, maxLength: 2 })
      .chain((ts) => fc.tuple(...ts.map(item))),
  });
const limit = fc.record({
  id: fc.constant("cap"),
  amount: fc.integer({ min: 1, max: 3 }),
  period: fc.constantFrom("day", "week", "month", "year", "chargePeriod", "validity"),
  products: fc.subarray(["p1", "p2"]),
  areas: fc.subarray(["gym", "pool", "studio"]),
});
// Scan instants across 2027, half of them on its two DST days in Rome.
const now = fc.oneof(
  fc.integer({ min: at("2027-01-01T00:00"), max: at("2027-12-31T23:59") }),
  fc.integer({ min: at("2027-03-28T00:00"), max: at("2027-03-29T23:59") }),
  fc.integer({ min: at("2027-10-31T00:00"), max: at("2027-11-01T23:59") }),
);
// A few visits (so that one more or less reaches a limit), most in the last weeks, where the horizons of most sites end; some as far back as two years.
const visit = fc.record({
  daysAgo: fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 40 * DAY }), weight: 4 },
    { arbitrary: fc.integer({ min: 0, max: 800 * DAY }), weight: 1 },
  ),
  pack: fc.constantFrom(0, 1),
  pick: fc.nat(),
});

const scenario = fc.record({
  interval: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3000 })),
  products: fc.tuple(product("p1"), product("p2")),
  limits: fc.array(limit, { maxLength: 1 }),
  now,
  bought: fc.tuple(fc.integer({ min: 0, max: 400 * DAY }), fc.integer({ min: 0, max: 400 * DAY })),
  firstUse: fc.tuple(
    fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  ),
  visits: fc.array(visit, { maxLength: 6 }),
  area: fc.constantFrom("gym", "pool", "studio"),
});

describe("the history horizon never changes a decision (sync.md)", () => {
  it("R5, R7, R8: deciding with all visits and with only those within the horizon gives the same answer", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const config = siteConfig({
          site: { id: "rome-center", timezone: ZONE, deductionIntervalMinutes: s.interval },
          areas: [{ id: "gym" }, { id: "pool" }, { id: "studio" }],
          accessTypes: TYPES,
          products: s.products,
          limits: s.limits.map((l, i) => ({ ...l, id: `cap-${i}` })),
        });
        const site = compileSite(config);
        const packs = s.products.map((p, i) => {
          const purchasedAt = s.now - (s.bought[i] ?? 0);
          const share = s.firstUse[i];
          const firstUseAt =
            share === null || share === undefined
              ? null
              : purchasedAt + Math.floor(share * (s.now - purchasedAt));
          return multipack({ id: `mp-${p.id}`, productId: p.id, purchasedAt, firstUseAt });
        });
        // A multipack's visits come after it began: its purchase, or its first use for fromFirstUse.
        const began = packs.map((mp, i) =>
          s.products[i]?.validity !== undefined && "fromFirstUse" in s.products[i].validity
            ? (mp.firstUseAt ?? Number.POSITIVE_INFINITY)
            : mp.purchasedAt,
        );
        const visits: VisitFact[] = s.visits.flatMap((v, i) => {
          const p = s.products[v.pack] ?? s.products[0];
          const type = p.items[v.pick % p.items.length]?.accessType ?? "gym-all";
          const visitAt = s.now - v.daysAgo;
          if (visitAt < (began[v.pack] ?? 0)) return [];
          const area = AREA_OF[type] ?? "gym";
          return [
            {
              id: `v-${i}`,
              multipackId: `mp-${p.id}`,
              productId: p.id,
              accessTypeId: type,
              area,
              at: visitAt,
              credits: 0,
              site: "rome-center", // R20: made at this site
            },
          ];
        });
        const from = horizonStart(historyHorizonDays(config), s.now, ZONE);
        const recent = visits.filter((v) => v.at >= from);
        const full = decide(req(s.area), facts(site, { multipacks: packs, visits }), s.now);
        const cut = decide(req(s.area), facts(site, { multipacks: packs, visits: recent }), s.now);
        expect(cut).toEqual(full);
      }),
      { numRuns: 1000 },
    );
  });
});
