/**
 * The running daemon's status file, `<data>/status.json`: how `accessgw status` sees a daemon that
 * runs in another process. The daemon rewrites it atomically (temp file + rename, so a reader never
 * sees half a document) every second and soon after each change; `status` trusts it only while its
 * pid is alive and `updatedAt` is fresh.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { realScheduler, type Scheduler } from "../drivers/transport/reconnecting.js";
import type { GatewayStatus } from "./deviceStatus.js";
import type { SyncReport } from "./sync/syncReport.js";

/** The status file's name inside the data folder. */
export const STATUS_FILE = "status.json";
/** How often the daemon rewrites the file even when nothing changed (it is its heartbeat). */
export const STATUS_INTERVAL_MS = 1000;
/** Changes closer together than this are written once. */
export const STATUS_MIN_GAP_MS = 200;
/** A file not rewritten for this long belongs to a daemon that hangs or died without cleaning up. */
export const STATUS_STALE_MS = 10_000;

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

/** Where the status file of a data folder lives. */
export function statusFilePath(dataDir: string): string {
  return join(dataDir, STATUS_FILE);
}

/** Writes the document atomically: a temp file next to it, then rename over the old one. */
export function writeStatusFile(path: string, doc: StatusDocument): void {
  const temp = `${path}.${doc.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(doc, null, 2)}\n`);
  renameSync(temp, path);
}

/** What `status` concludes from a data folder. */
export type StatusReading =
  | { running: true; reason: null; status: StatusDocument }
  | { running: false; reason: string; status: StatusDocument | null };

/** How readStatus sees the world; handed in so tests control the clock and the process table. */
export interface StatusProbe {
  now: () => number;
  /** True when a process with this pid exists. */
  pidAlive: (pid: number) => boolean;
  staleMs?: number;
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The real clock and process table. */
export const realProbe: StatusProbe = { now: Date.now, pidAlive };

/**
 * Reads `<data>/status.json` and says whether its daemon runs: not when the file is missing or
 * unreadable, says it stopped, names a dead pid, or was not rewritten for `staleMs` (10 s).
 */
export function readStatus(dataDir: string, probe: StatusProbe = realProbe): StatusReading {
  const path = statusFilePath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { running: false, reason: `no status file in ${dataDir}`, status: null };
    return { running: false, reason: `cannot read ${path} (${code ?? String(err)})`, status: null };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { running: false, reason: `${path} is not JSON (${(err as Error).message})`, status: null };
  }
  const parsed = StatusDocument.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? `${first.path.join(".") || "(top level)"}: ${first.message}` : "invalid";
    return { running: false, reason: `${path} is not a version 1 status file (${where})`, status: null };
  }
  const status = parsed.data;
  if (status.state === "stopped")
    return { running: false, reason: `stopped cleanly at ${status.updatedAt}`, status };
  if (!probe.pidAlive(status.pid))
    return { running: false, reason: `process ${status.pid} is gone (it did not stop cleanly)`, status };
  const age = probe.now() - Date.parse(status.updatedAt);
  const staleMs = probe.staleMs ?? STATUS_STALE_MS;
  if (!(age <= staleMs))
    return {
      running: false,
      reason: `process ${status.pid} has not updated its status for ${Math.round(age / 1000)} s (hung?)`,
      status,
    };
  return { running: true, reason: null, status };
}

/** What a StatusWriter is handed. */
export interface StatusWriterOptions {
  path: string;
  /** Builds the current document (called at each write). */
  snapshot: () => StatusDocument;
  scheduler?: Scheduler;
  clock: () => number;
  /** Reports a failed write (a full disk must not stop the daemon). */
  onError: (err: unknown) => void;
  intervalMs?: number;
  minGapMs?: number;
}

/** Rewrites the status file every second and soon after changes, at most once per minGapMs. */
export class StatusWriter {
  private readonly options: StatusWriterOptions;
  private readonly scheduler: Scheduler;
  private timer: unknown;
  private dueAt = Number.POSITIVE_INFINITY;
  private lastWrite = Number.NEGATIVE_INFINITY;
  private active = false;
  private failing = false;

  constructor(options: StatusWriterOptions) {
    this.options = options;
    this.scheduler = options.scheduler ?? realScheduler;
  }

  /** Writes now and keeps writing until stop(). */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.write();
  }

  /**
   * Something changed: write as soon as the minimum gap since the last write allows, never
   * synchronously (a scan calls this, and its door pulse must not wait for the disk).
   */
  changed(): void {
    if (!this.active) return;
    const wait = this.lastWrite + (this.options.minGapMs ?? STATUS_MIN_GAP_MS) - this.options.clock();
    this.schedule(Math.max(0, wait));
  }

  /** Stops the timer and, unless told not to, writes a last document (the one saying "stopped"). */
  stop(writeLast = true): void {
    if (!this.active) return;
    this.active = false;
    this.cancel();
    if (writeLast) this.writeOnce();
  }

  private write(): void {
    this.cancel();
    this.writeOnce();
    this.schedule(this.options.intervalMs ?? STATUS_INTERVAL_MS);
  }

  private writeOnce(): void {
    this.lastWrite = this.options.clock();
    try {
      writeStatusFile(this.options.path, this.options.snapshot());
      this.failing = false;
    } catch (err) {
      // Report once per failure streak, not every second.
      if (!this.failing) this.options.onError(err);
      this.failing = true;
    }
  }

  /** Arranges a write in `ms`, unless one is already due sooner (the heartbeat or an earlier change). */
  private schedule(ms: number): void {
    const dueAt = this.options.clock() + ms;
    if (this.timer !== undefined && this.dueAt <= dueAt) return;
    this.cancel();
    this.dueAt = dueAt;
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Number.POSITIVE_INFINITY;
      if (this.active) this.write();
    }, ms);
  }

  private cancel(): void {
    if (this.timer === undefined) return;
    this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = Number.POSITIVE_INFINITY;
  }
}
