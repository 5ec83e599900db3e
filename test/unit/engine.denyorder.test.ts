import { describe, expect, it } from "vitest";
import type { MultipackFact, PresenceFact, VisitFact } from "../../gateway/engine/types.js";
import { at } from "../helpers/build.js";
import { mp, rome, scan, visit } from "./engineFixture.js";

const site = rome({
  areas: [{ id: "pool", antiPassback: { mode: "hard" }, capacity: 50 }],
  accessTypes: [
    { id: "pool-all", areas: ["pool"] },
    {
      id: "pool-morning",
      areas: ["pool"],
      windows: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "07:00", to: "12:00" }],
    },
    { id: "pool-fed", areas: ["pool"], requiresCardModel: true },
    { id: "gym-all", areas: ["gym"] },
  ],
  products: [
    { id: "pool10", credits: 10, items: [{ accessType: "pool-all", credits: 2 }] },
    { id: "gymonly", credits: 10, items: [{ accessType: "gym-all", credits: 1 }] },
    { id: "morning", credits: 10, items: [{ accessType: "pool-morning", credits: 1 }] },
    { id: "fed", credits: 10, cardModels: ["fin"], items: [{ accessType: "pool-fed", credits: 1 }] },
    {
      id: "plan",
      credits: 0,
      items: [{ accessType: "pool-all", credits: 0, allowance: { count: 1, period: "day" } }],
    },
    { id: "lim", credits: 0, items: [{ accessType: "pool-all", credits: 0 }] },
  ],
  limits: [{ id: "lim-daily", amount: 1, period: "day", products: ["lim"] }],
});
const NOW = "2027-03-23T18:00"; // a Tuesday evening
const BOUGHT = "2027-03-01T10:00";

/** A multipack (and the visits it needs) that fails at exactly one stage at NOW, in the pool. */
type Failing = (id: string) => { mp: MultipackFact; visits: VisitFact[] };
const FAILING: Record<string, Failing> = {
  inactive: (id) => ({ mp: mp(id, "pool10", BOUGHT, { status: "stored" }), visits: [] }),
  expired: (id) => ({ mp: mp(id, "pool10", BOUGHT, { validUntil: "2027-03-20" }), visits: [] }),
  not_yet_valid: (id) => ({ mp: mp(id, "pool10", BOUGHT, { validFrom: "2027-04-01" }), visits: [] }),
  suspended: (id) => ({
    mp: mp(id, "pool10", BOUGHT, { suspensions: [{ from: "2027-03-20", to: "2027-03-25" }] }),
    visits: [],
  }),
  wrong_area: (id) => ({ mp: mp(id, "gymonly", BOUGHT), visits: [] }),
  outside_time_window: (id) => ({ mp: mp(id, "morning", BOUGHT), visits: [] }),
  card_model_missing: (id) => ({ mp: mp(id, "fed", BOUGHT), visits: [] }),
  no_credits: (id) => ({ mp: mp(id, "pool10", BOUGHT, { used: 9 }), visits: [] }),
  allowance_used: (id) => ({
    mp: mp(id, "plan", BOUGHT),
    visits: [
      visit("2027-03-23T09:00", {
        id: `v-${id}`,
        multipackId: id,
        area: "pool",
        productId: "plan",
        accessTypeId: "pool-all",
        credits: 0,
      }),
    ],
  }),
  limit_reached: (id) => ({
    mp: mp(id, "lim", BOUGHT),
    visits: [
      visit("2027-03-23T09:00", {
        id: `v-${id}`,
        multipackId: id,
        area: "pool",
        productId: "lim",
        accessTypeId: "pool-all",
        credits: 0,
      }),
    ],
  }),
};
/** R13's order, furthest last (expired and not_yet_valid share a stage). */
const ORDER = [
  "inactive",
  "expired",
  "suspended",
  "wrong_area",
  "outside_time_window",
  "card_model_missing",
  "no_credits",
  "allowance_used",
  "limit_reached",
];

