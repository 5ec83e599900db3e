import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide } from "../../gateway/engine/decide.js";
import { historyStart } from "../../gateway/engine/history.js";
import type {
  BookingFact,
  Decision,
  DecisionRequest,
  Facts,
  MultipackFact,
  PresenceFact,
  SiteModel,
  VisitFact,
} from "../../gateway/engine/types.js";
import { facts } from "../helpers/build.js";
import { DECISION_FIELDS } from "../helpers/decisionFields.js";
import { rome } from "./engineFixture.js";

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"];
const siteFor = (tieBreak: "fifo" | "expiresFirst", memberCodes = true) =>
  rome({
    site: { tieBreak, holidays: ["2027-04-05", "2027-05-01"], deductionIntervalMinutes: 15 },
    areas: [
      { id: "pool", antiPassback: { mode: "hard" } },
      { id: "spa", antiPassback: { mode: "timed", minutes: 3 }, capacity: 3 },
      { id: "studio", capacity: 2 },
    ],
    accessTypes: [
      { id: "gym-all", areas: ["gym"] },
      {
        id: "pool-offpeak",
        areas: ["pool"],
        windows: [
          { days: WEEKDAYS, from: "07:00", to: "17:00" },
          { days: ["sat", "sun", "hol"], from: "09:00", to: "19:00" },
        ],
      },
      { id: "pool-peak", areas: ["pool"], windows: [{ days: WEEKDAYS, from: "17:00", to: "21:00" }] },
      { id: "spa-fed", areas: ["spa"], requiresCardModel: true },
      {
        id: "late",
        areas: ["studio", "gym"],
        windows: [{ days: ["fri", "sat"], from: "22:00", to: "02:00" }],
      },
      { id: "summer", areas: ["pool"], dates: { from: "2027-06-01", to: "2027-09-15" } },
    ],
    products: [
      {
        id: "pool-10",
        credits: 10,
        validity: { months: 3 },
        deductionIntervalMinutes: 90,
        items: [
          { accessType: "pool-offpeak", credits: 1 },
          { accessType: "pool-peak", credits: 2 },
          { accessType: "gym-all", credits: 0, priority: 2 },
        ],
      },
      {
        id: "premium",
        credits: 0,
        validity: { months: 1 },
        chargePeriod: { months: 1 },
        cardModels: ["fin"],
        items: [
          { accessType: "gym-all", credits: 0 },
          { accessType: "pool-offpeak", credits: 0, allowance: { count: 2, period: "week", rollover: true } },
          { accessType: "spa-fed", credits: 0, allowance: { count: 1, period: "chargePeriod" } },
          // R19: late classes are included for students only.
          { accessType: "late", credits: 0, ...(memberCodes ? { requiresMemberCode: ["student"] } : {}) },
        ],
      },
      {
        id: "trial",
        credits: 3,
        validity: { days: 7 },
        items: [{ accessType: "gym-all", credits: 1, priority: 5 }],
      },
      {
        id: "first",
        credits: 5,
        validity: { fromFirstUse: { weeks: 2 } },
        items: [
          { accessType: "summer", credits: 1 },
          { accessType: "late", credits: 2, deductionIntervalMinutes: 0 },
        ],
      },
      {
        id: "big",
        credits: 500,
        validity: { until: "2027-05-31" },
        items: [{ accessType: "spa-fed", credits: 3 }],
      },
    ],
    limits: [
      { id: "studio-week", amount: 3, period: "week", areas: ["studio"] },
      { id: "premium-day", amount: 2, period: "day", products: ["premium"] },
      { id: "trial-all", amount: 4, period: "validity", products: ["trial"] },
      { id: "late-cp", amount: 2, period: "chargePeriod", accessTypes: ["late"] },
    ],
  });
const SITES = { fifo: siteFor("fifo"), expiresFirst: siteFor("expiresFirst") };
/** The same sites without R19's code requirements. */
const SITES_WITHOUT_CODES = { fifo: siteFor("fifo", false), expiresFirst: siteFor("expiresFirst", false) };

const PRODUCTS = ["pool-10", "premium", "trial", "first", "big", "gone"];
const AREAS = ["gym", "pool", "spa", "studio", "nowhere"];
const ACCESS_TYPES = ["gym-all", "pool-offpeak", "pool-peak", "spa-fed", "late", "summer"];
const T0 = Date.parse("2027-01-01T00:00:00Z");
const T1 = Date.parse("2027-07-01T00:00:00Z");
const DAY = 86_400_000;

