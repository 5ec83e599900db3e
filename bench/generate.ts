/**
 * Deterministic member data for the benchmark, in the input form `accessgw import` reads (so it
 * goes through the real schema and reference checks). Member `i` depends only on the seed and `i`,
 * so any member, and its card, can be regenerated without the others.
 */
import { Rng } from "./prng.js";
import { NOW, productVisitTargets, SITE, WEEK_START } from "./site.js";

const DAY = 86_400_000;

/** Product mix of sold multipacks (weights). */
const PRODUCT_MIX: [string, number][] = [
  ["premium", 22],
  ["gym-annual", 18],
  ["gym-offpeak-3m", 8],
  ["swim-10", 14],
  ["swim-25-fin", 3],
  ["spa-5", 6],
  ["classes-10", 9],
  ["crossfit-unlimited", 5],
  ["day-pass", 4],
  ["climb-flex", 5],
  ["summer-season", 3],
  ["padel-150", 3],
];

/** Approximate validity length in days, to place purchases so most are current and some expired. */
const VALIDITY_DAYS: Record<string, number> = {
  premium: 31,
  "gym-annual": 365,
  "gym-offpeak-3m": 91,
  "swim-10": 182,
  "swim-25-fin": 365,
  "spa-5": 56,
  "classes-10": 91,
  "crossfit-unlimited": 31,
  "day-pass": 1,
  "climb-flex": 61,
  "summer-season": 100,
  "padel-150": 365,
};

const FIRST = [
  "Ada",
  "Bruno",
  "Carla",
  "Dario",
  "Elena",
  "Fabio",
  "Giulia",
  "Luca",
  "Marta",
  "Nico",
  "Paola",
];
const LAST = ["Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti"];

const credits = new Map(SITE.products.map((p) => [p.id, p.credits]));
const targets = new Map(SITE.products.map((p) => [p.id, productVisitTargets(p.id)]));
const itemCost = new Map(
  SITE.products.flatMap((p) => p.items.map((i) => [`${p.id}/${i.accessType}`, i.credits] as const)),
);

/** The member's primary card number as stored: 10 digits, zero-padded (a bijection of `i`). */
export function primaryCard(i: number): string {
  return String((Math.imul(i, 0x9e3779b1) ^ 0x5bd1e995) >>> 0).padStart(10, "0");
}

/** The replacement card of a member whose primary card was lost (never collides with a primary). */
export function secondCard(i: number): string {
  return String(4_294_967_296 + (Math.imul(i, 0x85ebca6b) >>> 0));
}

/** A card number no member has (primary and second cards stay below 8.6e9). */
export function unknownCard(rng: Rng): string {
  return String(9_000_000_000 + rng.int(0, 999_999_999));
}

const iso = (ms: number) => new Date(ms).toISOString();
/** The local (Rome, UTC+1 in winter) calendar date of an instant: good enough for generated dates. */
const localDate = (ms: number) => new Date(ms + 3_600_000).toISOString().slice(0, 10);

/** Counts of what was generated, for the report. */
export interface GenStats {
  members: number;
  multipacks: number;
  ledger: number;
  bookings: number;
  heavy: number;
}

export function newStats(): GenStats {
  return { members: 0, multipacks: 0, ledger: 0, bookings: 0, heavy: 0 };
}

