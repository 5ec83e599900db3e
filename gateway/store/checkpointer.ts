/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that
 * crosses 1000 WAL pages: that commit (a scan's, or a sync chunk's) then copies megabytes into the
 * database and fsyncs it, 10–20 ms during which no card is decided. The daemon turns the automatic
 * checkpoint off on its connection and lets a worker thread with its own connection checkpoint
 * (PASSIVE: it never blocks the writer) every second instead.
 */

import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { Store } from "./db.js";

/** The worker: CommonJS, evaluated; better-sqlite3 comes from the path the daemon resolved. */
const WORKER = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.sqlite);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 1000");
const checkpoint = () => {
  try {
    const [r] = db.pragma("wal_checkpoint(PASSIVE)");
    parentPort.postMessage({ ok: true, log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err && err.message || err) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m !== "stop") return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** SQLite's default: a checkpoint once the WAL holds this many pages. */
const AUTO_PAGES = 1000;

/** One checkpoint's outcome: it is complete when every frame of the WAL was copied back. */
export interface CheckpointResult {
  walFrames: number;
  checkpointed: number;
}

/** Checkpoints the store's WAL from a worker thread; `start()` and `stop()`. */
export class Checkpointer {
  private worker: Worker | undefined;
  private failing = false;
  private checkpoints = 0;
  private last: CheckpointResult | undefined;

  constructor(
    private readonly store: Store,
    private readonly dbFile: string,
    private readonly logger: Logger,
    private readonly intervalMs = 1000,
  ) {}

  /** Turns the automatic checkpoint off here and starts the worker (which then does it). */
  start(): void {
    if (this.worker) return;
    const sqlite = createRequire(import.meta.url).resolve("better-sqlite3");
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { sqlite, file: this.dbFile, intervalMs: this.intervalMs },
    });
    worker.on("message", (m: { ok: boolean; error?: string; log?: number; checkpointed?: number }) => {
      if (m.ok) {
        this.checkpoints++;
        this.last = { walFrames: m.log ?? 0, checkpointed: m.checkpointed ?? 0 };
        this.failing = false;
      } else if (!this.failing) {
        this.failing = true;
        this.logger.warn({ error: m.error }, "checkpoint failed; retrying every second");
      }
    });
    worker.on("error", (err) => this.fallBack(err));
    worker.unref();
    this.worker = worker;
    this.store.db.pragma("wal_autocheckpoint = 0");
  }

  /** Checkpoints done so far. */
  count(): number {
    return this.checkpoints;
  }

  /** The WAL frames and how many of them the latest checkpoint copied into the database. */
  lastResult(): CheckpointResult | undefined {
    return this.last;
  }

  /** A last checkpoint, then the worker ends; the connection checkpoints by itself again. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    // Held (ref) while it finishes: an unref'd worker and timer would let the process end mid-await.
    worker.ref();
    worker.postMessage("stop");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
    await worker.terminate();
    if (this.store.db.open) this.store.db.pragma(`wal_autocheckpoint = ${AUTO_PAGES}`);
  }

  /** The worker died: checkpoint on the connection again rather than let the WAL grow. */
  private fallBack(err: unknown): void {
    this.logger.warn({ err }, "checkpoint worker failed; checkpointing on commit again");
    this.worker = undefined;
    if (this.store.db.open) this.store.db.pragma(`wal_autocheckpoint = ${AUTO_PAGES}`);
  }
}
