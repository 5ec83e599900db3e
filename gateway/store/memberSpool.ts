/**
 * Where a streamed import keeps its validated members and the ids it has seen until it writes them:
 * a private SQLite file beside the cache (the data folder is on disk; /tmp is often memory). Memory
 * stays bounded whatever the file's size; the file is 0600 (member data) and removed afterwards.
 */
import { chmodSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Member } from "../../config/members.js";
import type { SeenIds } from "../../config/references.js";

/** Members read back per query: a page is all that is held while checking or writing. */
const PAGE = 500;

/** A member of the spool, with the file and index it came from. */
export interface SpooledMember {
  file: number;
  index: number;
  member: Member;
}

/** The spool of one import; `close()` removes it. */
export class MemberSpool implements SeenIds {
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
      db.exec(`CREATE TABLE members (seq INTEGER PRIMARY KEY, file INTEGER, idx INTEGER, doc TEXT);
        CREATE TABLE seen (kind TEXT, key TEXT, at TEXT, PRIMARY KEY (kind, key)) WITHOUT ROWID;`);
      db.exec("BEGIN");
      return new MemberSpool(db, path);
    } catch (err) {
      db.close();
      rmSync(path, { force: true });
      throw err;
    }
  }

  /** Keeps a validated member. */
  add(file: number, index: number, member: Member): void {
    this.statement("INSERT INTO members (file, idx, doc) VALUES (?, ?, ?)").run(
      file,
      index,
      JSON.stringify(member),
    );
  }

  once(kind: string, key: string, where: string): string | undefined {
    const added = this.statement(
      "INSERT INTO seen (kind, key, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    ).run(kind, key, where);
    if (added.changes > 0) return undefined;
    return (this.statement("SELECT at FROM seen WHERE kind = ? AND key = ?").get(kind, key) as { at: string })
      .at;
  }

  /** Every member in the order added, a page at a time. */
  *members(): Generator<SpooledMember> {
    const page = this.statement("SELECT seq, file, idx, doc FROM members WHERE seq > ? ORDER BY seq LIMIT ?");
    let after = 0;
    for (;;) {
      const rows = page.all(after, PAGE) as { seq: number; file: number; idx: number; doc: string }[];
      for (const r of rows) yield { file: r.file, index: r.idx, member: JSON.parse(r.doc) as Member };
      if (rows.length < PAGE) return;
      after = (rows.at(-1) as { seq: number }).seq;
    }
  }

  /** Closes and removes the spool. */
  close(): void {
    this.db.close();
    rmSync(this.path, { force: true });
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
