/**
 * R18 properties (fast-check): transfers of unused credits move credits between a member's multipacks
 * of one product, never create or destroy them, and decide() charges the pack as balance shows it.
 * (Kept apart from engine.properties.test.ts, which is at the size limit of a file.)
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { balances } from "../../gateway/engine/balance.js";
import { decide } from "../../gateway/engine/decide.js";
import { transfersAt, withTransfers } from "../../gateway/engine/transfer.js";
import type { MultipackFact } from "../../gateway/engine/types.js";
import { facts, req } from "../helpers/build.js";
import { rome } from "./engineFixture.js";

const site = rome({
  accessTypes: [{ id: "yoga", areas: ["studio"] }],
  products: [
    {
      id: "t10",
      credits: 10,
      validity: { months: 1 },
      transferUnused: true,
      items: [{ accessType: "yoga", credits: 1 }],
    },
    {
      id: "t10-first",
      credits: 10,
      validity: { fromFirstUse: { weeks: 2 } },
      transferUnused: true,
      items: [{ accessType: "yoga", credits: 2 }],
    },
    {
      id: "flat",
      credits: 0,
      validity: { months: 1 },
      transferUnused: true,
      items: [{ accessType: "yoga", credits: 0 }],
    },
  ],
});
const T0 = Date.parse("2027-01-01T00:00:00Z");
const DAY = 86_400_000;
const date = fc
  .integer({ min: T0, max: T0 + 200 * DAY })
  .map((ms) => new Date(ms).toISOString().slice(0, 10));

const packArb = (id: string): fc.Arbitrary<MultipackFact> =>
  fc.record({
    id: fc.constant(id),
    productId: fc.oneof({ arbitrary: fc.constant("t10"), weight: 8 }, fc.constantFrom("t10-first", "flat")),
    // Purchases close together, so that packs overlap and transfers happen often.
    purchasedAt: fc.integer({ min: T0, max: T0 + 60 * DAY }),
    validFrom: fc.constant(null),
    validUntil: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, date),
    creditsTotal: fc.integer({ min: 0, max: 15 }),
    used: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 8 }), weight: 4 }, fc.integer({ min: 0, max: 16 })),
    status: fc.constantFrom("active" as const, "active" as const, "stored" as const),
    suspensions: fc.constantFrom([], [{ from: "2027-02-01", to: "2027-02-10" }]),
    firstUseAt: fc.option(fc.integer({ min: T0, max: T0 + 160 * DAY }), { nil: null, freq: 2 }),
  });

const scenario = fc.record({
  multipacks: fc
    .integer({ min: 2, max: 6 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => packArb(`mp-${i}`))).map((t) => [...t])),
  now: fc.integer({ min: T0, max: T0 + 180 * DAY }),
});
const RUNS = { numRuns: 400 };
const remaining = (m: MultipackFact) => m.creditsTotal - m.used;

describe("R18 properties (fast-check)", () => {
  it("R18: the sum of remaining credits over a member's multipacks of one product is unchanged by transfers", () => {
    fc.assert(
      fc.property(scenario, ({ multipacks, now }) => {
        const moved = withTransfers(multipacks, transfersAt(site, multipacks, now));
        for (const product of ["t10", "t10-first", "flat"]) {
          const sum = (ms: MultipackFact[]) =>
            ms.filter((m) => m.productId === product).reduce((s, m) => s + remaining(m), 0);
          expect(sum(moved)).toBe(sum(multipacks));
        }
      }),
      RUNS,
    );
  });

  it("R18: a transfer never makes remaining negative: a giver keeps 0, a receiver only gains", () => {
    fc.assert(
      fc.property(scenario, ({ multipacks, now }) => {
        const notes = transfersAt(site, multipacks, now);
        const moved = withTransfers(multipacks, notes);
        multipacks.forEach((before, i) => {
          const after = moved[i] as MultipackFact;
          const note = notes.get(before.id);
          if (note?.gave) expect(remaining(after)).toBe(0);
          else expect(remaining(after)).toBeGreaterThanOrEqual(remaining(before));
          if (remaining(before) >= 0) expect(remaining(after)).toBeGreaterThanOrEqual(0);
          for (const t of note?.received ?? []) expect(t.credits).toBeGreaterThan(0);
        });
      }),
      RUNS,
    );
  });

  it("R18: credits move by `now`, at a giver's end, to a later purchase of the same product bought before that end", () => {
    fc.assert(
      fc.property(scenario, ({ multipacks, now }) => {
        const byId = new Map(multipacks.map((m) => [m.id, m]));
        for (const note of transfersAt(site, multipacks, now).values()) {
          const t = note.gave;
          if (!t) continue;
          const [from, to] = [byId.get(t.from) as MultipackFact, byId.get(t.to) as MultipackFact];
          expect(t.at).toBeLessThanOrEqual(now);
          expect(to.productId).toBe(from.productId);
          expect(site.products.get(from.productId)?.credits).toBeGreaterThan(0);
          expect(to.purchasedAt).toBeLessThan(t.at);
          const later =
            to.purchasedAt > from.purchasedAt || (to.purchasedAt === from.purchasedAt && to.id > from.id);
          expect(later).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("R18/R14: a grant charges the chosen pack as balance shows it, transfers included", () => {
    fc.assert(
      fc.property(scenario, ({ multipacks, now }) => {
        const f = facts(site, { multipacks });
        const d = decide(req("studio"), f, now);
        if (d.decision !== "grant" || d.creditsTotal === null) return;
        const b = balances(f, now).find((x) => x.multipackId === d.multipackId);
        expect(d.creditsTotal).toBe(b?.creditsTotal);
        expect(d.creditsRemaining).toBe((b?.creditsRemaining as number) - d.creditsDeducted);
      }),
      RUNS,
    );
  });
});