const instant = fc.integer({ min: T0, max: T1 });
const date = fc.integer({ min: T0, max: T1 }).map((ms) => new Date(ms).toISOString().slice(0, 10));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
/** Mostly `usual`, sometimes something from `arb`: keeps most scans past R1 so later rules get exercised. */
const mostly = <T>(usual: T, arb: fc.Arbitrary<T>, weight = 8) =>
  fc.oneof({ arbitrary: fc.constant(usual), weight }, { arbitrary: arb, weight: 1 });

const multipackArb = (id: string, now: number): fc.Arbitrary<MultipackFact> =>
  fc
    .record({
      productId: mostly("pool-10", fc.constantFrom(...PRODUCTS), 1),
      purchasedAt: fc.oneof(
        { arbitrary: fc.integer({ min: now - 20 * DAY, max: now }), weight: 4 },
        { arbitrary: instant, weight: 1 },
      ),
      validFrom: mostly(null, date, 4),
      validUntil: mostly(null, date, 4),
      creditsTotal: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 600 })),
      usedShare: fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
      status: mostly("active", fc.constant("stored")),
      suspensions: mostly(
        [],
        fc.array(
          fc.tuple(date, fc.integer({ min: 0, max: 10 })).map(([from, len]) => {
            const to = new Date(Date.parse(from) + len * DAY).toISOString().slice(0, 10);
            return { from, to };
          }),
          { minLength: 1, maxLength: 2 },
        ),
      ),
      firstUseAt: mostly(null, fc.integer({ min: now - 30 * DAY, max: now }), 3),
    })
    .map(({ usedShare, ...m }) => ({
      ...m,
      id,
      // R16: used never exceeds the total here (an overdraft is a separate question, see the report).
      used: Math.floor(usedShare * m.creditsTotal),
      status: m.status as "active" | "stored",
    }));

const visitArb = (ids: string[], now: number): fc.Arbitrary<VisitFact> =>
  fc.record({
    id: fc.uuid(),
    multipackId: ids.length ? fc.option(fc.constantFrom(...ids), { nil: null }) : fc.constant(null),
    productId: maybe(fc.constantFrom(...PRODUCTS)),
    accessTypeId: maybe(fc.constantFrom(...ACCESS_TYPES)),
    area: fc.constantFrom(...AREAS),
    // R20: mostly this site's own visits, some from the chain's other clubs.
    site: mostly("rome-center", fc.constantFrom("milan-north", "turin-lingotto"), 3),
    at: fc.oneof(
      fc.integer({ min: now - 3 * 3_600_000, max: now }),
      fc.integer({ min: now - 8 * DAY, max: now }),
      fc.integer({ min: now - 120 * DAY, max: now + DAY }),
    ),
    credits: fc.integer({ min: 0, max: 3 }),
  });

const presenceArb = (now: number): fc.Arbitrary<PresenceFact | null> =>
  maybe(
    fc.record({
      lastDirection: fc.constantFrom("in" as const, "out" as const),
      lastAt: fc.integer({ min: now - 2 * DAY, max: now + 3_600_000 }),
      lastInAt: maybe(fc.integer({ min: now - 2 * DAY, max: now })),
    }),
  );

const bookingArb = (now: number): fc.Arbitrary<BookingFact> =>
  fc
    .record({
      id: fc.constantFrom("b-1", "b-2"),
      area: fc.constantFrom(...AREAS),
      start: fc.integer({ min: now - 3 * 3_600_000, max: now + 3 * 3_600_000 }),
      len: fc.integer({ min: 1, max: 180 }),
    })
    .map(({ len, ...b }) => ({ ...b, end: b.start + len * 60_000 }));

