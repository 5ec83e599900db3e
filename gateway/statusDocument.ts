/**
 * The status file's document (`<data>/status.json`, version 1): its zod schema, which is also what
 * `accessgw status` validates a file against, and how the daemon's status becomes it.
 */
import { z } from "zod";
import type { GatewayStatus } from "./deviceStatus.js";
import type { SyncReport } from "./sync/syncReport.js";

const Iso = z.string().min(1);
const DeviceState = z.enum(["connecting", "open", "waiting", "stopped", "unavailable"]);

/** Decision counters (the daemon's, per reader and in total). */
export const StatusCounters = z.object({
  scans: z.number(),
  grants: z.number(),
  denies: z.number(),
  /** Scans that threw. */
  errors: z.number(),
  /** Grants whose door pulse failed (and were undone). */
  relayFailures: z.number(),
});

/** A reader's last decided scan; the card is masked (last 4 digits), never in clear. */
export const StatusLastScan = z.object({
  at: Iso,
  card: z.string(),
  decision: z.enum(["grant", "deny"]),
  reason: z.string(),
  eventId: z.string(),
  memberId: z.string().nullable(),
  relayFailed: z.boolean(),
});

/** One reader in the status file. */
export const StatusReader = z.object({
  id: z.string(),
  driver: z.string(),
  state: DeviceState,
  /** When the state began; null when the reader never started. */
  since: Iso.nullable(),
  /** Why it is not open (connect error, disconnect, unsupported driver); null while open. */
  reason: z.string().nullable(),
  /** Open attempts since it was last open. */
  attempts: z.number(),
  /** While waiting: the delay before the next attempt. */
  retryInMs: z.number().nullable(),
  lastScan: StatusLastScan.nullable(),
  counters: StatusCounters,
  /** The driver's own counters (ReaderDriver.counters()); null when no driver was made. */
  driverCounters: z
    .object({
      cards: z.number(),
      rejected: z.record(z.string(), z.number()),
      bytes: z.number(),
      reconnects: z.number(),
    })
    .nullable(),
});

/** One relay board in the status file. */
export const StatusRelay = z.object({
  id: z.string(),
  driver: z.string(),
  state: DeviceState,
  since: Iso.nullable(),
  reason: z.string().nullable(),
  /** Door pulses the gateway asked for, and how many of them failed. */
  pulses: z.number(),
  relayFailures: z.number(),
  /** The driver's own counters (RelayDriver.counters()); null when no driver was made. */
  driverCounters: z
    .object({
      pulses: z.number(),
      completed: z.number(),
      failed: z.number(),
      inFlight: z.number(),
      timeouts: z.number(),
      exceptions: z.number(),
    })
    .nullable(),
});

/** The shared MQTT broker connection (mqtt-* readers and relays) in the status file. */
export const StatusMqtt = z.object({
  /** The broker URL, any password masked. */
  url: z.string(),
  clientId: z.string(),
  state: DeviceState,
  since: Iso.nullable(),
  reason: z.string().nullable(),
  attempts: z.number(),
  messagesIn: z.number(),
  messagesOut: z.number(),
  badPayloads: z.number(),
  reconnects: z.number(),
});

/** The link to the central (sync.md) in the status file: what `status` shows under "sync". */
export const StatusSync = z.object({
  url: z.string(),
  clientId: z.string(),
  /** "5", or "3.1.1" on a broker without MQTT 5. */
  protocol: z.string(),
  state: DeviceState,
  since: Iso.nullable(),
  reason: z.string().nullable(),
  attempts: z.number(),
  /** Connected and answered: changes reach the cache as the central makes them. */
  inStep: z.boolean(),
  lastRev: z.number(),
  configRev: z.number(),
  /** The last successful sync; null when the cache never synced. */
  lastSyncAt: Iso.nullable(),
  /** Older than sync.offline.maxStaleHours (the offline policy applies). */
  stale: z.boolean(),
  offline: z.object({ maxStaleHours: z.number(), after: z.string() }),
  outbox: z.object({
    pending: z.number(),
    firstSeq: z.number().nullable(),
    lastSeq: z.number().nullable(),
    alarmAt: z.number(),
    batches: z.number(),
    eventsPublished: z.number(),
    republishes: z.number(),
    failures: z.number(),
    ackedUpTo: z.number(),
    lastAckAt: Iso.nullable(),
  }),
  counters: z.record(z.string(), z.number()),
  problems: z.array(z.string()),
});

/**
 * The document, version 1. Objects are not strict on purpose: later versions add sections (the
 * sync status of sync.md: broker link, lastRev, configRev, outboxPending) that an older `status`
 * ignores; a change that breaks readers bumps `version`.
 */
