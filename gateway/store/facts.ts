import type Database from "better-sqlite3";
import type { Block, MemberCardModel, Suspension } from "../../config/members.js";
import type {
  BookingFact,
  CardFact,
  MemberFact,
  MultipackFact,
  PresenceFact,
  SiteModel,
  VisitFact,
} from "../engine/types.js";
import type { Store } from "./db.js";
import { readVisits } from "./packedHistory.js";

/*
 * Performance: a decision runs the queries below once each, so their cost is most of what a
 * decision costs beyond the engine. Rows are read as arrays (`raw`), which spares better-sqlite3
 * building an object per row that would only be copied into a fact.
 */
const rawStatements = new WeakMap<Store, Map<string, Database.Statement>>();

/** A prepared statement of this store that returns rows as arrays of column values. */
function raw(store: Store, sql: string): Database.Statement {
  let map = rawStatements.get(store);
  if (!map) {
    map = new Map();
    rawStatements.set(store, map);
  }
  let s = map.get(sql);
  if (!s) {
    s = store.db.prepare(sql).raw(true);
    map.set(sql, s);
  }
  return s;
}

/** R1: the card with this canonical number, or null. */
export function findCard(store: Store, canonical: string): CardFact | null {
  const r = raw(
    store,
    "SELECT canonical, status, valid_from, valid_to, member_id FROM cards WHERE canonical = ?",
  ).get(canonical) as [string, CardFact["status"], string | null, string | null, string] | undefined;
  return r ? { number: r[0], status: r[1], validFrom: r[2], validTo: r[3], memberId: r[4] } : null;
}

/**
 * R1: the card with this canonical number and its member (blocks, bookings that may still matter
 * at `now`), read together: what `findCard` then `loadMember` give, with one lookup fewer.
 */
export function loadHolder(
  store: Store,
  canonical: string,
  now: number,
  earlyMs: number,
): { card: CardFact | null; member: MemberFact | null } {
  const r = raw(
    store,
    `SELECT c.canonical, c.status, c.valid_from, c.valid_to, c.member_id, m.id, m.name, m.card_models, m.codes, m.locale, m.lockdown_access, m.home_site, m.probes
     FROM cards c LEFT JOIN members m ON m.id = c.member_id WHERE c.canonical = ?`,
  ).get(canonical) as
    | [
        string,
        CardFact["status"],
        string | null,
        string | null,
        string,
        string | null,
        string | null,
        string,
        string,
        string | null,
        number,
        string | null,
        number,
      ]
    | undefined;
  if (!r) return { card: null, member: null };
  const card: CardFact = { number: r[0], status: r[1], validFrom: r[2], validTo: r[3], memberId: r[4] };
  if (r[5] === null) return { card, member: null };
  return {
    card,
    member: memberFact(store, [r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12]], now, earlyMs),
  };
}

/** The member's own record, blocks and the bookings that may still matter at `now`. */
export function loadMember(store: Store, memberId: string, now: number, earlyMs: number): MemberFact | null {
  const m = raw(
    store,
    "SELECT id, name, card_models, codes, locale, lockdown_access, home_site, probes FROM members WHERE id = ?",
  ).get(memberId) as MemberRow | undefined;
  return m ? memberFact(store, m, now, earlyMs) : null;
}

/**
 * A members row: id, name, card models and (R19) codes as JSON arrays, (D6) the locale, (D3)
 * lockdown access 0 or 1, (R20) the home site, and which of blocks (1) and bookings (2) it may have.
 */
type MemberRow = [
  id: string,
  name: string | null,
  cardModels: string,
  codes: string,
  locale: string | null,
  lockdown: number,
  homeSite: string | null,
  probes: number,
];

