import Database from "better-sqlite3";
import { expect } from "vitest";

/** One event row of a backup. */
export interface CopiedEvent {
  seq: number;
  id: string;
  doc: string;
}

/**
 * Opens a backup read-only and checks it is consistent: SQLite's integrity check passes and every
 * event is whole (its JSON names its own id and seq). Returns the events in seq order.
 */
export function wholeEvents(file: string): CopiedEvent[] {
  const db = new Database(file, { readonly: true });
  try {
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    const rows = db.prepare("SELECT seq, id, doc FROM events ORDER BY seq").all() as CopiedEvent[];
    for (const r of rows) expect(JSON.parse(r.doc)).toMatchObject({ id: r.id, seq: r.seq });
    return rows;
  } finally {
    db.close();
  }
}