/** Member `i` of the data set with this seed. */
export function generateMember(seed: number, i: number, stats: GenStats): Record<string, unknown> {
  const rng = new Rng(seed, i);
  const id = `m-${i}`;
  const cards: Record<string, unknown>[] = [];
  const lost = rng.chance(0.02);
  const cardRoll = rng.float();
  cards.push({
    number: primaryCard(i),
    status: lost ? "lost" : cardRoll < 0.005 ? "blocked" : "active",
    ...(cardRoll > 0.99 ? { validTo: "2026-06-30" } : {}),
  });
  if (lost) cards.push({ number: secondCard(i), status: "active", validFrom: "2025-01-01" });

  const heavy = rng.chance(0.01);
  const count = heavy
    ? rng.int(1, 2)
    : rng.weighted([
        [1, 55],
        [2, 30],
        [3, 15],
      ] as const);
  const multipacks: Record<string, unknown>[] = [];
  let wantsFin = false;
  for (let j = 0; j < count; j++) {
    const product = heavy && j === 0 ? "gym-annual" : rng.weighted(PRODUCT_MIX);
    if (product === "swim-25-fin") wantsFin = true;
    multipacks.push(multipack(rng, i, j, product, heavy && j === 0, stats));
  }
  const cardModels =
    (wantsFin && rng.chance(0.8)) || rng.chance(0.03)
      ? [{ model: "fin-2026", validFrom: "2026-01-01", validTo: "2026-12-31" }]
      : [];

  const bookings: Record<string, unknown>[] = [];
  if (rng.chance(0.15)) {
    const n = rng.int(1, 3);
    for (let k = 0; k < n; k++) {
      const day = rng.int(-3, 6);
      const start = WEEK_START + day * DAY + rng.int(7, 20) * 3_600_000;
      bookings.push({
        id: `bk-${i}-${k}`,
        area: rng.chance(0.6) ? "studio-1" : "studio-2",
        start: iso(start),
        end: iso(start + 3_600_000),
      });
    }
  }
  const blockFrom = NOW - rng.int(1, 60) * DAY;
  const blocks = rng.chance(0.01)
    ? [
        {
          reason: rng.chance(0.7) ? "debt" : "medical-certificate",
          from: localDate(blockFrom),
          ...(rng.chance(0.5) ? { to: localDate(blockFrom + rng.int(0, 60) * DAY) } : {}),
          message: "Please see reception",
        },
      ]
    : [];

  stats.members++;
  stats.multipacks += multipacks.length;
  stats.bookings += bookings.length;
  if (heavy) stats.heavy++;
  return {
    id,
    name: `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
    homeSite: "rome-center",
    cards,
    cardModels,
    multipacks,
    bookings,
    blocks,
  };
}

function multipack(
  rng: Rng,
  i: number,
  j: number,
  product: string,
  heavy: boolean,
  stats: GenStats,
): Record<string, unknown> {
  const validity = VALIDITY_DAYS[product] ?? 30;
  // Most multipacks are current, ~15% expired, a few bought for later this week.
  let ageDays = rng.float() * validity * 1.18;
  if (heavy) ageDays = rng.int(280, 360);
  else if (rng.chance(0.03)) ageDays = -rng.float() * 3;
  if (product === "summer-season") ageDays = rng.int(100, 190);
  const purchasedAt = Math.floor((NOW - ageDays * DAY) / 60_000) * 60_000;
  const mp: Record<string, unknown> = {
    id: `mp-${i}-${j}`,
    product,
    purchasedAt: iso(purchasedAt),
    status: rng.chance(0.03) ? "stored" : "active",
  };
  const total = credits.get(product) ?? 0;
  if (total > 0 && rng.chance(0.05)) mp.creditsTotal = total + 5;
  if (rng.chance(0.04)) mp.validUntil = localDate(NOW + rng.int(-20, 60) * DAY);
  if (rng.chance(0.03)) {
    const from = purchasedAt + rng.int(0, Math.max(1, Math.floor(validity / 2))) * DAY;
    mp.suspensions = [{ from: localDate(from), to: localDate(from + rng.int(6, 20) * DAY) }];
  }

  const ledger: Record<string, unknown>[] = [];
  const where = targets.get(product) ?? [];
  const end = Math.min(NOW, purchasedAt + validity * DAY);
  const span = Math.max(0, end - purchasedAt);
  let uses = 0;
  if (span > 0 && where.length > 0) {
    if (heavy) uses = rng.int(150, 400);
    else if (total > 0) uses = rng.chance(0.1) ? total : rng.int(0, Math.min(total, 12));
    else uses = rng.int(0, 12);
  }
  const times: number[] = [];
  for (let k = 0; k < uses; k++) times.push(purchasedAt + Math.floor(rng.float() * span));
  times.sort((a, b) => a - b);
  let used = 0;
  for (let k = 0; k < times.length; k++) {
    const t = rng.pick(where);
    const cost = total > 0 ? (itemCost.get(`${product}/${t.accessType}`) ?? 1) : 0;
    const cap = (mp.creditsTotal as number | undefined) ?? total;
    if (total > 0 && used + cost > cap) break;
    used += cost;
    const e: Record<string, unknown> = {
      id: `srv:${i}:${j}:${k}`,
      amount: cost,
      at: iso(times[k] as number),
    };
    if (rng.chance(0.95)) {
      e.area = t.area;
      e.accessType = t.accessType;
    }
    ledger.push(e);
  }
  if (total > 0 && rng.chance(0.03))
    ledger.push({ id: `srv:${i}:${j}:r`, amount: -1, at: iso(end), kind: "refund" });
  if (total > 0 && rng.chance(0.02))
    ledger.push({ id: `srv:${i}:${j}:a`, amount: 5, at: iso(end), kind: "addition" });
  if (ledger.length > 0) mp.ledger = ledger;
  stats.ledger += ledger.length;
  return mp;
}
