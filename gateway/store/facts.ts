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

/** R1: the card with this canonical number, or null. */
export function findCard(store: Store, canonical: string): CardFact | null {
  const r = store
    .prepare("SELECT canonical, status, valid_from, valid_to, member_id FROM cards WHERE canonical = ?")
    .get(canonical) as
    | {
        canonical: string;
        status: CardFact["status"];
        valid_from: string | null;
        valid_to: string | null;
        member_id: string;
      }
    | undefined;
  if (!r) return null;
  return {
    number: r.canonical,
    status: r.status,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    memberId: r.member_id,
  };
}

/** The member's own record, blocks and the bookings that may still matter at `now`. */
export function loadMember(store: Store, memberId: string, now: number, earlyMs: number): MemberFact | null {
  const m = store.prepare("SELECT id, name, card_models FROM members WHERE id = ?").get(memberId) as
    | { id: string; name: string | null; card_models: string }
    | undefined;
  if (!m) return null;
  const blocks = (
    store
      .prepare("SELECT reason, date_from, date_to, message FROM blocks WHERE member_id = ? ORDER BY pos")
      .all(memberId) as {
      reason: string;
      date_from: string;
      date_to: string | null;
      message: string | null;
    }[]
  ).map(
    (b): Block => ({
      reason: b.reason,
      from: b.date_from,
      to: b.date_to ?? undefined,
      message: b.message ?? undefined,
    }),
  );
  const bookings = (
    store
      .prepare(
        "SELECT id, area, start_at, end_at FROM bookings WHERE member_id = ? AND end_at > ? AND start_at <= ?",
      )
      .all(memberId, now, now + earlyMs) as { id: string; area: string; start_at: number; end_at: number }[]
  ).map((b): BookingFact => ({ id: b.id, area: b.area, start: b.start_at, end: b.end_at }));
  return {
    id: m.id,
    name: m.name,
    cardModels: JSON.parse(m.card_models) as MemberCardModel[],
    blocks,
    bookings,
  };
}

interface MultipackRow {
  id: string;
  product_id: string;
  purchased_at: number;
  valid_from: string | null;
  valid_until: string | null;
  credits_base: number | null;
  status: "active" | "stored";
  suspensions: string;
  first_use_at: number | null;
  used: number;
  added: number;
}

/** The member's multipacks with their running credit totals (R16), oldest purchase first. */
export function loadMultipacks(store: Store, site: SiteModel, memberId: string): MultipackFact[] {
  const rows = store
    .prepare("SELECT * FROM multipacks WHERE member_id = ? ORDER BY purchased_at, id")
    .all(memberId) as MultipackRow[];
  return rows.map((r) => ({
    id: r.id,
    productId: r.product_id,
    purchasedAt: r.purchased_at,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    creditsTotal: (r.credits_base ?? site.products.get(r.product_id)?.credits ?? 0) + r.added,
    used: r.used,
    status: r.status,
    suspensions: JSON.parse(r.suspensions) as Suspension[],
    firstUseAt: r.first_use_at,
  }));
}

/** Counted visits of the member from `since` on (the history the rules need, nothing older). */
export function loadVisits(store: Store, memberId: string, since: number): VisitFact[] {
  const rows = store
    .prepare(
      `SELECT id, multipack_id, product_id, access_type_id, area, at, credits FROM visits
       WHERE member_id = ? AND at >= ? ORDER BY at`,
    )
    .all(memberId, Number.isFinite(since) ? since : -8.64e15) as {
    id: string;
    multipack_id: string | null;
    product_id: string | null;
    access_type_id: string | null;
    area: string;
    at: number;
    credits: number;
  }[];
  return rows.map((r) => ({
    id: r.id,
    multipackId: r.multipack_id,
    productId: r.product_id,
    accessTypeId: r.access_type_id,
    area: r.area,
    at: r.at,
    credits: r.credits,
  }));
}

/** R12: the member's last movement in an area. */
export function loadPresence(store: Store, memberId: string, area: string): PresenceFact | null {
  const r = store
    .prepare("SELECT last_direction, last_at, last_in_at FROM presence WHERE member_id = ? AND area = ?")
    .get(memberId, area) as
    | { last_direction: "in" | "out"; last_at: number; last_in_at: number | null }
    | undefined;
  return r ? { lastDirection: r.last_direction, lastAt: r.last_at, lastInAt: r.last_in_at } : null;
}

/** R12: other members whose last movement today (from `startOfDay` to `now`) in the area was an entry. */
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
