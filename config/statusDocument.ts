/**
 * The one status model: the zod schemas of what the gateway's status() returns and of the status
 * file's document (`<data>/status.json`, version 1) that adds the daemon's own facts. `accessgw
 * status` validates a file against the same schema.
 */
import { z } from "zod";
import { AlarmKind, DoorMode, DoorModeSource } from "./protocol/events.js";

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

/** The secure channel of an OSDP PD (drivers/osdp/cpTypes.ts SECURE_STATES; config imports nothing above it). */
export const OSDP_SECURE_STATES = ["off", "none", "handshake", "established", "install", "failed"] as const;

/** An `osdp` reader's PD as the control panel sees it (issue 13 §6). */
export const StatusOsdpPd = z.object({
  address: z.number(),
  /** False after 8 s without a valid reply. */
  online: z.boolean(),
  /** off (by config), none (not yet), handshake, established, install (SCBK-D), failed. */
  secureChannel: z.enum(OSDP_SECURE_STATES),
  /** Why the channel failed or was dropped last; null when it never was. */
  reason: z.string().nullable(),
  tamper: z.boolean(),
  powerFailure: z.boolean(),
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
  /** `osdp` readers: their PD; absent for other drivers and before the PD's driver runs. */
  osdp: StatusOsdpPd.optional(),
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

/** One input (doors.md D1) in the status file: its link, its level and since when it is unreachable. */
export const StatusInput = z.object({
  id: z.string(),
  driver: z.string(),
  /** The link to the device (the broker or the serial line). */
  state: DeviceState,
  since: Iso.nullable(),
  /** The level after activeLow and debounce; unknown while the device is unreachable (never inactive). */
  level: z.enum(["active", "inactive", "unknown"]),
  /** When the level began (the edge's instant). */
  levelSince: Iso.nullable(),
  /** Why the level is unknown (link down, device offline, no answer, no reading yet); null while readable. */
  reason: z.string().nullable(),
  /** Since when the device is unreachable; null while readable (D4 input_fault after 10 s). */
  downSince: Iso.nullable(),
  counters: z
    .object({
      readings: z.number(),
      changes: z.number(),
      rejected: z.record(z.string(), z.number()),
      downs: z.number(),
    })
    .nullable(),
});

/** doors.md D3, D4, D2: a door's mode (what set it, who, why, until when), its raised alarms and the grants waiting for a passage. */
export const StatusDoor = z.object({
  id: z.string(),
  mode: DoorMode,
  /** What set the mode; null for a door that has always been normal. */
  source: DoorModeSource.nullable(),
  since: Iso.nullable(),
  until: Iso.nullable(),
  operator: z.string().nullable(),
  reason: z.string().nullable(),
  alarms: z.array(AlarmKind),
  waiting: z.number(),
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

/** What the gateway's status() reports: its state, devices, links, totals and problems. */
export const GatewayStatus = z.object({
  /** running; stopping (after SIGINT/SIGTERM, finishing decisions in flight); stopped (clean stop). */
  state: z.enum(["running", "stopping", "stopped"]),
  readers: z.array(StatusReader),
  relays: z.array(StatusRelay),
  /** The inputs (doors.md D1); absent in older files. */
  inputs: z.array(StatusInput).default([]),
  /** The doors (absent in older files). */
  doors: z.array(StatusDoor).default([]),
  /** The broker link; null when the configuration has no mqtt: section (absent in older files). */
  mqtt: StatusMqtt.nullable().default(null),
  /** The link to the central; null unless sync.enabled (absent in older files). */
  sync: StatusSync.nullable().default(null),
  totals: StatusCounters,
  /** Everything that keeps part of the configuration from working, in words. */
  problems: z.array(z.string()),
});

/**
 * The document, version 1: the gateway's status and what the daemon knows about itself. Objects
 * are not strict on purpose: later versions add sections that an older `status` ignores; a change
 * that breaks readers bumps `version`.
 */
export const StatusDocument = GatewayStatus.extend({
  version: z.literal(1),
  gatewayId: z.string(),
  pid: z.number().int().positive(),
  startedAt: Iso,
  updatedAt: Iso,
  /** The configuration file the daemon runs with, and its data folder (absolute paths). */
  config: z.string(),
  dataDir: z.string(),
  /** The site's time zone, for showing times as the site reads them; null before a site exists. */
  zone: z.string().nullable(),
});
export type GatewayStatus = z.output<typeof GatewayStatus>;
export type StatusDocument = z.infer<typeof StatusDocument>;
export type StatusCounters = z.infer<typeof StatusCounters>;
export type StatusLastScan = z.infer<typeof StatusLastScan>;
export type StatusReader = z.infer<typeof StatusReader>;
/** An OSDP PD in the status document. */
export type StatusOsdpPd = z.infer<typeof StatusOsdpPd>;
export type StatusRelay = z.infer<typeof StatusRelay>;
export type StatusInput = z.infer<typeof StatusInput>;
export type StatusDoor = z.infer<typeof StatusDoor>;
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

/** An instant (ms) as the document writes it; null stays null. */
export function isoTime(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** The status file's document: the gateway's status with the daemon's own facts (its state wins). */
export function toStatusDocument(s: GatewayStatus, d: DaemonFacts): StatusDocument {
  const { state: _gatewayState, ...devices } = s;
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
    ...devices,
  };
}
