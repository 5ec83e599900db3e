/**
 * Validation of the member-carrying payloads (`changes`, `sync`) on a worker thread (issue 12 §4):
 * a part is handed to the worker as soon as it arrives, so its JSON decoding and zod parse run on
 * the second core while the main thread writes the part before it. The reference checks stay on
 * the main thread (they depend on the configuration in force when the part is applied).
 *
 * A worker that cannot start or stops (a crash, an out-of-memory kill) is not restarted: every
 * payload it had not answered, and every later one, is validated on the main thread a slice at a
 * time (config/protocol/sliced.ts), as before the worker existed — slower, never lost. Each one
 * validated there is counted, and the worker's end is logged once.
 */
import type { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { SyncParse } from "../../config/protocol/payloads.js";
import { parseSyncPayloadInSlices } from "../../config/protocol/sliced.js";
import { startModuleWorker } from "../../runtime/moduleWorker.js";
import type { PartCheckReply, PartCheckRequest } from "./partCheckWorker.js";

/** The payload kinds the worker validates. */
export type CheckedKind = "changes" | "sync";

/** What a PartChecker is handed. */
export interface PartCheckerOptions {
  logger: Logger;
  /** Lets scans in between two slices of a validation on the main thread. */
  pause: () => Promise<void>;
  /** Called for each payload validated on the main thread (the worker was not there). */
  onMainThread: () => void;
  /** Starts the worker; by default partCheckWorker.js beside this module. */
  startWorker?: () => Worker;
}

/** A request the worker has not finished answering. */
interface Pending extends Omit<PartCheckRequest, "id"> {
  members: unknown[];
  resolve: (result: SyncParse<CheckedKind>) => void;
}

/** The default worker: partCheckWorker.js, from dist/ or from the sources. */
export function startPartCheckWorker(): Worker {
  return startModuleWorker(new URL("./partCheckWorker.js", import.meta.url), {});
}

/** Validates payloads on a worker thread; the constructor only assigns, `start()` starts the worker. */
export class PartChecker {
  private worker: Worker | undefined;
  private stopping = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private lastError: unknown;

  constructor(private readonly o: PartCheckerOptions) {}

  /** Starts the worker; one that cannot start leaves the validation to the main thread. */
  start(): void {
    if (this.worker || this.stopping) return;
    let worker: Worker;
    try {
      worker = (this.o.startWorker ?? startPartCheckWorker)();
    } catch (err) {
      this.lastError = err;
      this.failed(undefined);
      return;
    }
    this.worker = worker;
    // An idle worker never holds the process open (it is referenced while a payload waits on it).
    worker.unref();
    worker.on("message", (reply: PartCheckReply) => this.onReply(reply));
    worker.on("error", (err) => {
      this.lastError = err;
    });
    worker.on("messageerror", (err) => {
      this.lastError = err;
      void worker.terminate();
    });
    worker.on("exit", (code) => {
      if (this.worker === worker) this.worker = undefined;
      if (!this.stopping) this.failed(code);
      else this.drain();
    });
  }

  /** Stops the worker; what it had not answered is validated on the main thread. */
  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
    this.drain();
  }

  /** True while the worker validates (false after it failed, or before start). */
  running(): boolean {
    return this.worker !== undefined;
  }

  /**
   * Validates a `changes` or `sync` payload: the same result and problems as parseSyncPayload.
   * Never rejects.
   */
  check<K extends CheckedKind>(
    kind: K,
    topic: string,
    bytes: Uint8Array,
    maxBytes: number,
  ): Promise<SyncParse<K>> {
    const worker = this.worker;
    if (!worker) return this.onMain(kind, topic, bytes, maxBytes);
    const id = this.nextId++;
    return new Promise<SyncParse<K>>((resolve) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, {
        kind,
        topic,
        bytes,
        maxBytes,
        members: [],
        resolve: resolve as Pending["resolve"],
      });
      // A copy of just the payload (a received Buffer may be a view of a larger socket chunk),
      // moved to the worker rather than copied again.
      const copy = new Uint8Array(bytes);
      worker.postMessage({ id, kind, topic, bytes: copy, maxBytes } satisfies PartCheckRequest, [
        copy.buffer,
      ]);
    });
  }

  private onReply(reply: PartCheckReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    if (reply.type === "members") {
      for (const m of reply.members) p.members.push(m);
      return;
    }
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    p.resolve(
      reply.ok
        ? ({ ok: true, value: { ...reply.envelope, members: p.members } } as SyncParse<CheckedKind>)
        : { ok: false, problem: reply.problem },
    );
  }

  /** The worker is gone: logged once; what it had not answered is validated here. */
  private failed(code: number | undefined): void {
    this.o.logger.error(
      { err: this.lastError, exitCode: code, waiting: this.pending.size },
      "sync: the validation worker stopped; sync parts are validated on the main thread (slower)",
    );
    this.drain();
  }

  /** Validates on the main thread every payload the worker had not answered, in their order. */
  private drain(): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) void this.onMain(p.kind, p.topic, p.bytes, p.maxBytes).then(p.resolve);
  }

  private onMain<K extends CheckedKind>(
    kind: K,
    topic: string,
    bytes: Uint8Array,
    maxBytes: number,
  ): Promise<SyncParse<K>> {
    this.o.onMainThread();
    return parseSyncPayloadInSlices(kind, topic, bytes, maxBytes, this.o.pause);
  }
}
