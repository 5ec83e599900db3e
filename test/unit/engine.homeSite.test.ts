/**
 * R20 home site: limits with `at: home | away | all`, decided from the visits' sites and the
 * member's homeSite. The visits are built in the engine's input directly (the engine is pure), as
 * a gateway will have them once the central sends visits made at the chain's other sites.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide } from "../../gateway/engine/decide.js";
import type { Facts, VisitFact } from "../../gateway/engine/types.js";
import { facts, req } from "../helpers/build.js";
import { mp, product, ROME_SITE, rome, scan, visit } from "./engineFixture.js";

const MILAN = "milan-north";
const TURIN = "turin-lingotto";

/** This gateway is at Rome; the gym is open around the clock to an unlimited chain membership. */
function chain(limits: Record<string, unknown>[], siteId = ROME_SITE) {
  return rome({
    site: { id: siteId },
    accessTypes: [{ id: "gym-all", areas: ["gym"] }],
    products: [product("chain", 0, ["gym-all"], { validity: { months: 12 } }, 0)],
    limits,
  });
}
const pack = () => mp("mp-chain", "chain", "2027-01-10T08:00");
/** A free gym visit through the chain pack at a site of the chain. */
const gymAt = (site: string, atLocal: string): VisitFact =>
  visit(atLocal, {
    multipackId: "mp-chain",
    productId: "chain",
    accessTypeId: "gym-all",
    area: "gym",
    site,
    credits: 0,
  });

/** "4 visits a month at other clubs" (seed 002), with a home-only "1 a day" beside it. */
const AWAY_4 = { id: "away-4", amount: 4, period: "month", at: "away" };
const HOME_DAY = { id: "home-day", amount: 1, period: "day", at: "home" };

const member = (homeSite: string | null) => ({ multipacks: [pack()], member: { homeSite } });

describe("R20 home site", () => {
  it("R20: at home, an `at: home` limit applies and counts only the visits made at home", () => {
    const site = chain([HOME_DAY]);
    // The Milan visit this morning is away from home: the home limit does not count it.
    const f = { ...member(ROME_SITE), visits: [gymAt(MILAN, "2027-03-22T07:00")] };
    expect(scan(site, f, "2027-03-22T18:00")).toMatchObject({ decision: "grant", reason: "ok" });
    const twice = { ...f, visits: [...f.visits, gymAt(ROME_SITE, "2027-03-22T08:00")] };
    const d = scan(site, twice, "2027-03-22T18:00");
    expect(d).toMatchObject({ decision: "deny", reason: "limit_reached" });
    expect(d.trace.find((r) => r.reason === "limit_reached")?.detail).toBe(
      "limit home-day: 1 per day reached (R8); counted at home site rome-center (R20)",
    );
  });

  it("R20: away from home, an `at: home` limit does not apply (the home club's visits do not count either)", () => {
    // A Rome member scanning at the Milan gateway: yesterday's and today's Rome visits are the home club's.
    const milan = chain([HOME_DAY], MILAN);
    const f = {
      ...member(ROME_SITE),
      visits: [gymAt(ROME_SITE, "2027-03-22T08:00"), gymAt(MILAN, "2027-03-22T09:00")],
    };
    expect(scan(milan, f, "2027-03-22T18:00")).toMatchObject({ decision: "grant", reason: "ok" });
  });

  it('R20: "4 visits a month at other clubs" counts only away visits, and applies only away', () => {
    const milan = chain([AWAY_4], MILAN);
    const home = [1, 2, 3, 4, 5, 6].map((d) => gymAt(ROME_SITE, `2027-03-0${d}T08:00`));
    const away = [
      gymAt(MILAN, "2027-03-10T08:00"),
      gymAt(TURIN, "2027-03-12T08:00"),
      gymAt(MILAN, "2027-03-15T08:00"),
    ];
    // Six home visits and three away this month: the fourth away visit is let in.
    const f = { ...member(ROME_SITE), visits: [...home, ...away] };
    expect(scan(milan, f, "2027-03-20T08:00")).toMatchObject({ decision: "grant", reason: "ok" });
    // A fourth away visit (at Turin: any club but home counts) uses the allowance up.
    const full = { ...f, visits: [...f.visits, gymAt(TURIN, "2027-03-18T08:00")] };
    const d = scan(milan, full, "2027-03-20T08:00");
    expect(d).toMatchObject({ decision: "deny", reason: "limit_reached" });
    expect(d.trace.find((r) => r.reason === "limit_reached")?.detail).toBe(
      "limit away-4: 4 per month reached (R8); counted away from home site rome-center (R20)",
    );
    // Next month the count starts again.
    expect(scan(milan, full, "2027-04-01T08:00").decision).toBe("grant");
    // At home the away limit does not apply, whatever was done away.
    expect(scan(chain([AWAY_4]), full, "2027-03-20T08:00").decision).toBe("grant");
  });

  it("R20: `at: all` (the default) counts the visits of every site, at every site", () => {
    const allDay = { id: "all-day", amount: 2, period: "day" };
    const f = {
      ...member(ROME_SITE),
      visits: [gymAt(MILAN, "2027-03-22T07:00"), gymAt(ROME_SITE, "2027-03-22T09:00")],
    };
    for (const siteId of [ROME_SITE, MILAN, TURIN])
      expect(scan(chain([allDay], siteId), f, "2027-03-22T18:00").reason).toBe("limit_reached");
    expect(chain([allDay]).limits[0]?.at).toBe("all");
  });

  it("R20: a member without homeSite is home everywhere: home limits count every visit, away limits never apply", () => {
    const visits = [gymAt(MILAN, "2027-03-22T07:00")];
    for (const homeSite of [null, undefined]) {
      const f: Parameters<typeof scan>[1] = { multipacks: [pack()], visits, member: { homeSite } };
      // At Turin, a home-only "1 a day" counts the Milan visit: no home site, so every club is home.
      expect(scan(chain([HOME_DAY], TURIN), f, "2027-03-22T18:00")).toMatchObject({
        reason: "limit_reached",
      });
      expect(
        scan(chain([HOME_DAY], TURIN), f, "2027-03-22T18:00").trace.find((r) => r.reason === "limit_reached")
          ?.detail,
      ).toBe(
        "limit home-day: 1 per day reached (R8); at: home counts everywhere, the member has no home site (R20)",
      );
      // An away limit of 0 would refuse any away entry: it never applies to this member.
      expect(scan(chain([{ ...AWAY_4, amount: 0 }], TURIN), f, "2027-03-22T18:00").decision).toBe("grant");
    }
  });
});

