/**
 * A chain (sync.md "Sites with several gateways", R20): the decisions another site's gateways made,
 * relayed by the chain (central/chain.ts) and stored here as events of that site (`events.site`), so
 * that their ledger entries — a multipack used at two sites — reach this site's gateways in the
 * member documents. Stored idempotently by event id, settled copies replacing (as eventIntake.ts);
 * never under this site's watermarks: only a gateway's own site acks its events.
 *
 * The chain helper's version (issue 12): ledger entries only; the visits of relayed decisions are
 * folded by the central-fold slice, which the lead reconciles with this file at merge.
 */
import { type DecisionEvent, isDecision, type SyncEvent } from "../config/protocol/events.js";
import type { InboundContext } from "./centralInbound.js";
import type { CentralStore } from "./centralStore.js";
import { settles } from "./eventIntake.js";
import { type KnownIds, knownIds } from "./memberDocs.js";
import { commitRevs, type MessageLimits, multipackOwner, refreshDoc } from "./memberStore.js";

/** What storing one relayed batch did. */
export interface RelayOutcome {
  /** Events new here, and events stored again because the copy settled them (D2, relay failure). */
  stored: number;
  replaced: number;
  duplicates: number;
  /** Ledger entries new here. */
  entries: number;
  /** Members whose published document changed, and the revisions they were given. */
  changed: string[];
  revs: number[];
}

/** The gateway of an event id `gatewayId:seq`; the whole id when it is not of that form. */
function gatewayOf(e: DecisionEvent): string {
  const tail = `:${e.seq}`;
  return e.id.endsWith(tail) && e.id.length > tail.length ? e.id.slice(0, -tail.length) : e.id;
}

/** Stores decisions relayed from `siteId` in one transaction; see the file comment. */
export function storeRelayedEvents(
  store: CentralStore,
  siteId: string,
  events: readonly DecisionEvent[],
  now: number,
  known: KnownIds,
  limits: MessageLimits,
): RelayOutcome {
  return store.transaction(() => {
    const out: RelayOutcome = { stored: 0, replaced: 0, duplicates: 0, entries: 0, changed: [], revs: [] };
    const touched = new Set<string>();
    const stored = store.prepare("SELECT relay_failed, doc FROM events WHERE id = ?");
    const insert = store.prepare(
      `INSERT INTO events (id, gateway_id, seq, relay_failed, doc, received_at, site) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const replace = store.prepare(
      "UPDATE events SET relay_failed = ?, doc = ?, received_at = ? WHERE id = ?",
    );
    const entry = store.prepare(
      `INSERT INTO ledger (id, multipack_id, member_id, gateway_id, entry, received_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    );
    for (const e of events) {
      const before = stored.get(e.id) as { relay_failed: number; doc: string } | undefined;
      const gatewayId = gatewayOf(e);
      if (before === undefined) {
        insert.run(e.id, gatewayId, e.seq, e.relayFailed ? 1 : 0, JSON.stringify(e), now, siteId);
        out.stored++;
      } else if (settles(before, e)) {
        replace.run(before.relay_failed === 1 || e.relayFailed ? 1 : 0, JSON.stringify(e), now, e.id);
        out.replaced++;
      } else out.duplicates++;
      for (const l of e.ledger) {
        // R16 across sites: merged by entry id, folded into the multipack's owner here (if any).
        const owner = multipackOwner(store, l.multipackId);
        if (
          entry.run(l.id, l.multipackId, owner ?? e.memberId, gatewayId, JSON.stringify(l), now).changes === 0
        )
          continue;
        out.entries++;
        if (owner !== undefined) touched.add(owner);
      }
    }
    out.changed = [...touched].sort().filter((id) => refreshDoc(store, id, known));
    out.revs = commitRevs(store, out.changed, [], limits);
    return out;
  });
}

/**
 * `Central.takeRelayed`: stores a relayed batch, logs and counts it, and publishes the members it
 * changed as the next revision on this site's topics. Runs on the central's work queue.
 */
export async function takeRelayedEvents(
  ctx: InboundContext,
  siteId: string,
  events: readonly DecisionEvent[],
): Promise<void> {
  if (siteId === ctx.siteId || events.length === 0) return;
  const out = storeRelayedEvents(ctx.store, siteId, events, ctx.clock(), knownIds(ctx.config()), ctx.limits);
  ctx.counters.eventsRelayed += out.stored + out.replaced;
  if (out.stored + out.replaced > 0)
    ctx.logger.info(
      {
        fromSite: siteId,
        events: events.length,
        stored: out.stored,
        replaced: out.replaced,
        ledgerEntries: out.entries,
        changedMembers: out.changed.length,
      },
      "relayed events stored",
    );
  await ctx.publisher.pendingChanges();
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
