/**
 * Migration 16: the dictionary of the packed history (packedCodec.ts): areas, access types,
 * products, sites and ledger origins as small integers, in the `codes` table. A code is never
 * renumbered or reused, so a pack stays readable for good. Read once per database and kept in
 * memory; writers add texts as they meet them.
 */
import type Database from "better-sqlite3";
import { AccessGwError } from "../../config/errors.js";
import type { CodeBook } from "./packedCodec.js";

/**
 * The codes of one database. A code added inside a transaction is not remembered until it is
 * seen outside one: the transaction may roll back, and SQLite would then hand its number to
 * another text. Until then each use looks it up (a rare case: a text the cache never held) —
 * unless the writer that owns the transaction holds the book (holdCodes): then they are
 * remembered at once, and forgotten when it releases the book after its commit or rollback.
 */
class Codes implements CodeBook {
  private readonly byText = new Map<string, number>();
  private readonly byCode = new Map<number, string>();
  private pending = false;
  private holding = false;
  private readonly find: Database.Statement;
  private readonly name: Database.Statement;
  private readonly add: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.find = db.prepare("SELECT code FROM codes WHERE text = ?").pluck();
    this.name = db.prepare("SELECT text FROM codes WHERE code = ?").pluck();
    // Another process (a command beside the daemon) may have added the text since `find` missed.
    this.add = db
      .prepare(
        "INSERT INTO codes (text) VALUES (?) ON CONFLICT (text) DO UPDATE SET text = text RETURNING code",
      )
      .pluck();
    // Only this object adds codes to its database (or migration 16, with one of its own), so what
    // the table holds before it added any is committed, even when read inside a transaction.
    this.load();
  }

  private load(): void {
    this.byText.clear();
    this.byCode.clear();
    const rows = this.db.prepare("SELECT code, text FROM codes").raw().all() as [number, string][];
    for (const [code, text] of rows) this.remember(text, code);
    this.pending = false;
  }

  /** Outside a transaction, the codes added inside the last ones are committed or gone: read them again. */
  private settle(): void {
    if (this.pending && !this.db.inTransaction && !this.holding) this.load();
  }

  /** See holdCodes. */
  hold(): void {
    this.settle();
    this.holding = !this.db.inTransaction;
  }

  /** See releaseCodes. */
  release(): void {
    if (!this.holding) return;
    this.holding = false;
    if (!this.pending) return;
    if (!this.db.inTransaction) this.load();
    else {
      // Not the holder's own transaction that ended: what it remembered may yet roll back.
      this.byText.clear();
      this.byCode.clear();
    }
  }

  code(text: string): number {
    this.settle();
    const known = this.byText.get(text);
    if (known !== undefined) return known;
    const stored = this.find.get(text) as number | undefined;
    if (stored !== undefined) {
      if (!this.pending || this.holding) this.remember(text, stored);
      return stored;
    }
    const added = this.add.get(text) as number;
    if (this.db.inTransaction) this.pending = true;
    if (!this.pending || this.holding) this.remember(text, added);
    return added;
  }

  text(code: number): string {
    this.settle();
    const known = this.byCode.get(code);
    if (known !== undefined) return known;
    const stored = this.name.get(code) as string | undefined;
    if (stored === undefined)
      throw new AccessGwError(
        "STORE",
        `a packed history value names code ${code}, which the cache does not have`,
      );
    // Without codes of ours in an open transaction, what the table holds is committed (perhaps by another process).
    if (!this.pending || this.holding) this.remember(stored, code);
    return stored;
  }

  private remember(text: string, code: number): void {
    this.byText.set(text, code);
    this.byCode.set(code, text);
  }
}

const books = new WeakMap<Database.Database, Codes>();

/** A dictionary of its own for migration 16, which fills the table inside its transaction. */
export function migrationCodeBook(db: Database.Database): CodeBook {
  return new Codes(db);
}

/** The dictionary of this database, read once. */
export function codeBook(db: Database.Database): CodeBook {
  let book = books.get(db);
  if (book === undefined) {
    book = new Codes(db);
    books.set(db, book);
  }
  return book;
}

/**
 * Issue 12 §4: a bulk writer about to open a transaction of its own (none is open) holds the
 * book, so codes its transaction adds are remembered at once instead of looked up at each use;
 * it must call releaseCodes once that transaction is committed or rolled back.
 */
export function holdCodes(db: Database.Database): void {
  (codeBook(db) as Codes).hold();
}

/** Ends holdCodes: the codes added meanwhile are read again from what was committed. */
export function releaseCodes(db: Database.Database): void {
  (codeBook(db) as Codes).release();
}
