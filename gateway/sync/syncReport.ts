/**
 * What the sync link reports: the problems of the retained status topic (sync.md) and the fuller
 * report `accessgw status` shows (link, revisions, last sync, staleness, outbox, counters), in the
 * status document's shape (StatusSync).
 */

import { isoTime, type StatusSync } from "../../config/statusDocument.js";
import type { SyncSettings } from "../../config/sync.js";
import type { MqttConnection } from "../../drivers/mqtt/connection.js";
import { offlineState } from "../engine/offline.js";
import { type Store, type SyncState, syncState } from "../store/db.js";
import { outboxRange } from "../store/outbox.js";
import type { OutboxPublisher } from "./outboxPublisher.js";

/** Running totals of the sync client since it started. */
export interface SyncCounters {
  badPayloads: number;
  hellos: number;
  /** Gap hellos held back by helloIntervalMs (one is sent when the interval has passed). */
  hellosDeferred: number;
  configsApplied: number;
  configsRejected: number;
  changesApplied: number;
  duplicates: number;
  gaps: number;
  changesRejected: number;
  partsApplied: number;
  partsRejected: number;
  syncsCompleted: number;
  acks: number;
  statusPublished: number;
  /** Changes and sync parts validated on the main thread: the validation worker had stopped. */
  partsCheckedOnMainThread: number;
}

/** Every counter at zero, as a client starts. */
export function noSyncCounters(): SyncCounters {
  return {
    badPayloads: 0,
    hellos: 0,
    hellosDeferred: 0,
    configsApplied: 0,
    configsRejected: 0,
    changesApplied: 0,
    duplicates: 0,
    gaps: 0,
    changesRejected: 0,
    partsApplied: 0,
    partsRejected: 0,
    syncsCompleted: 0,
    acks: 0,
    statusPublished: 0,
    partsCheckedOnMainThread: 0,
  };
}

/** What the problems are computed from. */
export interface ProblemFacts {
  state: SyncState;
  now: number;
  settings: Pick<SyncSettings, "offline" | "outboxAlarm">;
  outboxPending: number;
  outboxAlarm: boolean;
  /** The last refused change or sync part, until one applies. */
  refused: string | undefined;
  /** Products the last config dropped that stored multipacks still use. */
  stranded?: { rev: number; products: string[] } | undefined;
}

/** The sync link's problems, each starting with a stable code (sync.md status `problems`). */
export function syncProblems(f: ProblemFacts): string[] {
  const problems: string[] = [];
  const { configRejected } = f.state;
  if (configRejected)
    problems.push(`configRejected: config rev ${configRejected.rev}: ${configRejected.problems.join("; ")}`);
  if (f.outboxAlarm)
    problems.push(
      `outboxAlarm: ${f.outboxPending} events wait for the central (sync.outboxAlarm ${f.settings.outboxAlarm})`,
    );
  if (f.refused !== undefined) problems.push(`syncRejected: ${f.refused}`);
  if (f.stranded)
    problems.push(
      `configStranded: config rev ${f.stranded.rev} dropped products stored multipacks still use (${f.stranded.products.join(", ")}); those multipacks are refused until the central sends their members again`,
    );
  const offline = offlineState({ lastSyncAt: f.state.lastSyncAt, ...f.settings.offline }, f.now);
  if (offline.stale)
    problems.push(
      `offlineStale: ${offline.words}; ${
        offline.after === "deny-paid"
          ? "paid entries are denied (deny-paid)"
          : "still deciding (keep-deciding)"
      }`,
    );
  return problems;
}

/** Whether the cache is stale now under sync.offline. */
export function isStale(state: SyncState, offline: SyncSettings["offline"], now: number): boolean {
  return offlineState({ lastSyncAt: state.lastSyncAt, ...offline }, now).stale;
}

/** What a report is built from: the client's link, store, publisher and state. */
export interface ReportParts {
  link: Pick<MqttConnection, "url" | "clientId" | "protocol" | "health">;
  store: Store;
  publisher: Pick<OutboxPublisher, "counters" | "depth">;
  settings: Pick<SyncSettings, "offline" | "outboxAlarm">;
  now: number;
  inStep: boolean;
  counters: SyncCounters;
  problems: string[];
}

/** The link, revisions, last sync, outbox and counters, for `accessgw status`. */
export function buildReport(r: ReportParts): StatusSync {
  const h = r.link.health();
  const state = syncState(r.store);
  const range = outboxRange(r.store);
  const p = r.publisher.counters();
  const { offline, outboxAlarm } = r.settings;
  return {
    url: r.link.url,
    clientId: r.link.clientId,
    protocol: r.link.protocol(),
    state: h.state,
    since: isoTime(h.since),
    reason: h.lastError?.message ?? null,
    attempts: h.attempts,
    inStep: r.inStep,
    lastRev: state.lastRev,
    configRev: state.configRev,
    lastSyncAt: isoTime(state.lastSyncAt),
    stale: isStale(state, offline, r.now),
    offline: { ...offline },
    outbox: {
      pending: r.publisher.depth(),
      firstSeq: range.firstSeq,
      lastSeq: range.lastSeq,
      alarmAt: outboxAlarm,
      batches: p.batches,
      eventsPublished: p.eventsPublished,
      republishes: p.republishes,
      failures: p.failures,
      ackedUpTo: p.ackedUpTo,
      lastAckAt: isoTime(p.lastAckAt),
    },
    counters: { ...r.counters },
    problems: r.problems,
  };
}
