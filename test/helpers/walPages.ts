/**
 * What one write transaction costs on disk: the WAL frames its commit appended (bench/walFrames.ts),
 * each named by the table or index whose page it holds (SQLite's dbstat table). Every frame is a
 * page the scan's commit writes and fsyncs (synchronous=FULL).
 */
import { framesOf } from "../../bench/walFrames.js";
import type { Store } from "../../gateway/store/db.js";

/** The frames `write` appended to the WAL, each named by its table or index, sorted by name. */
export function walPagesOf(store: Store, write: () => unknown): string[] {
  const frames = framesOf(store, write);
  const names = new Map(
    (store.db.prepare("SELECT pageno, name FROM dbstat").all() as { pageno: number; name: string }[]).map(
      (r) => [r.pageno, r.name],
    ),
  );
  return frames.map((p) => names.get(p) ?? `page ${p}`).sort();
}
