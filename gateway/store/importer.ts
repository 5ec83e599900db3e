import type { LoadedFile } from "../../config/dataFile.js";
import type { Member } from "../../config/members.js";
import { type ChangeReport, ChangeSet } from "./changeSet.js";
import type { Store } from "./db.js";
import { foldImported, historyCut } from "./historyFold.js";
import { applyLedgerBefore, foldedPacks, foldedThrough, mergeFrom } from "./ledgerFold.js";
import { mergeLedgers, type Totals, withLedgersFrom } from "./ledgerMerge.js";
import { mergeMemberHistory } from "./memberHistory.js";
import { independent, writeCardRows, writeMemberRows, writeMultipackRows } from "./memberRows.js";
import { holdCodes, releaseCodes } from "./packedCodes.js";
import { diffRecord, plain } from "./recordDiff.js";
import { SITE_TABLES } from "./siteTables.js";
import { memberChanges } from "./storedMember.js";

/** What an import changed, for the command line's summary. */
export interface ImportSummary {
  files: number;
  site: boolean;
  areas: number;
  accessTypes: number;
  products: number;
  limits: number;
  cardModels: number;
  members: number;
  multipacks: number;
  ledgerAdded: number;
  ledgerKnown: number;
  /** What changed, by id (when the caller asked for it). */
  changes?: ChangeReport;
}

/**
 * Loads validated files into the cache in one transaction: all or nothing. Configuration and
 * members are upserted by id; ledgers merge by entry id (R16), so entries recorded here are never
 * dropped by a re-import and an entry received twice changes nothing.
 */
export function importFiles(
  store: Store,
  files: LoadedFile[],
  origin = "import",
  changes?: ChangeSet,
): ImportSummary {
  return writeImport(
    store,
    files,
    files.flatMap((f) => f.data.members ?? []),
    origin,
    changes,
  );
}

/**
 * The transaction of an import: the files' configuration sections, then `members` (those of the
 * files, or a streamed import's, read as the transaction goes). Given `changes`, each record is
 * compared with what the cache held just before it was written, and the summary says what changed.
 */
export function writeImport(
  store: Store,
  files: LoadedFile[],
  members: Iterable<Member>,
  origin = "import",
  changes?: ChangeSet,
): ImportSummary {
  const sum = emptySummary(files.length);
  holdCodes(store.db);
  try {
    store.db
      .transaction(() => {
        for (const f of files) writeConfig(store, f, sum, changes);
        upsertAll(store, members, origin, sum, historyCut(store), changes);
      })
      .immediate();
  } finally {
    releaseCodes(store.db);
  }
  if (changes) sum.changes = changes.report();
  return sum;
}

/**
 * The writing half of a pipelined import (fileImport.ts): members as they are checked, in one
 * transaction opened with the first of them, then the files' configuration and the commit — or,
 * when the checks refuse the import, a rollback that leaves the cache as it was (all or nothing).
 */
export class ImportWriter {
  private readonly sum = emptySummary(0);
  private readonly memberChanges = new ChangeSet();
  private open = false;
  /** sync.md "History horizon": the last fold pass's cut, read when the transaction begins. */
  private cut: number | null = null;

  constructor(
    private readonly store: Store,
    private readonly origin: string,
  ) {}

  /** Writes checked members inside the import's transaction (begun by the first call). */
  members(batch: Iterable<Member>): void {
    this.begin();
    upsertAll(this.store, batch, this.origin, this.sum, this.cut, this.memberChanges);
  }

  /** Writes the files' configuration sections and commits; the summary lists configuration changes first. */
  finish(files: LoadedFile[]): ImportSummary {
    this.begin();
    const changes = new ChangeSet();
    for (const f of files) writeConfig(this.store, f, this.sum, changes);
    changes.append(this.memberChanges);
    this.store.db.exec("COMMIT");
    this.open = false;
    releaseCodes(this.store.db);
    return { ...this.sum, files: files.length, changes: changes.report() };
  }

  /** Rolls back whatever was written: the import changes nothing. */
  abandon(): void {
    if (this.open && this.store.db.inTransaction) this.store.db.exec("ROLLBACK");
    if (this.open) releaseCodes(this.store.db);
    this.open = false;
  }

  private begin(): void {
    if (this.open) return;
    holdCodes(this.store.db);
    try {
      this.store.db.exec("BEGIN IMMEDIATE");
    } catch (err) {
      releaseCodes(this.store.db);
      throw err;
    }
    this.open = true;
    this.cut = historyCut(this.store);
  }
}

