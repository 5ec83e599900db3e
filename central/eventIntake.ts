/**
 * sync.md "Events" at the central: a batch from one gateway is stored in one transaction —
 * idempotently by event id, ledger entries merged by id (R16), the gateway's watermark moved over
 * contiguous seqs, and the members whose published document changed given the next revision.
 */
import { type DecisionEvent, isDecision, type SyncEvent } from "../config/protocol/events.js";
import type { CentralStore } from "./centralStore.js";
import { advanceWatermark, watermark } from "./gatewayStore.js";
import type { KnownIds } from "./memberDocs.js";
import { commitRevs, type MessageLimits, multipackOwner, refreshDoc } from "./memberStore.js";

/** What storing one batch did. */
export interface IntakeOutcome {
  /** Events new to the central. */
  stored: number;
  /** Events it already had, unchanged (delivery is at least once). */
  duplicates: number;
  /** Events it had without `relayFailed` that came again with it (the door did not open). */
  replaced: number;
  /** Ledger entries new to the central. */
  entries: number;
  /** Of those, entries for a multipack the files do not have (kept, folded if it appears later). */
  unknownEntries: number;
  watermarkBefore: number;
  watermark: number;
  /** Members whose published document changed, and the revisions they were given. */
  changed: string[];
  revs: number[];
}

/** Stores a batch of events of `gatewayId` in one transaction; see the file comment. */
export function storeEvents(
  store: CentralStore,
  gatewayId: string,
  events: readonly SyncEvent[],
  now: number,
  known: KnownIds,
  limits: MessageLimits,
): IntakeOutcome {
  return store.transaction(() => {
    const out: IntakeOutcome = {
      stored: 0,
      duplicates: 0,
      replaced: 0,
      entries: 0,
      unknownEntries: 0,
      watermarkBefore: watermark(store, gatewayId),
      watermark: 0,
      changed: [],
      revs: [],
    };
    const touched = new Set<string>();
    const stored = store.prepare("SELECT relay_failed, doc FROM events WHERE id = ?");
    const insert = store.prepare(
      `INSERT INTO events (id, gateway_id, seq, relay_failed, doc, received_at) VALUES (?, ?, ?, ?, ?, ?)`,
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
      const relayFailed = isDecision(e) && e.relayFailed;
      if (before === undefined) {
        insert.run(e.id, gatewayId, e.seq, relayFailed ? 1 : 0, JSON.stringify(e), now);
        out.stored++;
      } else if (isDecision(e) && settles(before, e)) {
        // The door did not open, or the passage settled (D2): this copy carries the outcome (and
        // any refund). A late copy from before it never undoes it.
        replace.run(before.relay_failed === 1 || relayFailed ? 1 : 0, JSON.stringify(e), now, e.id);
        out.replaced++;
      } else out.duplicates++;
      if (!isDecision(e)) continue;
      for (const l of e.ledger) {
        const owner = multipackOwner(store, l.multipackId);
        const added = entry.run(l.id, l.multipackId, owner ?? e.memberId, gatewayId, JSON.stringify(l), now);
        if (added.changes === 0) continue;
        out.entries++;
        if (owner === undefined) out.unknownEntries++;
        else touched.add(owner);
      }
    }
    out.watermark = advanceWatermark(store, gatewayId);
    out.changed = [...touched].sort().filter((id) => refreshDoc(store, id, known));
    out.revs = commitRevs(store, out.changed, [], limits);
    return out;
  });
}

/**
 * Whether a copy of a stored decision settles it further: it came back relay-failed, or with its
 * passage decided (D2) where the stored copy still waited. Outcomes are final once stored.
 */
export function settles(before: { relay_failed: number; doc: string }, e: DecisionEvent): boolean {
  if (e.relayFailed && before.relay_failed === 0) return true;
  const storedPassed = (JSON.parse(before.doc) as { passed?: boolean | null }).passed ?? null;
  return storedPassed === null && e.passed !== null && before.relay_failed === 0;
}

/** Stored events, in gateway then seq order; of one gateway when `gatewayId` is given. */
export function storedEvents(store: CentralStore, gatewayId?: string): SyncEvent[] {
  const docs = (
    gatewayId === undefined
      ? store.prepare("SELECT doc FROM events ORDER BY gateway_id, seq").pluck().all()
      : store.prepare("SELECT doc FROM events WHERE gateway_id = ? ORDER BY seq").pluck().all(gatewayId)
  ) as string[];
  return docs.map((d) => JSON.parse(d) as SyncEvent);
}
