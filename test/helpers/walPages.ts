/**
 * What one write transaction costs on disk: the WAL frames its commit appended, each named by the
 * table or index whose page it holds (SQLite's dbstat table). A commit writes each changed page
 * once, as one frame, and fsyncs them all (synchronous=FULL), so the frames are the pages a scan
 * pays for.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DB_FILE, type Store } from "../../gateway/store/db.js";

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

/** The page number of every frame in the store's WAL file, in the order written. */
function walFramePages(store: Store): number[] {
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

/** The frames `write` appended to the WAL, each named by its table or index, sorted by name. */
export function walPagesOf(store: Store, write: () => unknown): string[] {
  // An empty WAL first, so every frame in it after `write` is `write`'s own.
  store.db.pragma("wal_checkpoint(TRUNCATE)");
  write();
  const names = new Map(
    (store.db.prepare("SELECT pageno, name FROM dbstat").all() as { pageno: number; name: string }[]).map(
      (r) => [r.pageno, r.name],
    ),
  );
  return walFramePages(store)
    .map((p) => names.get(p) ?? `page ${p}`)
    .sort();
}
