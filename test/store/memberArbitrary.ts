import fc from "fast-check";

const PRODUCTS = ["swim10", "gymflex", "trial"] as const;
const AREAS = ["gym", "pool", "studio"] as const;
const FROM = Date.parse("2026-06-01T00:00:00Z");
const TO = Date.parse("2027-12-31T00:00:00Z");

const instant = fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms).toISOString());
const localDate = fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms).toISOString().slice(0, 10));

/** A ledger entry of any kind the schema accepts (R16), without its id. */
const ledgerEntry = fc.oneof(
  fc.record(
    { amount: fc.integer({ min: -3, max: 5 }), at: instant, area: fc.constantFrom(...AREAS) },
    { requiredKeys: ["amount", "at"] },
  ),
  fc.record({ kind: fc.constant("addition"), amount: fc.integer({ min: 1, max: 5 }), at: instant }),
  fc.record({ kind: fc.constant("refund"), amount: fc.integer({ min: -5, max: -1 }), at: instant }),
  fc.record({ kind: fc.constant("deduction"), amount: fc.integer({ min: 1, max: 5 }), at: instant }),
);

const multipack = fc.record(
  {
    product: fc.constantFrom(...PRODUCTS),
    purchasedAt: instant,
    creditsTotal: fc.integer({ min: 0, max: 20 }),
    status: fc.constantFrom("active", "stored"),
    ledger: fc.array(ledgerEntry, { maxLength: 4 }),
  },
  { requiredKeys: ["product", "purchasedAt", "ledger"] },
);

const memberShape = fc.record({
  name: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
  cards: fc.array(
    fc.record({ zeros: fc.nat({ max: 3 }), status: fc.constantFrom("active", "blocked", "lost") }),
    { maxLength: 2 },
  ),
  multipacks: fc.array(multipack, { maxLength: 3 }),
  blocks: fc.array(fc.record({ reason: fc.constantFrom("debt", "waiver"), from: localDate }), {
    maxLength: 1,
  }),
});

/**
 * Valid member data for the example site: ids, canonical card numbers (R1) and ledger ids are unique
 * by construction; card numbers carry random leading zeros.
 */
export const membersData = fc.array(memberShape, { minLength: 1, maxLength: 6 }).map((list) =>
  list.map((m, i) => ({
    id: `m-${i}`,
    ...(m.name === undefined ? {} : { name: m.name }),
    cards: m.cards.map((c, j) => ({ number: `${"0".repeat(c.zeros)}${i * 10 + j + 1}`, status: c.status })),
    multipacks: m.multipacks.map((mp, j) => ({
      id: `mp-${i}-${j}`,
      ...mp,
      ledger: mp.ledger.map((e, k) => ({ id: `central:${i}:${j}:${k}`, ...e })),
    })),
    blocks: m.blocks,
  })),
);