function writeConfig(store: Store, f: LoadedFile, sum: ImportSummary, changes?: ChangeSet): void {
  if (changes) configChanges(store, f, changes);
  if (f.data.site) {
    store
      .prepare(
        "INSERT INTO site (singleton, id, doc) VALUES (1, ?, ?) ON CONFLICT DO UPDATE SET id = excluded.id, doc = excluded.doc",
      )
      .run(f.data.site.id, JSON.stringify(f.data.site));
    sum.site = true;
  }
  for (const [key, table] of SITE_TABLES) {
    const upsert = store.prepare(
      `INSERT INTO ${table} (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
    );
    for (const r of f.data[key] ?? []) {
      upsert.run(r.id, JSON.stringify(r));
      sum[key]++;
    }
  }
}

/** The changes of a file's configuration sections against the records stored now. */
function configChanges(store: Store, f: LoadedFile, changes: ChangeSet): void {
  if (f.data.site) {
    // Not plucked: the store shares prepared statements by their SQL, and others read this one whole.
    const row = store.prepare("SELECT doc FROM site WHERE singleton = 1").get() as
      | { doc: string }
      | undefined;
    const before = row === undefined ? undefined : (JSON.parse(row.doc) as Record<string, unknown>);
    changes.add("site", diffRecord("site", f.data.site.id, before, plain(f.data.site)));
  }
  for (const [key, table] of SITE_TABLES) {
    const stored = store.prepare(`SELECT doc FROM ${table} WHERE id = ?`);
    for (const r of f.data[key] ?? []) {
      const row = stored.get(r.id) as { doc: string } | undefined;
      const before = row === undefined ? undefined : (JSON.parse(row.doc) as Record<string, unknown>);
      changes.add(key, diffRecord(key, r.id, before, plain(r)));
    }
  }
}

function emptySummary(files: number): ImportSummary {
  return {
    files,
    site: false,
    areas: 0,
    accessTypes: 0,
    products: 0,
    limits: 0,
    cardModels: 0,
    members: 0,
    multipacks: 0,
    ledgerAdded: 0,
    ledgerKnown: 0,
  };
}

/**
 * Upserts members only, inside the caller's transaction (sync applies parts in its own chunks).
 * Unlike importFiles it leaves the cached site configuration alone: members are not part of it,
 * so scans decided between sync chunks keep the compiled site instead of rebuilding it each time.
 * `after(m)` runs after each member is written (upsertMembers).
 */
export function importMembers(
  store: Store,
  members: Member[],
  origin: string,
  changes?: ChangeSet,
  cut: number | null = historyCut(store),
  after?: (m: Member) => void,
): number {
  const sum = emptySummary(0);
  for (let start = 0; start < members.length; start += MEMBER_BATCH)
    upsertMembers(store, members.slice(start, start + MEMBER_BATCH), origin, sum, cut, changes, after);
  return members.length;
}

/*
 * Performance: a bulk import is dominated by the cost of each statement call, so members are
 * written with as few calls as give the same result as upserting everything row by row: the
 * member, card and multipack rows of a batch in multi-row statements (memberRows.ts), a new
 * member's deletes skipped (it has nothing to delete), its ledger entries written one packed value
 * per multipack and its visits one per member (migration 16), and each multipack's running totals
 * written with its upsert.
 */

/** Members per batch of multi-row statements (issue 12 §4). */
export const MEMBER_BATCH = 32;

/**
 * Upserts `members` in order, MEMBER_BATCH at a time, counted in `sum`; given `changes`, each
 * member is compared with what the cache held just before it was written. `cut`: where the last
 * fold pass folded history to (historyFold.ts), read once per call of the caller.
 */
function upsertAll(
  store: Store,
  members: Iterable<Member>,
  origin: string,
  sum: ImportSummary,
  cut: number | null,
  changes?: ChangeSet,
): void {
  let batch: Member[] = [];
  const flush = () => {
    upsertMembers(store, batch, origin, sum, cut, changes);
    sum.members += batch.length;
    batch = [];
  };
  for (const m of members) {
    batch.push(m);
    if (batch.length === MEMBER_BATCH) flush();
  }
  if (batch.length > 0) flush();
}

/**
 * Upserts `members` in order: together when they are independent (memberRows.ts), one by one
 * otherwise — the same rows either way. Each member's changes are taken before any is written,
 * which independence makes the same as just before its own write; they are added to `changes`
 * member by member after the write, each followed by `after(m)` (what the caller writes next for
 * that member, listed with its changes).
 */
export function upsertMembers(
  store: Store,
  members: Member[],
  origin: string,
  sum: ImportSummary,
  cut: number | null,
  changes?: ChangeSet,
  after?: (m: Member) => void,
): void {
  const batches = independent(members) ? [members] : members.map((m) => [m]);
  for (const batch of batches) {
    const diffs = changes ? batch.map((m) => memberChanges(store, m)) : [];
    upsertBatch(store, batch, origin, sum, cut);
    batch.forEach((m, i) => {
      changes?.add("members", diffs[i] ?? []);
      after?.(m);
    });
  }
}

function upsertBatch(
  store: Store,
  members: Member[],
  origin: string,
  sum: ImportSummary,
  cut: number | null,
): void {
  const stored = writeMemberRows(store, members);
  writeCardRows(store, members);
  const totals: Totals[][] = [];
  const froms: number[][] = [];
  for (const m of members) {
    const isNew = !stored.has(m.id);
    const t = m.multipacks.map((): Totals => ({ used: 0, added: 0, firstUse: null }));
    // sync.md "History horizon": entries before a multipack's folded instant are in its sums already.
    // A new member's packs are looked up one by one: one may have moved from another member (syncMembers.ts).
    const folded = isNew ? undefined : foldedPacks(store, m.id);
    const from = m.multipacks.map((mp) =>
      mergeFrom(mp, folded ? folded.get(mp.id) : foldedThrough(store, mp.id)),
    );
    const rows = withLedgersFrom(m, from, sum);
    if (rows.multipacks.some((mp) => mp.ledger.length > 0)) mergeLedgers(store, rows, origin, t, sum);
    // sync.md: the visits and movements of every gateway of the site, when the document has them.
    mergeMemberHistory(store, m, isNew);
    totals.push(t);
    froms.push(from);
  }
  sum.multipacks += writeMultipackRows(store, members, totals);
  members.forEach((m, i) => {
    m.multipacks.forEach((mp, j) => {
      applyLedgerBefore(store, mp, froms[i]?.[j] as number);
    });
    if (cut !== null) foldImported(store, m, cut);
  });
}
