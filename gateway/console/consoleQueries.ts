/**
 * The console's reads of the cache that no command-line verb makes: members found by name or card,
 * a member's cards, and who is present in an area (R12). Read-only, each one indexed query.
 */
import { canonicalCard } from "../../config/cardNumber.js";
import type { Store } from "../store/db.js";
import { findCard } from "../store/facts.js";

/** A member as the search lists them. */
export interface MemberHit {
  id: string;
  name: string | null;
}

/** How many members a search lists at most. */
export const SEARCH_LIMIT = 50;

/**
 * Members whose card is `text` (R1: in any of its written forms), or whose name or id contains it
 * (case-insensitive); the card's holder first.
 */
export function findMembers(store: Store, text: string): MemberHit[] {
  const hits: MemberHit[] = [];
  const card = findCard(store, canonicalCard(text));
  if (card) hits.push(memberHit(store, card.memberId));
  const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = store
    .prepare(
      `SELECT id, name FROM members WHERE name LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\' ORDER BY name, id LIMIT ?`,
    )
    .all(like, like, SEARCH_LIMIT) as MemberHit[];
  for (const row of rows) if (!hits.some((h) => h.id === row.id)) hits.push(row);
  return hits.slice(0, SEARCH_LIMIT);
}

/** One member's id and name (name null when the cache has none). */
function memberHit(store: Store, id: string): MemberHit {
  const row = store.prepare("SELECT id, name FROM members WHERE id = ?").get(id) as MemberHit | undefined;
  return row ?? { id, name: null };
}

/** A member's cards, as imported. */
export interface MemberCard {
  number: string;
  status: string;
  validFrom: string | null;
  validTo: string | null;
}

/** The member's cards, by number. */
export function memberCards(store: Store, memberId: string): MemberCard[] {
  return store
    .prepare(
      `SELECT number, status, valid_from AS validFrom, valid_to AS validTo
       FROM cards WHERE member_id = ? ORDER BY number`,
    )
    .all(memberId) as MemberCard[];
}

/** A member present in an area: since when (ms). */
export interface PresentMember extends MemberHit {
  since: number;
}

/**
 * R12: the members whose last movement in the area from `startOfDay` to `now` was an entry (the
 * count capacity is judged by), the latest entry first.
 */
export function presentMembers(store: Store, area: string, startOfDay: number, now: number): PresentMember[] {
  return store
    .prepare(
      `SELECT p.member_id AS id, m.name AS name, p.last_at AS since
       FROM presence p LEFT JOIN members m ON m.id = p.member_id
       WHERE p.area = ? AND p.last_direction = 'in' AND p.last_at >= ? AND p.last_at <= ?
       ORDER BY p.last_at DESC, p.member_id`,
    )
    .all(area, startOfDay, now) as PresentMember[];
}

/** The lowest seq among the events at or after `since` (ms), through the `at` index; null when none. */
export function firstSeqSince(store: Store, since: number): number | null {
  const row = store.prepare("SELECT min(seq) AS seq FROM events WHERE at >= ?").get(since) as {
    seq: number | null;
  };
  return row.seq;
}
