/**
 * sync.md "Sites with several gateways": a member document's `visits` and `presence` merged into the
 * cache, so that limits, allowances, the deduction interval (R5, R7, R8), anti-passback and capacity
 * (R11, R12) count what every gateway of the site did, and R20 what the chain's other sites did. A
 * document replaces what the cache holds except this gateway's own visits and movements that no
 * document has listed yet. A document without `visits` or `presence` (an older central) leaves that
 * part as it was.
 */
import type { Member, Presence, Visit } from "../../config/members.js";
import type { Store } from "./db.js";
import { type PackedVisit, readVisits, writeVisits } from "./packedHistory.js";

/** Merges the document's visits and presence, when it has them, into the cache (inside the caller's transaction). */
export function mergeMemberHistory(store: Store, m: Member, isNew: boolean): void {
  if (m.visits !== undefined) mergeVisits(store, m.id, m.visits, store.siteConfig()?.site.id, isNew);
  if (m.presence !== undefined) mergePresence(store, m.id, m.presence, isNew);
}

/**
 * sync.md merging: the document's visits replace the stored ones, merged by id, except this
 * gateway's own visits the document does not list yet (not echoed: kept). `undone` is sticky both
 * ways: a visit undone here stays undone whatever the document says, and one the document marks
 * undone is undone here. R20: a visit at `siteId` is stored without a site (this gateway's own).
 */
export function mergeVisits(
  store: Store,
  memberId: string,
  visits: Visit[],
  siteId: string | undefined,
  isNew = false,
): void {
  const listed = byId(visits);
  const undoneHere = new Set<string>();
  // A listed visit is written again (its time may have moved); an own one not yet listed stays.
  const kept = isNew
    ? []
    : readVisits(store, memberId).filter((s) => {
        const inDocument = listed.has(s.id);
        if (inDocument && s.undone) undoneHere.add(s.id);
        return !inDocument && s.local;
      });
  if (isNew && listed.size === 0) return;
  const written = [...listed.values()].map(
    (v): PackedVisit => ({
      id: v.id,
      at: Date.parse(v.at),
      multipack: v.multipack,
      product: v.product,
      accessType: v.accessType,
      area: v.area,
      credits: v.credits,
      site: v.site === siteId ? null : v.site,
      undone: v.undone || undoneHere.has(v.id),
      local: false,
    }),
  );
  // The kept visits are not listed, so no id is written twice.
  writeVisits(store, memberId, [...kept, ...written]);
}

/** A document's visits by id; an id listed twice is one visit, undone when either copy says so. */
function byId(visits: Visit[]): Map<string, Visit> {
  const out = new Map<string, Visit>();
  for (const v of visits) {
    const first = out.get(v.id);
    if (first === undefined) out.set(v.id, v);
    else if (v.undone && !first.undone) out.set(v.id, { ...first, undone: true });
  }
  return out;
}

interface StoredPresence {
  area: string;
  last_at: number;
  last_in_at: number | null;
  event_id: string | null;
  local: number;
}

/**
 * sync.md merging, per area: this gateway's own movement is kept when it is newer than the
 * document's entry (or the document lists no entry for the area) and was not undone; otherwise
 * the document's entry wins, even when it is older: that is how a movement undone at another
 * gateway is taken back. An area the document does not list keeps only such an own movement.
 */
export function mergePresence(store: Store, memberId: string, presence: Presence[], isNew = false): void {
  const listed = latestByArea(presence);
  const lastIn = new Map<string, number | null>();
  if (!isNew) {
    const stored = store
      .prepare("SELECT area, last_at, last_in_at, event_id, local FROM presence WHERE member_id = ?")
      .all(memberId) as StoredPresence[];
    const remove = store.prepare("DELETE FROM presence WHERE member_id = ? AND area = ?");
    for (const s of stored) {
      const d = listed.get(s.area);
      const ownNewer =
        s.local === 1 && (d === undefined || s.last_at > Date.parse(d.at)) && !ownUndone(store, s.event_id);
      if (ownNewer) listed.delete(s.area);
      else if (d === undefined) remove.run(memberId, s.area);
      else lastIn.set(s.area, s.last_in_at);
    }
  }
  const upsert = store.prepare(
    `INSERT INTO presence (member_id, area, last_direction, last_at, last_in_at, event_id, local)
     VALUES (?, ?, ?, ?, ?, ?, 0)
     ON CONFLICT (member_id, area) DO UPDATE SET last_direction = excluded.last_direction,
       last_at = excluded.last_at, last_in_at = excluded.last_in_at, event_id = excluded.event_id, local = 0`,
  );
  for (const d of listed.values()) {
    const at = Date.parse(d.at);
    // R12 timed: after an exit, the last entry known here still counts when it came before the exit.
    const before = lastIn.get(d.area) ?? null;
    const lastInAt = d.direction === "in" ? at : before !== null && before <= at ? before : null;
    upsert.run(memberId, d.area, d.direction, at, lastInAt, d.eventId);
  }
}

/** A document's presence by area; an area listed twice keeps its latest movement. */
function latestByArea(presence: Presence[]): Map<string, Presence> {
  const out = new Map<string, Presence>();
  for (const p of presence) {
    const seen = out.get(p.area);
    if (seen === undefined || Date.parse(p.at) > Date.parse(seen.at)) out.set(p.area, p);
  }
  return out;
}

/**
 * Whether this gateway's event of an own movement was undone (doors.md D2: its door did not open,
 * or nobody went through). An undone entry's presence is put back when it is undone; an undone
 * exit leaves it, so the event says.
 */
function ownUndone(store: Store, eventId: string | null): boolean {
  if (eventId === null) return false;
  return (
    store
      .prepare(
        `SELECT 1 FROM events WHERE id = ?
         AND (json_extract(doc, '$.relayFailed') = 1 OR json_extract(doc, '$.passed') = 0)`,
      )
      .get(eventId) !== undefined
  );
}
