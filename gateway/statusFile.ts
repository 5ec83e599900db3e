/**
 * The running daemon's status file, `<data>/status.json`: how `accessgw status` sees a daemon that
 * runs in another process. The daemon rewrites it atomically (temp file + rename, so a reader never
 * sees half a document) every second and soon after each change; `status` trusts it only while its
 * pid is alive and `updatedAt` is fresh.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { StatusDocument } from "../config/statusDocument.js";
import { realScheduler, type Scheduler } from "../runtime/scheduler.js";

/** The status file's name inside the data folder. */
export const STATUS_FILE = "status.json";
/** How often the daemon rewrites the file even when nothing changed (it is its heartbeat). */
export const STATUS_INTERVAL_MS = 1000;
/** Changes closer together than this are written once. */
export const STATUS_MIN_GAP_MS = 200;
/** A file not rewritten for this long belongs to a daemon that hangs or died without cleaning up. */
export const STATUS_STALE_MS = 10_000;

/** Where the status file of a data folder lives. */
export function statusFilePath(dataDir: string): string {
  return join(dataDir, STATUS_FILE);
}

/**
 * Writes the document atomically: a temp file next to it, then rename over the old one. `mode`:
 * the file's permissions (member data: the owner's only unless gateway.dataGroup says otherwise).
 */
export function writeStatusFile(path: string, doc: StatusDocument, mode = 0o600): void {
  const temp = `${path}.${doc.pid}.tmp`;
  writeFileSync(temp, statusText(doc), { mode });
  renameSync(temp, path);
}

/** writeStatusFile with the file work on Node's thread pool; the document is taken as it is now. */
function writeStatusFileInBackground(path: string, doc: StatusDocument, mode: number): Promise<void> {
  const temp = `${path}.${doc.pid}.tmp`;
  return writeFile(temp, statusText(doc), { mode }).then(() => rename(temp, path));
}

const statusText = (doc: StatusDocument) => `${JSON.stringify(doc, null, 2)}\n`;

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
  /** Reports a failed write (a full disk must not stop the daemon), once per failure streak. */
  onError: (err: unknown) => void;
  /** Hears every failed and every successful write (the status names a status file that fails). */
  onWrite?: (err: unknown | null) => void;
  intervalMs?: number;
  minGapMs?: number;
  /** The file's permissions (default 0600). */
  mode?: number;
}

/**
 * Rewrites the status file every second and soon after changes, at most once per minGapMs. The
 * first and the last document are written at once; those in between are taken at once and written
 * by Node's thread pool, one at a time: the file work took a millisecond or more of the event loop,
 * and a card read in that time waited for it.
 */
export class StatusWriter {
  private readonly options: StatusWriterOptions;
  private readonly scheduler: Scheduler;
  private timer: unknown;
  private dueAt = Number.POSITIVE_INFINITY;
  private lastWrite = Number.NEGATIVE_INFINITY;
  private active = false;
  private failing = false;
  /** The background write under way, if any. */
  private inFlight: Promise<void> | null = null;
  /** A write fell due while one was under way: one more follows it. */
  private again = false;

  constructor(options: StatusWriterOptions) {
    this.options = options;
    this.scheduler = options.scheduler ?? realScheduler;
  }

  /** Writes now and keeps writing until stop(). */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.writeOnce();
    this.schedule(this.options.intervalMs ?? STATUS_INTERVAL_MS);
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

  /**
   * Stops the timer and, unless told not to, writes a last document (the one saying "stopped")
   * once a background write under way has finished, so the last document is the one that stays.
   */
  stop(writeLast = true): Promise<void> {
    if (!this.active) return Promise.resolve();
    this.active = false;
    this.again = false;
    this.cancel();
    const last = () => {
      if (writeLast) this.writeOnce();
    };
    if (this.inFlight === null) {
      last();
      return Promise.resolve();
    }
    return this.inFlight.then(last, last);
  }

  /** Resolves once no background write is under way (and none is due to follow one). */
  async flushed(): Promise<void> {
    while (this.inFlight !== null) await this.inFlight;
  }

  private write(): void {
    this.cancel();
    this.writeInBackground();
    this.schedule(this.options.intervalMs ?? STATUS_INTERVAL_MS);
  }

  private writeOnce(): void {
    this.lastWrite = this.options.clock();
    try {
      writeStatusFile(this.options.path, this.options.snapshot(), this.options.mode);
      this.written(null);
    } catch (err) {
      this.written(err);
    }
  }

  private writeInBackground(): void {
    if (this.inFlight !== null) {
      this.again = true;
      return;
    }
    this.lastWrite = this.options.clock();
    let doc: StatusDocument;
    try {
      doc = this.options.snapshot();
    } catch (err) {
      this.written(err);
      return;
    }
    this.inFlight = writeStatusFileInBackground(this.options.path, doc, this.options.mode ?? 0o600).then(
      () => this.written(null),
      (err: unknown) => this.written(err),
    );
    void this.inFlight.finally(() => {
      this.inFlight = null;
      if (!this.again || !this.active) return;
      this.again = false;
      this.writeInBackground();
    });
  }

  private written(err: unknown): void {
    if (err === null) {
      this.failing = false;
      this.options.onWrite?.(null);
      return;
    }
    // Report once per failure streak, not every second.
    if (!this.failing) this.options.onError(err);
    this.failing = true;
    this.options.onWrite?.(err);
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