/** Random free gym visits at the chain's sites over March, and a scan at one of them. */
const scenario = fc.record({
  siteId: fc.constantFrom(ROME_SITE, MILAN, TURIN),
  homeSite: fc.constantFrom(ROME_SITE, MILAN, null),
  visits: fc.array(
    fc.record({ site: fc.constantFrom(ROME_SITE, MILAN, TURIN), day: fc.integer({ min: 1, max: 22 }) }),
    { maxLength: 10 },
  ),
  amount: fc.integer({ min: 0, max: 4 }),
  period: fc.constantFrom("day", "week", "month"),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** The decision (without its trace) of a scenario's scan on 22 March at 18:00, under one limit with this `at`. */
function decideWith(s: Scenario, at: string | undefined, siteId = s.siteId, homeSite = s.homeSite) {
  const limit = { id: "l", amount: s.amount, period: s.period, ...(at === undefined ? {} : { at }) };
  const site = chain([limit], siteId);
  const visits = s.visits.map((v, i) => ({
    ...gymAt(v.site, `2027-03-${String(v.day).padStart(2, "0")}T07:00`),
    id: `v-${i}`,
  }));
  const f: Facts = facts(site, { multipacks: [pack()], visits, member: { homeSite } });
  const { trace: _t, ...d } = decide(req("gym"), f, Date.parse("2027-03-22T17:00:00Z"));
  return d;
}

describe("R20 properties (fast-check)", () => {
  it("R20: with `at: all`, neither the visits' sites nor the member's home site change a decision", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const local = { ...s, visits: s.visits.map((v) => ({ ...v, site: ROME_SITE as typeof v.site })) };
        expect(decideWith(s, "all")).toEqual(decideWith(local, undefined, ROME_SITE, null));
      }),
      { numRuns: 200 },
    );
  });

  it("R20: for a member without homeSite, `at: home` decides as `at: all` and `at: away` as no limit", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        expect(decideWith(s, "home", s.siteId, null)).toEqual(decideWith(s, "all", s.siteId, null));
        expect(decideWith(s, "away", s.siteId, null).decision).toBe("grant");
      }),
      { numRuns: 200 },
    );
  });

  it("R20: a scan is refused by `at: home` or `at: away` only if the same limit `at: all` refuses it", () => {
    fc.assert(
      fc.property(scenario, fc.constantFrom("home", "away"), (s, at) => {
        if (decideWith(s, at).decision === "deny") expect(decideWith(s, "all").decision).toBe("deny");
      }),
      { numRuns: 200 },
    );
  });
});
