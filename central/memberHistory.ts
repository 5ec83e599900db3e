/**
 * sync.md "Sites with several gateways" at the central: every grant with a member that the central
 * stores is folded into the `movements` table, from which the member's `visits` (R5, R7, R8; undone
 * ones marked, sticky) and `presence` (R11, R12: the latest movement per area of this site that was
 * not undone) are read, by member, for its published document.
 */
import type { Presence, Visit } from "../config/members.js";
import { type DecisionEvent, isDecision, type SyncEvent } from "../config/protocol/events.js";
import type { CentralStore } from "./centralStore.js";

/** doors.md D2: a grant counts for nothing when its door did not open or no passage followed it. */
export function isUndone(e: DecisionEvent): boolean {
  return e.relayFailed || e.passed === false;
}

/**
 * Folds a decision into its member's movements (`site`: null for this site's own gateways, else the
 * chain site it was relayed from). A grant with a member is stored once by event id; a copy that
 * undoes it marks it undone, and no later copy makes it count again. Returns the member whose
 * history changed, or null (not a grant with a member, or nothing new).
 */
export function foldDecision(store: CentralStore, e: DecisionEvent, site: string | null): string | null {
  if (e.decision !== "grant" || e.memberId === null) return null;
  // The same grants the gateway records as visits (gateway/store/events.ts recordDecision).
  const visit = e.reason === "ok" && e.direction === "in";
  const r = store
    .prepare(
      `INSERT INTO movements (id, member_id, site, at, at_ms, area, direction, visit, access_type,
         multipack, product, credits, undone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET undone = 1 WHERE excluded.undone = 1 AND movements.undone = 0`,
    )
    .run(
      e.id,
      e.memberId,
      site,
      e.at,
      Date.parse(e.at),
      e.area,
      e.direction,
      visit ? 1 : 0,
      e.accessTypeId,
      e.multipackId,
      e.productId,
      e.creditsDeducted,
      isUndone(e) ? 1 : 0,
    );
  return r.changes > 0 ? e.memberId : null;
}

interface VisitRow {
  id: string;
  site: string | null;
  at: string;
  area: string;
  access_type: string | null;
  multipack: string | null;
  product: string | null;
  credits: number;
  undone: number;
}

/** The member's counted visits at every site, by instant then id; `ownSite` names this site's. */
export function memberVisits(store: CentralStore, memberId: string, ownSite: string): Visit[] {
  const rows = store
    .prepare(
      `SELECT id, site, at, area, access_type, multipack, product, credits, undone FROM movements
       WHERE member_id = ? AND visit = 1 ORDER BY at_ms, id`,
    )
    .all(memberId) as VisitRow[];
  return rows.map((r) => ({
    id: r.id,
    site: r.site ?? ownSite,
    at: r.at,
    area: r.area,
    accessType: r.access_type,
    multipack: r.multipack,
    product: r.product,
    credits: r.credits,
    undone: r.undone === 1,
  }));
}

/**
 * R11, R12: per area of this site (relayed movements are another site's areas), the member's latest
 * movement that was not undone, by area. When the latest was undone, the one before it counts; an
 * equal instant goes to the one stored last, as the gateway keeps the later-recorded movement.
 */
export function memberPresence(store: CentralStore, memberId: string): Presence[] {
  return store
    .prepare(
      `SELECT area, direction, at, id AS eventId FROM (
         SELECT area, direction, at, id,
                row_number() OVER (PARTITION BY area ORDER BY at_ms DESC, rowid DESC) AS n
         FROM movements WHERE member_id = ? AND site IS NULL AND undone = 0)
       WHERE n = 1 ORDER BY area`,
    )
    .all(memberId) as Presence[];
}

/**
 * Folds every stored event into the movements, once, for a store from before them (migration 3 asks
 * with the meta key `refold`). Returns true when it did, so that every document is refreshed.
 */
export function takeRefold(store: CentralStore): boolean {
  if (store.meta("refold") === undefined) return false;
  // In pages: the connection cannot write while a statement is still iterating.
  const page = store.prepare(
    "SELECT rowid, doc, site, relay_failed FROM events WHERE rowid > ? ORDER BY rowid LIMIT 1000",
  );
  let after = 0;
  for (;;) {
    const rows = page.all(after) as {
      rowid: number;
      doc: string;
      site: string | null;
      relay_failed: number;
    }[];
    if (rows.length === 0) break;
    for (const r of rows) {
      const e = JSON.parse(r.doc) as SyncEvent;
      // relay_failed is the sticky column: a stored copy never loses it.
      if (isDecision(e))
        foldDecision(store, { ...e, relayFailed: e.relayFailed || r.relay_failed === 1 }, r.site);
    }
    after = (rows.at(-1) as { rowid: number }).rowid;
  }
  store.prepare("DELETE FROM meta WHERE key = 'refold'").run();
  return true;
}
