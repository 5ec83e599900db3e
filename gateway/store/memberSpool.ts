/**
 * Where a streamed import keeps the ids it has seen (member ids, card numbers… and where each was
 * first given) while it checks: a private SQLite file beside the cache (the data folder is on disk;
 * /tmp is often memory). Memory stays bounded whatever the file's size; the file is 0600 (card
 * numbers are member data) and removed afterwards.
 */
import { chmodSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { SeenIds } from "../../config/references.js";

/** The spool of one import; `close()` removes it. */
export class MemberSpool implements SeenIds {
  private generation = 0;

  private constructor(
    private readonly db: Database.Database,
    private readonly path: string,
  ) {}

  /** Creates an empty spool in the data folder `dir`. */
  static open(dir: string): MemberSpool {
    const path = join(dir, `import-${process.pid}-${Date.now()}.spool`);
    const db = new Database(path);
    try {
      chmodSync(path, 0o600);
      // Nothing here must survive a crash: no journal, no syncs, a small page cache.
      db.pragma("journal_mode = OFF");
      db.pragma("synchronous = OFF");
      db.pragma("cache_size = -4096");
      db.exec("CREATE TABLE seen (kind TEXT, key TEXT, at TEXT, PRIMARY KEY (kind, key)) WITHOUT ROWID;");
      db.exec("BEGIN");
      return new MemberSpool(db, path);
    } catch (err) {
      db.close();
      rmSync(path, { force: true });
      throw err;
    }
  }

  once(kind: string, key: string, where: string): string | undefined {
    return this.onceIn(0, kind, key, where);
  }

  /** Ids seen anew, apart from those seen so far (members checked a second time). */
  fresh(): SeenIds {
    const generation = ++this.generation;
    return { once: (kind, key, where) => this.onceIn(generation, kind, key, where) };
  }

  /** Closes and removes the spool. */
  close(): void {
    this.db.close();
    rmSync(this.path, { force: true });
  }

  private onceIn(generation: number, kind: string, key: string, where: string): string | undefined {
    const stored = generation === 0 ? kind : `${generation}:${kind}`;
    const added = this.statement(
      "INSERT INTO seen (kind, key, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    ).run(stored, key, where);
    if (added.changes > 0) return undefined;
    return (
      this.statement("SELECT at FROM seen WHERE kind = ? AND key = ?").get(stored, key) as { at: string }
    ).at;
  }

  private readonly statements = new Map<string, Database.Statement>();

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}
