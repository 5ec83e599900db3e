/**
 * `accessgw import FILE…` in bounded memory, whatever the files' size, on two cores: a worker
 * thread reads and checks the files piece by piece (importCheck.ts) and posts the members it has
 * checked; this thread writes them as they come, in one transaction. Only when the worker finds
 * nothing wrong are the files' configuration sections written and the transaction committed; any
 * problem anywhere rolls it back (all or nothing, as before). Each record is compared with what the
 * cache held (the summary's `changes`, issue 10 §7).
 */
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { dataInvalid } from "../../config/dataFile.js";
import type { DataInput } from "../../config/dataPieces.js";
import { startModuleWorker } from "../../runtime/moduleWorker.js";
import { DB_FILE, type Store } from "./db.js";
import { type ImportSummary, ImportWriter } from "./importer.js";
import { CHECKER_LIMITS, followChecks } from "./importWindow.js";
import type { ImportWorkerData } from "./importWorker.js";

/**
 * Imports data files into the cache: all or nothing. Throws DATA_INVALID listing the problems (the
 * first 100 of them, and how many more) when any file has one, and WORKER_FAILED when the checking
 * thread stops before its verdict (nothing is imported then either).
 */
export async function importDataFiles(
  store: Store,
  inputs: DataInput[],
  origin = "import",
): Promise<ImportSummary> {
  const data: ImportWorkerData = {
    inputs,
    stored: store.siteConfig(),
    dir: store.dir,
    dbFile: join(store.dir, DB_FILE),
    window: new SharedArrayBuffer(4),
  };
  const worker = startModuleWorker(new URL("./importWorker.js", import.meta.url), {
    workerData: data,
    resourceLimits: CHECKER_LIMITS,
  });
  return importFromWorker(store, worker, data.window, origin);
}

/**
 * The writing side of an import: writes the members `worker` posts (counting down `window`, the
 * batches in flight) until its verdict, then commits, or rolls back on a problem or when the worker
 * stops without a verdict. Terminates the worker.
 */
export async function importFromWorker(
  store: Store,
  worker: Worker,
  window: SharedArrayBuffer,
  origin: string,
): Promise<ImportSummary> {
  const writer = new ImportWriter(store, origin);
  try {
    let summary: ImportSummary | undefined;
    await followChecks(worker, window, {
      members: (batch) => writer.members(batch),
      done(result) {
        if (result.count > 0) throw dataInvalid(result.count, result.problems);
        summary = writer.finish(result.files);
        return true;
      },
    });
    return summary as ImportSummary;
  } catch (err) {
    writer.abandon();
    throw err;
  } finally {
    await worker.terminate();
  }
}
