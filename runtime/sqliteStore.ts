/**
 * What the two SQLite stores share — the gateway's cache (gateway/store/db.ts) and the reference
 * central's store (central/centralStore.ts): the connection and its folder, statements prepared
 * once per connection, and the `meta` table of key/value rows.
 */
import type Database from "better-sqlite3";

/** An open SQLite store; `K` names the keys its `meta` table holds. */
export class SqliteStore<K extends string = string> {
  readonly db: Database.Database;
  readonly dir: string;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(dir: string, db: Database.Database) {
    this.dir = dir;
    this.db = db;
  }

  /** A prepared statement for `sql`, prepared once per store. */
  prepare(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** A value of the `meta` table. */
  meta(key: K): string | undefined {
    const row = this.prepare("SELECT value FROM meta WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  /** Sets a value of the `meta` table. */
  setMeta(key: K, value: string | number): void {
    this.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(key, String(value));
  }
}
