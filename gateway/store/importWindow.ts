/**
 * The hand-over between an import's checking thread and its writing thread (fileImport.ts): checked
 * members posted in batches, at most WINDOW of them posted and not yet written (the checking side
 * then waits, so memory stays bounded when writing is slower), and the checks' verdicts.
 */
import type { MessagePort, ResourceLimits, Worker } from "node:worker_threads";
import { AccessGwError } from "../../config/errors.js";
import type { Member } from "../../config/members.js";
import type { CheckResult, CheckSink } from "./importCheck.js";

/** What the checking thread posts. */
export type ImportWorkerMessage =
  | { type: "members"; batch: unknown[] }
  | { type: "failed" }
  | { type: "done"; result: CheckResult };

/** Batches posted and not yet written, at most. */
export const WINDOW = 4;

/**
 * The checking thread's heap limits. Its young generation (V8's default: 48 MB on 64 bits) is where
 * the parsed and checked members live until posted: capped, the worker's share of the import's peak
 * RSS falls by about 35 MB (measured at 100k members: 271–276 → 241 MB), for more frequent, smaller
 * scavenges on the worker.
 */
export const CHECKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 8 };

/** The checking side's sink: posts each batch once fewer than WINDOW are waiting to be written. */
export function windowedSink(port: MessagePort, window: SharedArrayBuffer): CheckSink {
  const pending = new Int32Array(window);
  return {
    members(batch) {
      for (let n = Atomics.load(pending, 0); n >= WINDOW; n = Atomics.load(pending, 0))
        Atomics.wait(pending, 0, n);
      Atomics.add(pending, 0, 1);
      port.postMessage({ type: "members", batch } satisfies ImportWorkerMessage);
    },
    failed() {
      port.postMessage({ type: "failed" } satisfies ImportWorkerMessage);
    },
  };
}

/** What the writing side does with the checking thread's messages. */
export interface VerdictHandlers {
  /** Writes a batch of checked members (not called once the checks have refused the import). */
  members(batch: Member[]): void;
  /** Takes a verdict; returns true when it is the last the worker gives (a worker may check in parts). */
  done(result: CheckResult): boolean;
}

/**
 * Follows the checking thread: batches to `h.members` (counting down `window` as each is written),
 * verdicts to `h.done`, until the last verdict (other messages are left to the caller's listeners). Rejects when a handler throws, or when the worker
 * fails or stops before its last verdict.
 */
export function followChecks(worker: Worker, window: SharedArrayBuffer, h: VerdictHandlers): Promise<void> {
  const pending = new Int32Array(window);
  return new Promise((resolve, reject) => {
    // After a problem that refuses the import, what is still posted is not worth writing.
    let refused = false;
    let finished = false;
    const fail = (err: unknown) => {
      refused = true;
      finished = true;
      reject(err);
    };
    const stopped = (why: string, cause?: unknown) =>
      fail(
        new AccessGwError("WORKER_FAILED", `refused, nothing was imported: the checking thread ${why}`, {
          cause,
        }),
      );
    worker.on("message", (m: ImportWorkerMessage) => {
      if (finished) return;
      try {
        if (m.type === "done") {
          if (h.done(m.result)) {
            finished = true;
            resolve();
          }
        } else if (m.type === "failed") refused = true;
        else if (m.type === "members") {
          try {
            if (!refused) h.members(m.batch as Member[]);
          } finally {
            Atomics.sub(pending, 0, 1);
            Atomics.notify(pending, 0);
          }
        }
      } catch (err) {
        fail(err);
      }
    });
    worker.on("error", (err) => stopped(`failed (${err.message})`, err));
    worker.on("exit", (code) => stopped(`stopped (exit code ${code}) before its verdict`));
  });
}
