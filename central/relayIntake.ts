/**
 * A chain (sync.md "Sites with several gateways", R20): decision events of another site of the
 * chain, relayed to this central so that their visits and ledger entries reach this site's gateways.
 * Stored like this site's own events (by id, settled copies replacing, ledger entries merged by id)
 * but with their `site`, under no watermark and never acked (their own central acks them); their
 * visits are folded, their movements give no presence (areas are per site).
 */
import { AccessGwError } from "../config/errors.js";
import { type DecisionEvent, isDecision, type SyncEvent } from "../config/protocol/events.js";
import type { CentralStore } from "./centralStore.js";
import { newTally, takeEvent } from "./eventIntake.js";
import type { KnownIds } from "./memberDocs.js";
import { commitRevs, type MessageLimits, refreshDoc } from "./memberStore.js";

/** What storing one batch of relayed events did. */
export interface RelayOutcome {
  /** Events new to this central. */
  stored: number;
  /** Events it already had, unchanged. */
  duplicates: number;
  /** Events stored again because a copy settled them (relay failure, passage: D2). */
  replaced: number;
  /** Ledger entries new to this central; of those, entries for multipacks the files do not have. */
  entries: number;
  unknownEntries: number;
  /** Events refused: this central holds another event under the same gateway and seq. */
  conflicts: string[];
  /** Members whose published document changed, and the revisions they were given. */
  changed: string[];
  revs: number[];
}

/** The gateway of an event id `gatewayId:seq` (gateway ids may hold `:` themselves). */
function gatewayOf(e: DecisionEvent): string {
  const colon = e.id.lastIndexOf(":");
  return colon > 0 ? e.id.slice(0, colon) : e.id;
}

/**
 * Stores decision events made at `siteId`, another site of this central's chain, in one
 * transaction; see the file comment. Throws AccessGwError USAGE when `siteId` is this site.
 */
export function storeRelayedEvents(
  store: CentralStore,
  siteId: string,
  events: readonly DecisionEvent[],
  now: number,
  known: KnownIds,
  limits: MessageLimits,
): RelayOutcome {
  if (siteId === known.site)
    throw new AccessGwError(
      "USAGE",
      `relayed events must come from another site than this one ("${siteId}")`,
    );
  return store.transaction(() => {
    const tally = newTally();
    const conflicts: string[] = [];
    const holder = store.prepare("SELECT id FROM events WHERE gateway_id = ? AND seq = ?").pluck();
    for (const e of events) {
      const gatewayId = gatewayOf(e);
      const held = holder.get(gatewayId, e.seq) as string | undefined;
      // Gateway ids are unique across a chain (they share the broker's P/gateways/G topics): a
      // different event under the same gateway and seq is refused rather than overwriting one.
      if (held !== undefined && held !== e.id) conflicts.push(e.id);
      else takeEvent(store, e, { gatewayId, site: siteId }, now, tally);
    }
    const changed = [...tally.touched].sort().filter((id) => refreshDoc(store, id, known));
    const revs = commitRevs(store, changed, [], limits);
    const { stored, duplicates, replaced, entries, unknownEntries } = tally;
    return { stored, duplicates, replaced, entries, unknownEntries, conflicts, changed, revs };
  });
}

/**
 * A page of this site's own decisions (`events.site` null) after the row `after`, in storing order:
 * what the chain hands the other sites again at start, as a relay cut short by a stop is not lost.
 */
export function ownDecisions(
  store: CentralStore,
  after: number,
  limit: number,
): { events: DecisionEvent[]; last: number } {
  const rows = store
    .prepare("SELECT rowid AS row, doc FROM events WHERE site IS NULL AND rowid > ? ORDER BY rowid LIMIT ?")
    .all(after, limit) as { row: number; doc: string }[];
  const events = rows.map((r) => JSON.parse(r.doc) as SyncEvent).filter(isDecision);
  return { events, last: rows.at(-1)?.row ?? after };
}
