/**
 * sync.md "Events" at the central: a batch from one gateway is stored in one transaction —
 * idempotently by event id, ledger entries merged by id (R16), grants folded into their members'
 * visits and presence (memberHistory.ts), the gateway's watermark moved over contiguous seqs, and
 * the members whose published document changed given the next revision.
 */
import { type DecisionEvent, isDecision, type SyncEvent } from "../config/protocol/events.js";
import type { CentralStore } from "./centralStore.js";
import { advanceWatermark, watermark } from "./gatewayStore.js";
import type { KnownIds } from "./memberDocs.js";
import { foldDecision } from "./memberHistory.js";
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
  /** Decisions new to the central or settled by this batch (what a chain relays to its other sites). */
  decisions: DecisionEvent[];
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
    const before = watermark(store, gatewayId);
    const tally = newTally();
    for (const e of events) takeEvent(store, e, { gatewayId, site: null }, now, tally);
    const after = advanceWatermark(store, gatewayId);
    const changed = [...tally.touched].sort().filter((id) => refreshDoc(store, id, known));
    const revs = commitRevs(store, changed, [], limits);
    const { touched: _touched, ...counts } = tally;
    return { ...counts, watermarkBefore: before, watermark: after, changed, revs };
  });
}

/** What storing events counted, and the members whose documents may have changed. */
export interface EventTally {
  stored: number;
  duplicates: number;
  replaced: number;
  entries: number;
  unknownEntries: number;
  /** Decisions new to the central or settled by this copy (what a chain relays). */
  decisions: DecisionEvent[];
  touched: Set<string>;
}

/** An empty tally. */
export function newTally(): EventTally {
  return {
    stored: 0,
    duplicates: 0,
    replaced: 0,
    entries: 0,
    unknownEntries: 0,
    decisions: [],
    touched: new Set(),
  };
}

/**
 * Stores one event of `from.gatewayId` (made at chain site `from.site`, null for this site) unless
 * it has it: a copy that settles a stored decision replaces it; ledger entries merge by id (R16);
 * a decision stored or settled is folded into its member's movements (visits, presence).
 */
export function takeEvent(
  store: CentralStore,
  e: SyncEvent,
  from: { gatewayId: string; site: string | null },
  now: number,
  tally: EventTally,
): void {
  const before = store.prepare("SELECT relay_failed, doc FROM events WHERE id = ?").get(e.id) as
    | { relay_failed: number; doc: string }
    | undefined;
  let relayFailed = isDecision(e) && e.relayFailed;
  let taken = false;
  if (before === undefined) {
    store
      .prepare(
        `INSERT INTO events (id, gateway_id, seq, relay_failed, doc, received_at, site) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.id, from.gatewayId, e.seq, relayFailed ? 1 : 0, JSON.stringify(e), now, from.site);
    tally.stored++;
    taken = true;
  } else if (isDecision(e) && settles(before, e)) {
    // The door did not open, or the passage settled (D2): this copy carries the outcome (and any
    // refund). A late copy from before it never undoes it.
    relayFailed ||= before.relay_failed === 1;
    store
      .prepare("UPDATE events SET relay_failed = ?, doc = ?, received_at = ? WHERE id = ?")
      .run(relayFailed ? 1 : 0, JSON.stringify(e), now, e.id);
    tally.replaced++;
    taken = true;
  } else tally.duplicates++;
  if (!isDecision(e)) return;
  if (taken) {
    // Stored or settled now (a duplicate was folded when its first copy was): visits and presence.
    tally.decisions.push({ ...e, relayFailed });
    const member = foldDecision(store, { ...e, relayFailed }, from.site);
    if (member !== null) tally.touched.add(member);
  }
  for (const l of e.ledger) {
    const owner = multipackOwner(store, l.multipackId);
    const added = store
      .prepare(
        `INSERT INTO ledger (id, multipack_id, member_id, gateway_id, entry, received_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO NOTHING`,
      )
      .run(l.id, l.multipackId, owner ?? e.memberId, from.gatewayId, JSON.stringify(l), now);
    if (added.changes === 0) continue;
    tally.entries++;
    if (owner === undefined) tally.unknownEntries++;
    else tally.touched.add(owner);
  }
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

/**
 * This site's stored events, in gateway then seq order. Events relayed from a chain's other sites
 * are not listed (they reach the members' visits only), except when asked for by their gateway.
 */
export function storedEvents(store: CentralStore, gatewayId?: string): SyncEvent[] {
  const docs = (
    gatewayId === undefined
      ? store.prepare("SELECT doc FROM events WHERE site IS NULL ORDER BY gateway_id, seq").pluck().all()
      : store.prepare("SELECT doc FROM events WHERE gateway_id = ? ORDER BY seq").pluck().all(gatewayId)
  ) as string[];
  return docs.map((d) => JSON.parse(d) as SyncEvent);
}