/** A random scan: site, request, facts and `now`. */
const scenario = fc
  .record({
    tieBreak: fc.constantFrom("fifo" as const, "expiresFirst" as const),
    now: fc.oneof(
      instant,
      // around the DST changes of 2027 (28 Mar, 31 Oct) and local midnights
      fc.integer({ min: Date.parse("2027-03-27T20:00:00Z"), max: Date.parse("2027-03-28T04:00:00Z") }),
      fc.integer({ min: Date.parse("2027-10-30T20:00:00Z"), max: Date.parse("2027-10-31T04:00:00Z") }),
    ),
    count: mostly(1, fc.integer({ min: 0, max: 4 }), 1),
  })
  .chain(({ tieBreak, now, count }) => {
    const ids = Array.from({ length: count }, (_, i) => `mp-${i}`);
    return fc.record({
      site: fc.constant(SITES[tieBreak]),
      now: fc.constant(now),
      multipacks: fc.tuple(...ids.map((id) => multipackArb(id, now))).map((t) => [...t]),
      visits: fc.array(visitArb(ids, now), { maxLength: 12 }),
      presence: presenceArb(now),
      presentCount: fc.integer({ min: 0, max: 4 }),
      cardStatus: mostly("active", fc.constantFrom("blocked", "lost"), 12),
      cardValidTo: mostly(null, date, 12),
      blocks: mostly(
        [],
        fc.array(
          fc.record({ reason: fc.constant("debt"), from: date, to: fc.option(date, { nil: undefined }) }),
          {
            maxLength: 1,
          },
        ),
      ),
      codes: fc.subarray(["student", "staff"]),
      cardModels: fc.array(
        fc.record({ model: fc.constantFrom("fin", "other"), validTo: fc.option(date, { nil: undefined }) }),
        {
          maxLength: 1,
        },
      ),
      bookings: fc.array(bookingArb(now), { maxLength: 1 }),
      name: maybe(fc.constantFrom("Ada Lovelace", "Grace", "  ")),
      card: mostly("100", fc.constantFrom("0100", " 100 ", "101"), 6),
      area: fc.oneof(fc.constantFrom("gym", "pool"), fc.constantFrom(...AREAS)),
      direction: mostly<"in" | "out">("in", fc.constant("out"), 6),
    });
  })
  .map((s) => {
    const f: Facts = facts(s.site, {
      multipacks: s.multipacks,
      visits: s.visits,
      presence: s.presence,
      presentCount: s.presentCount,
      name: s.name ?? undefined,
      card: { status: s.cardStatus as "active", validTo: s.cardValidTo },
      member: { blocks: s.blocks, cardModels: s.cardModels, bookings: s.bookings, codes: s.codes },
    });
    if (s.name === null && f.member) f.member.name = null;
    const request: DecisionRequest = { card: s.card, area: s.area, direction: s.direction, readerId: "r-1" };
    return { request, facts: f, now: s.now, site: s.site as SiteModel };
  });

const GRANT = ["ok", "reentry", "booking", "exit"];
const DENY = [
  "unknown_card",
  "card_blocked",
  "card_expired",
  "member_blocked",
  "no_entitlement",
  "inactive",
  "not_yet_valid",
  "expired",
  "suspended",
  "wrong_area",
  "outside_time_window",
  "card_model_missing",
  "member_code_missing",
  "no_credits",
  "allowance_used",
  "limit_reached",
  "anti_passback",
  "area_full",
];
const FIELDS = DECISION_FIELDS;
const RUNS = { numRuns: 400 };