export const StatusDocument = z.object({
  version: z.literal(1),
  gatewayId: z.string(),
  pid: z.number().int().positive(),
  /** running; stopping (after SIGINT/SIGTERM, finishing decisions in flight); stopped (clean stop). */
  state: z.enum(["running", "stopping", "stopped"]),
  startedAt: Iso,
  updatedAt: Iso,
  /** The configuration file the daemon runs with, and its data folder (absolute paths). */
  config: z.string(),
  dataDir: z.string(),
  /** The site's time zone, for showing times as the site reads them; null before a site exists. */
  zone: z.string().nullable(),
  readers: z.array(StatusReader),
  relays: z.array(StatusRelay),
  /** The broker link; null when the configuration has no mqtt: section (absent in older files). */
  mqtt: StatusMqtt.nullable().default(null),
  /** The link to the central; null unless sync.enabled (absent in older files). */
  sync: StatusSync.nullable().default(null),
  totals: StatusCounters,
  /** Everything that keeps part of the configuration from working, in words. */
  problems: z.array(z.string()),
});
export type StatusDocument = z.infer<typeof StatusDocument>;
export type StatusReader = z.infer<typeof StatusReader>;
export type StatusRelay = z.infer<typeof StatusRelay>;
export type StatusMqtt = z.infer<typeof StatusMqtt>;
export type StatusSync = z.infer<typeof StatusSync>;

/** What the daemon knows about itself besides its devices. */
export interface DaemonFacts {
  gatewayId: string;
  pid: number;
  state: StatusDocument["state"];
  startedAt: number;
  now: number;
  config: string;
  dataDir: string;
  zone: string | null;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** The status file's document from the gateway's status() and the daemon's own facts. */
export function toStatusDocument(s: GatewayStatus, d: DaemonFacts): StatusDocument {
  return {
    version: 1,
    gatewayId: d.gatewayId,
    pid: d.pid,
    state: d.state,
    startedAt: new Date(d.startedAt).toISOString(),
    updatedAt: new Date(d.now).toISOString(),
    config: d.config,
    dataDir: d.dataDir,
    zone: d.zone,
    readers: s.readers.map(
      (r): StatusReader => ({
        id: r.readerId,
        driver: r.driver,
        state: r.state,
        since: iso(r.since),
        reason: r.problem ?? r.reason ?? null,
        attempts: r.attempts,
        retryInMs: r.retryInMs ?? null,
        lastScan: r.lastScan === null ? null : { ...r.lastScan, at: new Date(r.lastScan.at).toISOString() },
        counters: {
          scans: r.scans,
          grants: r.grants,
          denies: r.denies,
          errors: r.errors,
          relayFailures: r.relayFailures,
        },
        driverCounters: r.driverCounters,
      }),
    ),
    relays: s.relays.map(
      (r): StatusRelay => ({
        id: r.relayId,
        driver: r.driver,
        state: r.state,
        since: iso(r.since),
        reason: r.problem ?? r.reason ?? null,
        pulses: r.pulses,
        relayFailures: r.relayFailures,
        driverCounters: r.driverCounters,
      }),
    ),
    mqtt:
      s.mqtt === undefined
        ? null
        : {
            url: s.mqtt.url,
            clientId: s.mqtt.clientId,
            state: s.mqtt.state,
            since: iso(s.mqtt.since),
            reason: s.mqtt.reason ?? null,
            attempts: s.mqtt.attempts,
            messagesIn: s.mqtt.counters.messagesIn,
            messagesOut: s.mqtt.counters.messagesOut,
            badPayloads: s.mqtt.counters.badPayloads,
            reconnects: s.mqtt.counters.reconnects,
          },
    sync: s.sync === undefined ? null : toStatusSync(s.sync),
    totals: { ...s.totals },
    problems: [...s.problems],
  };
}

function toStatusSync(s: SyncReport): StatusSync {
  const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    url: s.url,
    clientId: s.clientId,
    protocol: s.protocol,
    state: s.state,
    since: iso(s.since),
    reason: s.reason ?? null,
    attempts: s.attempts,
    inStep: s.inStep,
    lastRev: s.lastRev,
    configRev: s.configRev,
    lastSyncAt: isoOrNull(s.lastSyncAt),
    stale: s.stale,
    offline: { ...s.offline },
    outbox: { ...s.outbox, lastAckAt: isoOrNull(s.outbox.lastAckAt) },
    counters: { ...s.counters },
    problems: [...s.problems],
  };
}
