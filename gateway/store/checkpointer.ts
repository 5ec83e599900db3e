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
const checkpoint = (again) => {
  try {
    const [r] = db.pragma("wal_checkpoint(PASSIVE)");
    parentPort.postMessage({ ok: true, log: r.log, checkpointed: r.checkpointed, again });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err && err.message || err), again });
  }
};
const timer = setInterval(() => checkpoint(false), workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m === "again") return checkpoint(true);
  if (m !== "stop") return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** SQLite's default: a checkpoint once the WAL holds this many pages. */
const AUTO_PAGES = 1000;
/**
 * The WAL frames past which a checkpoint pauses bulk writes until it catches up (see `steer`):
 * 64 MB. Measured over a 1M-member snapshot: 1000 frames paused the sync every second and cost
 * it 10 %, 16384 and 65536 applied it equally fast (256 s, 260 s; 350 s with no pause at all).
 */
const WAL_LIMIT = 16_384;

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
  /** The frames the last checkpoint of a pause found, all copied (see `steer`). */
  private settled: number | undefined;

  constructor(
    private readonly store: Store,
    private readonly dbFile: string,
    private readonly logger: Logger,
    private readonly intervalMs = 1000,
    private readonly walLimit = WAL_LIMIT,
  ) {}

  /** Turns the automatic checkpoint off here and starts the worker (which then does it). */
  start(): void {
    if (this.worker) return;
    const sqlite = createRequire(import.meta.url).resolve("better-sqlite3");
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { sqlite, file: this.dbFile, intervalMs: this.intervalMs },
    });
    worker.on("message", (m: WorkerMessage) => {
      if (m.ok) {
        this.checkpoints++;
        this.last = { walFrames: m.log ?? 0, checkpointed: m.checkpointed ?? 0 };
        this.failing = false;
      } else if (!this.failing) {
        this.failing = true;
        this.logger.warn({ error: m.error }, "checkpoint failed; retrying every second");
      }
      this.steer(worker, m);
    });
    worker.on("error", (err) => this.fallBack(err));
    worker.unref();
    this.worker = worker;
    this.store.db.pragma("wal_autocheckpoint = 0");
  }

  /**
   * SQLite starts the WAL over only when a write transaction begins after a checkpoint copied every
   * frame; bulk writes that commit back to back always begin while the worker is still copying, so
   * the WAL would grow by every page they write. A regular checkpoint that finds more than
   * `walLimit` frames (WAL_LIMIT) closes the store's WAL gate: bulk writes pause between transactions (scans go
   * on), the worker checkpoints again at once, and once two checkpoints in a row find the same
   * frames all copied (nothing was written between them) the gate opens, and the next commit starts
   * the WAL over. The gate's own limit bounds the pause; at most one pause per regular checkpoint.
   */
  private steer(worker: Worker, m: WorkerMessage): void {
    const gate = this.store.walGate;
    if (this.worker !== worker || !m.ok) {
      this.settled = undefined;
      gate.open();
      return;
    }
    const log = m.log ?? 0;
    if (!m.again) {
      if (log < this.walLimit) return;
      gate.close();
      this.settled = undefined;
    }
    if (!gate.isClosed()) return;
    const complete = (m.checkpointed ?? 0) >= log;
    if (complete && this.settled === log) {
      this.settled = undefined;
      gate.open();
      return;
    }
    this.settled = complete ? log : undefined;
    worker.postMessage("again");
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
    this.store.walGate.open();
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
    this.store.walGate.open();
    if (this.store.db.open) this.store.db.pragma(`wal_autocheckpoint = ${AUTO_PAGES}`);
  }
}

/** What the worker reports after each checkpoint; `again` for one the gate asked for. */
interface WorkerMessage {
  ok: boolean;
  error?: string;
  log?: number;
  checkpointed?: number;
  again?: boolean;
}