describe("engine properties (fast-check)", () => {
  it("R1–R16: a decision is a function of its facts and now, and decide() does not mutate the facts", () => {
    fc.assert(
      fc.property(scenario, ({ request, facts: f, now }) => {
        const before = structuredClone(f);
        const a = decide(request, f, now);
        expect(f).toEqual(before);
        const b = decide(structuredClone(request), structuredClone(f), now);
        expect(b).toEqual(a);
      }),
      RUNS,
    );
  });

  it("R4/R6/R16: creditsRemaining is never negative and creditsDeducted never exceeds what remained", () => {
    fc.assert(
      fc.property(scenario, ({ request, facts: f, now }) => {
        const d = decide(request, f, now);
        expect(d.creditsDeducted).toBeGreaterThanOrEqual(0);
        if (d.creditsRemaining !== null) expect(d.creditsRemaining).toBeGreaterThanOrEqual(0);
        const chosen = f.multipacks.find((m) => m.id === d.multipackId);
        if (d.creditsDeducted > 0) {
          expect(chosen).toBeDefined();
          const before = (chosen as MultipackFact).creditsTotal - (chosen as MultipackFact).used;
          expect(d.creditsDeducted).toBeLessThanOrEqual(before);
          expect(d.creditsRemaining).toBe(before - d.creditsDeducted);
        }
      }),
      RUNS,
    );
  });

  it("R13/cli.md: a grant has a grant reason, a deny a deny reason, and a deny charges nothing", () => {
    fc.assert(
      fc.property(scenario, ({ request, facts: f, now }) => {
        const d = decide(request, f, now);
        if (d.decision === "grant") expect(GRANT).toContain(d.reason);
        else {
          expect(d.decision).toBe("deny");
          expect(DENY).toContain(d.reason);
          expect(d).toMatchObject({
            creditsDeducted: 0,
            multipackId: null,
            creditsRemaining: null,
            creditsTotal: null,
          });
        }
        const chosen = d.trace.filter((r) => r.outcome === "chosen");
        expect(chosen).toHaveLength(d.decision === "grant" ? 1 : 0);
        if (chosen[0]) expect(chosen[0].reason).toBe(d.reason);
        if (d.reason === "exit") expect(request.direction).toBe("out");
        if (request.direction === "out")
          expect(["exit", "unknown_card", "card_blocked", "card_expired"]).toContain(d.reason);
      }),
      RUNS,
    );
  });

  it("R14/cli.md: every field of the decision JSON is present (null, never undefined)", () => {
    fc.assert(
      fc.property(scenario, ({ request, facts: f, now }) => {
        const d: Decision = decide(request, f, now);
        const json = JSON.parse(JSON.stringify(d)) as Record<string, unknown>;
        for (const k of FIELDS) expect(json, k).toHaveProperty(k);
        for (const [k, v] of Object.entries(d)) expect(v, k).not.toBeUndefined();
        for (const row of d.trace)
          for (const k of ["multipackId", "accessTypeId", "outcome", "reason"]) expect(row).toHaveProperty(k);
        expect(d.at).toBe(new Date(now).toISOString());
        expect(d.readerId).toBe("r-1");
        expect(typeof d.message).toBe("string");
        expect(d.message.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it("R4/cli.md: creditsRemaining and creditsTotal are null exactly when unlimited or nothing was chosen", () => {
    fc.assert(
      fc.property(scenario, ({ request, facts: f, now, site }) => {
        const d = decide(request, f, now);
        const product = d.productId ? site.products.get(d.productId) : undefined;
        const counted = d.multipackId !== null && product !== undefined && product.credits > 0;
        expect(d.creditsRemaining === null).toBe(!counted);
        expect(d.creditsTotal === null).toBe(!counted);
        if (product?.credits === 0) expect(d.creditsDeducted).toBe(0);
      }),
      RUNS,
    );
  });

  it("R19: a member holding the required code is decided as if no item required one", () => {
    fc.assert(
      fc.property(scenario, ({ request, facts: f, now, site }) => {
        const tieBreak = site.site.tieBreak;
        const student = { ...f, member: f.member && { ...f.member, codes: ["student"] } };
        const plain = { ...student, site: SITES_WITHOUT_CODES[tieBreak] };
        const { trace: _a, ...withCode } = decide(request, student, now);
        const { trace: _b, ...withoutRule } = decide(request, plain, now);
        expect(withCode).toEqual(withoutRule);
      }),
      RUNS,
    );
  });

  it("R19: taking a member's codes away never turns a deny into a grant", () => {
    fc.assert(
      fc.property(scenario, ({ request, facts: f, now }) => {
        const none = { ...f, member: f.member && { ...f.member, codes: [] } };
        if (decide(request, f, now).decision === "deny")
          expect(decide(request, none, now).decision).toBe("deny");
      }),
      RUNS,
    );
  });

  it("R1: the canonical card decides: leading zeros and spaces do not change the decision", () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 3 }), ({ request, facts: f, now }, zeros) => {
        const padded = { ...request, card: ` ${"0".repeat(zeros)}${request.card.trim()} ` };
        expect(decide(padded, f, now)).toEqual(decide(request, f, now));
      }),
      RUNS,
    );
  });

  it("R5/R7/R8: visits after `now` are ignored", () => {
    fc.assert(
      fc.property(scenario, ({ request, facts: f, now }) => {
        const past = { ...f, visits: f.visits.filter((v) => v.at <= now) };
        expect(decide(request, f, now)).toEqual(decide(request, past, now));
      }),
      RUNS,
    );
  });

  it("R5/R7/R8: visits before historyStart() cannot change a decision (the store may drop them)", () => {
    fc.assert(
      fc.property(scenario, ({ request, facts: f, now, site }) => {
        const from = historyStart(site, f.multipacks, now);
        const recent = { ...f, visits: f.visits.filter((v) => v.at >= from) };
        expect(decide(request, recent, now)).toEqual(decide(request, f, now));
      }),
      RUNS,
    );
  });
});
