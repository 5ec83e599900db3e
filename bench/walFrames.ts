/**
 * The WAL frames a write appended (issue 12: the pages a scan writes and fsyncs). A commit writes
 * each changed page once, as one frame of the `-wal` file: a 32-byte file header, then per frame a
 * 24-byte header (the page number first, big-endian) and the page.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DB_FILE, type Store } from "../gateway/store/db.js";

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

/** The page number of every frame in the store's WAL file, in the order written. */
export function walFramePages(store: Store): number[] {
  const pageSize = store.db.pragma("page_size", { simple: true }) as number;
  let wal: Buffer;
  try {
    wal = readFileSync(join(store.dir, `${DB_FILE}-wal`));
  } catch {
    return [];
  }
  const pages: number[] = [];
  for (let at = WAL_HEADER; at + FRAME_HEADER + pageSize <= wal.length; at += FRAME_HEADER + pageSize)
    pages.push(wal.readUInt32BE(at));
  return pages;
}

/**
 * The page numbers `write` appended to the WAL. The WAL is emptied first (a TRUNCATE checkpoint),
 * so call it with no checkpointer running and no other writer.
 */
export function framesOf(store: Store, write: () => unknown): number[] {
  store.db.pragma("wal_checkpoint(TRUNCATE)");
  write();
  return walFramePages(store);
}