function decideWith(
  reasons: string[],
  extra: { presence?: PresenceFact; presentCount?: number; good?: boolean } = {},
) {
  const parts = reasons.map((r, i) => (FAILING[r] as Failing)(`mp-${i}-${r}`));
  const multipacks = parts.map((p) => p.mp);
  if (extra.good) multipacks.push(mp("mp-good", "pool10", BOUGHT));
  const { presence, presentCount } = extra;
  return scan(
    site,
    { multipacks, visits: parts.flatMap((p) => p.visits), presence, presentCount },
    NOW,
    "pool",
  );
}

describe("R13 each stage alone", () => {
  it.each([...ORDER, "not_yet_valid"])(
    "R13: a multipack failing only at %s is denied with that reason",
    (reason) => {
      const d = decideWith([reason]);
      expect(d).toMatchObject({ decision: "deny", reason, multipackId: null, creditsDeducted: 0 });
      expect(d.trace.every((r) => r.outcome === "skipped")).toBe(true);
    },
  );

  it("R13: a member with no multipacks at all is denied no_entitlement", () => {
    const d = scan(site, {}, NOW, "pool");
    expect(d).toMatchObject({ decision: "deny", reason: "no_entitlement", trace: [] });
  });
});

describe("R13 the furthest reason wins, whatever the order of the multipacks", () => {
  const pairs: [string, string][] = [];
  ORDER.forEach((a, i) => {
    for (const b of ORDER.slice(i + 1)) pairs.push([a, b]);
  });
  pairs.push(["not_yet_valid", "suspended"], ["inactive", "not_yet_valid"]);

  it.each(pairs)("R13: %s + %s → the second", (a, b) => {
    expect(decideWith([a, b]).reason).toBe(b);
    expect(decideWith([b, a]).reason).toBe(b);
  });

  it("R13: with every failure at once the furthest (limit_reached) wins, and every failure is traced", () => {
    const d = decideWith([...ORDER, "not_yet_valid"].reverse());
    expect(d.reason).toBe("limit_reached");
    expect(d.trace.map((r) => r.reason).sort()).toEqual([...ORDER, "not_yet_valid"].sort());
  });

  it("R13: a multipack that fails at one item and further at another counts with its furthest", () => {
    const two = rome({
      accessTypes: [
        { id: "pool-all", areas: ["pool"] },
        { id: "pool-morning", areas: ["pool"], windows: [{ days: ["mon"], from: "07:00", to: "08:00" }] },
      ],
      products: [
        {
          id: "p",
          credits: 10,
          items: [
            { accessType: "pool-morning", credits: 1 },
            { accessType: "pool-all", credits: 5 },
          ],
        },
      ],
    });
    const d = scan(two, { multipacks: [mp("mp-1", "p", BOUGHT, { used: 8 })] }, NOW, "pool");
    expect(d.reason).toBe("no_credits");
    expect(d.trace.map((r) => r.reason)).toEqual(["outside_time_window", "no_credits"]);
  });
});

describe("R13 area rules come after every multipack stage", () => {
  const inside: PresenceFact = {
    lastDirection: "in",
    lastAt: at("2027-03-23T17:00"),
    lastInAt: at("2027-03-23T17:00"),
  };

  it.each(ORDER)("R13: %s on one multipack and anti_passback on a usable one → anti_passback", (reason) => {
    expect(decideWith([reason], { good: true, presence: inside }).reason).toBe("anti_passback");
  });

  it.each(ORDER)("R13: %s on one multipack and a full area for a usable one → area_full", (reason) => {
    expect(decideWith([reason], { good: true, presentCount: 50 }).reason).toBe("area_full");
  });

  it("R13: anti_passback is checked before capacity", () => {
    expect(decideWith([], { good: true, presence: inside, presentCount: 50 }).reason).toBe("anti_passback");
  });

  it("R13: when no multipack survives, area rules are not reached (the multipack reason is given)", () => {
    expect(decideWith(["no_credits"], { presence: inside, presentCount: 50 }).reason).toBe("no_credits");
  });

  it("R13: a usable multipack beside failing ones is granted", () => {
    const d = decideWith(ORDER, { good: true });
    expect(d).toMatchObject({ decision: "grant", reason: "ok", multipackId: "mp-good" });
  });
});
