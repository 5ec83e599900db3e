/**
 * A member as the cache holds it and as a new document gives it, in one comparable shape (for the
 * changes of an import or a sync, issue 10 §7). The stored one is read in a single statement: an
 * import calls it once per member, and a bulk import is dominated by the number of statement calls.
 */
import { createHash } from "node:crypto";
import type { Member } from "../../config/members.js";
import type { Change } from "./changeSet.js";
import type { Store } from "./db.js";
import { diffRecord } from "./recordDiff.js";

type Doc = Record<string, unknown>;

/** The whole member in one row: its own fields, then each list as a JSON array of arrays. */
const STORED_MEMBER = `SELECT m.name, m.home_site, m.card_models, m.codes, m.locale, m.lockdown_access, m.pin_hash,
  (SELECT json_group_array(json_array(number, status, valid_from, valid_to)) FROM cards WHERE member_id = m.id) AS cards,
  (SELECT json_group_array(json_array(reason, date_from, date_to, message)) FROM blocks WHERE member_id = m.id) AS blocks,
  (SELECT json_group_array(json_array(id, area, start_at, end_at)) FROM bookings WHERE member_id = m.id) AS bookings,
  (SELECT json_group_array(json_array(id, product_id, purchased_at, valid_from, valid_until, credits_base, status, json(suspensions)))
     FROM multipacks WHERE member_id = m.id) AS multipacks
  FROM members m WHERE m.id = ?`;

interface Row {
  name: string | null;
  home_site: string | null;
  card_models: string;
  codes: string;
  locale: string | null;
  lockdown_access: number;
  pin_hash: string | null;
  cards: string;
  blocks: string;
  bookings: string;
  multipacks: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const rows = (json: string) => JSON.parse(json) as unknown[][];

/**
 * R21: a PIN hash as a change report shows it: "set" and a short fingerprint, so a new PIN is seen
 * as a change while the hash itself never reaches a report or a log; null when no PIN is set.
 */
function pinMark(pinHash: string | null): string | null {
  if (pinHash === null) return null;
  return `set #${createHash("sha256").update(pinHash).digest("hex").slice(0, 8)}`;
}

/** The stored member in the shape of `memberShape`, or undefined when the cache has no such member. */
export function storedMember(store: Store, id: string): Doc | undefined {
  const r = store.prepare(STORED_MEMBER).get(id) as Row | undefined;
  if (r === undefined) return undefined;
  return {
    name: r.name,
    homeSite: r.home_site,
    codes: JSON.parse(r.codes) as string[],
    locale: r.locale,
    lockdownAccess: r.lockdown_access === 1,
    pin: pinMark(r.pin_hash),
    cards: rows(r.cards).map(([number, status, validFrom, validTo]) => ({
      number,
      status,
      validFrom,
      validTo,
    })),
    cardModels: (JSON.parse(r.card_models) as Doc[]).map((c) => ({
      model: c.model,
      validFrom: c.validFrom ?? null,
      validTo: c.validTo ?? null,
    })),
    multipacks: rows(r.multipacks).map(
      ([mpId, product, at, validFrom, validUntil, total, status, suspensions]) => ({
        id: mpId,
        product,
        purchasedAt: iso(at as number),
        validFrom,
        validUntil,
        creditsTotal: total,
        status,
        suspensions,
      }),
    ),
    bookings: rows(r.bookings).map(([bId, area, start, end]) => ({
      id: bId,
      area,
      start: iso(start as number),
      end: iso(end as number),
    })),
    blocks: rows(r.blocks).map(([reason, from, to, message]) => ({ reason, from, to, message })),
  };
}

/** A member document in the shape `storedMember` reads: what the cache keeps of it, absent fields null. */
export function memberShape(m: Member): Doc {
  return {
    name: m.name ?? null,
    homeSite: m.homeSite ?? null,
    codes: m.codes,
    locale: m.locale ?? null,
    lockdownAccess: m.lockdownAccess,
    pin: pinMark(m.pinHash ?? null),
    cards: m.cards.map((c) => ({
      number: c.number,
      status: c.status,
      validFrom: c.validFrom ?? null,
      validTo: c.validTo ?? null,
    })),
    cardModels: m.cardModels.map((c) => ({
      model: c.model,
      validFrom: c.validFrom ?? null,
      validTo: c.validTo ?? null,
    })),
    multipacks: m.multipacks.map((p) => ({
      id: p.id,
      product: p.product,
      purchasedAt: iso(Date.parse(p.purchasedAt)),
      validFrom: p.validFrom ?? null,
      validUntil: p.validUntil ?? null,
      creditsTotal: p.creditsTotal ?? null,
      status: p.status,
      suspensions: p.suspensions,
    })),
    bookings: m.bookings.map((b) => ({
      id: b.id,
      area: b.area,
      start: iso(Date.parse(b.start)),
      end: iso(Date.parse(b.end)),
    })),
    blocks: m.blocks.map((b) => ({
      reason: b.reason,
      from: b.from,
      to: b.to ?? null,
      message: b.message ?? null,
    })),
  };
}

/** What a member document changes against the cache: added, or its changes (none: the same). */
export function memberChanges(store: Store, m: Member): Change[] {
  const before = storedMember(store, m.id);
  return before === undefined
    ? [{ kind: "members", id: m.id, op: "added" }]
    : diffRecord("members", m.id, before, memberShape(m));
}
