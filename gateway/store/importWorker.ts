/**
 * The worker thread of `accessgw import` (started by fileImport.ts): reads and checks the files
 * (importCheck.ts) while the main thread writes the members it posts. At most WINDOW batches are
 * posted and not yet written: the worker then waits, so memory stays bounded when writing is slower.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { type CheckInput, checkImport } from "./importCheck.js";

/** What fileImport.ts hands the worker. */
export interface ImportWorkerData extends CheckInput {
  /** The cache file, read (never written) for the owners of stored multipacks. */
  dbFile: string;
  /** One Int32: batches posted and not yet written (the main thread counts them down). */
  window: SharedArrayBuffer;
}

/** What the worker posts. */
export type ImportWorkerMessage =
  | { type: "members"; batch: unknown[] }
  | { type: "failed" }
  | { type: "done"; result: ReturnType<typeof checkImport> };

/** Batches posted and not yet written, at most. */
export const WINDOW = 4;

const port = parentPort;
if (port) {
  const data = workerData as ImportWorkerData;
  const pending = new Int32Array(data.window);
  // Read-only: the owners as stored before the import (the writer's transaction is not visible).
  const db = new Database(data.dbFile, { readonly: true, fileMustExist: true });
  try {
    const owner = db.prepare("SELECT member_id FROM multipacks WHERE id = ?").pluck();
    const result = checkImport(data, (id) => owner.get(id) as string | undefined, {
      members(batch) {
        for (let n = Atomics.load(pending, 0); n >= WINDOW; n = Atomics.load(pending, 0))
          Atomics.wait(pending, 0, n);
        Atomics.add(pending, 0, 1);
        port.postMessage({ type: "members", batch } satisfies ImportWorkerMessage);
      },
      failed() {
        port.postMessage({ type: "failed" } satisfies ImportWorkerMessage);
      },
    });
    port.postMessage({ type: "done", result } satisfies ImportWorkerMessage);
  } finally {
    db.close();
  }
}
