/**
 * Where a cache's bytes go (issue 12 §3): each table and index's pages and rows, from SQLite's
 * `dbstat` virtual table, divided by the members stored. Read after import and after the fold.
 */
import type { Store } from "../gateway/store/db.js";

/** One B-tree (a table or an index) of the cache. */
export interface TreeSize {
  name: string;
  /** Bytes of its pages (the file space it takes, free space in its pages included). */
  bytes: number;
  /** Rows (leaf cells) it holds. */
  rows: number;
}

/** The cache's B-trees, the largest first, with the members they serve. */
export interface CacheSize {
  members: number;
  /** Every page of the file, free pages included. */
  fileBytes: number;
  /** Pages freed (by the fold) that later writes reuse before the file grows again. */
  freeBytes: number;
  trees: TreeSize[];
}

/** Measures the cache by B-tree (dbstat); trees under 1 kB per 1,000 members are left out. */
export function cacheSize(store: Store): CacheSize {
  const members = (store.prepare("SELECT count(*) AS n FROM members").get() as { n: number }).n;
  const pageSize = store.db.pragma("page_size", { simple: true }) as number;
  const pages = store.db.pragma("page_count", { simple: true }) as number;
  const free = store.db.pragma("freelist_count", { simple: true }) as number;
  // aggregate=TRUE: one row per B-tree; ncell of leaf pages only would need the per-page form.
  const trees = store
    .prepare(
      `SELECT name, sum(pgsize) AS bytes, sum(CASE WHEN pagetype = 'leaf' THEN ncell ELSE 0 END) AS rows
       FROM dbstat GROUP BY name ORDER BY bytes DESC`,
    )
    .all() as TreeSize[];
  return {
    members,
    fileBytes: pageSize * pages,
    freeBytes: pageSize * free,
    trees: trees.filter((t) => t.bytes >= Math.max(1, members)),
  };
}

/** The breakdown as text lines: bytes and rows per member, by B-tree. */
export function renderCacheSize(title: string, s: CacheSize): string[] {
  const per = (n: number) => (s.members === 0 ? 0 : n / s.members);
  const lines = [
    `${title}: ${per(s.fileBytes - s.freeBytes).toFixed(0)} bytes per member in use, ` +
      `${per(s.fileBytes).toFixed(0)} with free pages (${s.members} members)`,
  ];
  for (const t of s.trees)
    lines.push(
      `  ${t.name.padEnd(22)} ${per(t.bytes).toFixed(1).padStart(8)} B/member ${per(t.rows).toFixed(2).padStart(7)} rows/member`,
    );
  return lines;
}
