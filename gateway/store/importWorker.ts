/**
 * The worker thread of `accessgw import` (started by fileImport.ts): reads and checks the files
 * (importCheck.ts) while the main thread writes the members it posts, at most WINDOW batches ahead
 * (importWindow.ts), so memory stays bounded when writing is slower.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { type CheckInput, checkImport } from "./importCheck.js";
import { type ImportWorkerMessage, windowedSink } from "./importWindow.js";

/** What fileImport.ts hands the worker. */
export interface ImportWorkerData extends CheckInput {
  /** The cache file, read (never written) for the owners of stored multipacks. */
  dbFile: string;
  /** One Int32: batches posted and not yet written (the main thread counts them down). */
  window: SharedArrayBuffer;
}

const port = parentPort;
if (port) {
  const data = workerData as ImportWorkerData;
  // Read-only: the owners as stored before the import (the writer's transaction is not visible).
  const db = new Database(data.dbFile, { readonly: true, fileMustExist: true });
  try {
    const owner = db.prepare("SELECT member_id FROM multipacks WHERE id = ?").pluck();
    const result = checkImport(
      data,
      (id) => owner.get(id) as string | undefined,
      windowedSink(port, data.window),
    );
    port.postMessage({ type: "done", result } satisfies ImportWorkerMessage);
  } finally {
    db.close();
  }
}