function memberFact(
  store: Store,
  [id, name, cardModels, codes, locale, lockdown, homeSite, probes]: MemberRow,
  now: number,
  earlyMs: number,
): MemberFact {
  // Migration 15: a member without blocks (R1) or bookings (R10) skips that B-tree's read.
  const blockRows = (
    probes & 1
      ? raw(
          store,
          "SELECT reason, date_from, date_to, message FROM blocks WHERE member_id = ? ORDER BY pos",
        ).all(id)
      : []
  ) as [string, string, string | null, string | null][];
  const blocks = blockRows.map(
    (b): Block => ({ reason: b[0], from: b[1], to: b[2] ?? undefined, message: b[3] ?? undefined }),
  );
  const bookingRows = (
    probes & 2
      ? raw(
          store,
          "SELECT id, area, start_at, end_at FROM bookings WHERE member_id = ? AND end_at > ? AND start_at <= ?",
        ).all(id, now, now + earlyMs)
      : []
  ) as [string, string, number, number][];
  const bookings = bookingRows.map((b): BookingFact => ({ id: b[0], area: b[1], start: b[2], end: b[3] }));
  return {
    id,
    name,
    homeSite,
    codes: JSON.parse(codes) as string[],
    locale,
    cardModels: JSON.parse(cardModels) as MemberCardModel[],
    blocks,
    bookings,
    lockdownAccess: lockdown === 1,
  };
}

type MultipackRow = [
  id: string,
  productId: string,
  purchasedAt: number,
  validFrom: string | null,
  validUntil: string | null,
  creditsBase: number | null,
  status: "active" | "stored",
  suspensions: string,
  firstUseAt: number | null,
  used: number,
  added: number,
];

/** The member's multipacks with their running credit totals (R16), oldest purchase first. */
export function loadMultipacks(store: Store, site: SiteModel, memberId: string): MultipackFact[] {
  const rows = raw(
    store,
    `SELECT id, product_id, purchased_at, valid_from, valid_until, credits_base, status, suspensions,
       first_use_at, used, added
     FROM multipacks WHERE member_id = ? ORDER BY purchased_at, id`,
  ).all(memberId) as MultipackRow[];
  return rows.map((r) => ({
    id: r[0],
    productId: r[1],
    purchasedAt: r[2],
    validFrom: r[3],
    validUntil: r[4],
    creditsTotal: (r[5] ?? site.products.get(r[1])?.credits ?? 0) + r[10],
    used: r[9],
    status: r[6],
    suspensions: JSON.parse(r[7]) as Suspension[],
    firstUseAt: r[8],
  }));
}

/**
 * Counted visits of the member from `since` on (the history the rules need, nothing older), at any
 * gateway of the site and, for a chain, at its other sites. R20: a visit without a site of its own
 * was made at this gateway's site, `siteId`. An undone visit counts for nothing (sync.md).
 */
export function loadVisits(store: Store, memberId: string, since: number, siteId: string): VisitFact[] {
  // Migration 16: one packed value per member, newest first; decoding stops before `since`.
  const out: VisitFact[] = [];
  for (const v of readVisits(store, memberId, since).reverse())
    if (!v.undone)
      out.push({
        id: v.id,
        multipackId: v.multipack,
        productId: v.product,
        accessTypeId: v.accessType,
        area: v.area,
        site: v.site ?? siteId,
        at: v.at,
        credits: v.credits,
      });
  return out;
}

/** R12: the member's last movement in an area. */
export function loadPresence(store: Store, memberId: string, area: string): PresenceFact | null {
  const r = raw(
    store,
    "SELECT last_direction, last_at, last_in_at FROM presence WHERE member_id = ? AND area = ?",
  ).get(memberId, area) as ["in" | "out", number, number | null] | undefined;
  return r ? { lastDirection: r[0], lastAt: r[1], lastInAt: r[2] } : null;
}

/**
 * R12: other members whose last movement today (from `startOfDay` to `now`) in the area was an
 * entry, by any gateway of the site (movements merged from member documents, sync.md).
 */
export function countPresent(
  store: Store,
  area: string,
  startOfDay: number,
  now: number,
  exceptMember: string,
): number {
  const r = store
    .prepare(
      `SELECT count(*) AS n FROM presence
       WHERE area = ? AND last_direction = 'in' AND last_at >= ? AND last_at <= ? AND member_id <> ?`,
    )
    .get(area, startOfDay, now, exceptMember) as { n: number };
  return r.n;
}

/** Which member owns a multipack id, if any (import cross-checks). */
export function multipackOwner(store: Store, multipackId: string): string | undefined {
  const r = store.prepare("SELECT member_id FROM multipacks WHERE id = ?").get(multipackId) as
    | { member_id: string }
    | undefined;
  return r?.member_id;
}
