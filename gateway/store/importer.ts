import { canonicalCard } from "../../config/cardNumber.js";
import type { LoadedFile } from "../../config/dataFile.js";
import { type LedgerEntry, ledgerKind, type Member } from "../../config/members.js";
import { type ChangeReport, ChangeSet } from "./changeSet.js";
import type { Store } from "./db.js";
import { foldImported, historyCut } from "./historyFold.js";
import { applyLedgerBefore, entriesFrom, foldedPacks, foldedThrough, mergeFrom } from "./ledgerFold.js";
import { mergeMemberHistory } from "./memberHistory.js";
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
  store.db
    .transaction(() => {
      for (const f of files) writeConfig(store, f, sum, changes);
      const cut = historyCut(store);
      for (const m of members) {
        if (changes) changes.add("members", memberChanges(store, m));
        upsertMember(store, m, origin, sum, cut);
        sum.members++;
      }
    })
    .immediate();
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
    for (const m of batch) {
      this.memberChanges.add("members", memberChanges(this.store, m));
      upsertMember(this.store, m, this.origin, this.sum, this.cut);
      this.sum.members++;
    }
  }

  /** Writes the files' configuration sections and commits; the summary lists configuration changes first. */
  finish(files: LoadedFile[]): ImportSummary {
    this.begin();
    const changes = new ChangeSet();
    for (const f of files) writeConfig(this.store, f, this.sum, changes);
    changes.append(this.memberChanges);
    this.store.db.exec("COMMIT");
    this.open = false;
    return { ...this.sum, files: files.length, changes: changes.report() };
  }

  /** Rolls back whatever was written: the import changes nothing. */
  abandon(): void {
    if (this.open && this.store.db.inTransaction) this.store.db.exec("ROLLBACK");
    this.open = false;
  }

  private begin(): void {
    if (this.open) return;
    this.store.db.exec("BEGIN IMMEDIATE");
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
 */
export function importMembers(
  store: Store,
  members: Member[],
  origin: string,
  changes?: ChangeSet,
  cut: number | null = historyCut(store),
): number {
  const sum = emptySummary(0);
  for (const m of members) {
    if (changes) changes.add("members", memberChanges(store, m));
    upsertMember(store, m, origin, sum, cut);
  }
  return members.length;
}

/*
 * Performance: a bulk import is dominated by the cost of each statement call, so a member is
 * written with as few calls as give the same result as upserting everything row by row: a new
 * member skips the deletes (it has nothing to delete), its ledger entries and visits are inserted
 * several rows per statement, and each multipack's running totals are written with its upsert.
 */

/** Rows per multi-row INSERT (8 columns each: 400 parameters, far below SQLite's limit). */
const BATCH = 50;

const LEDGER_INSERT =
  "INSERT INTO ledger (id, multipack_id, amount, at, area, access_type_id, kind, origin) VALUES ";
const VISIT_INSERT =
  "INSERT INTO visits (id, member_id, multipack_id, product_id, access_type_id, area, at, credits) VALUES ";
const ROW8 = "(?, ?, ?, ?, ?, ?, ?, ?)";
const ledgerSql: string[] = [];
const visitSql: string[] = [];

/** The INSERT of `n` ledger rows that returns the ids it actually inserted (R16: known ids are skipped). */
function ledgerBatchSql(n: number): string {
  let sql = ledgerSql[n];
  if (sql === undefined) {
    sql = `${LEDGER_INSERT}${Array(n).fill(ROW8).join(", ")} ON CONFLICT (multipack_id, id) DO NOTHING RETURNING id`;
    ledgerSql[n] = sql;
  }
  return sql;
}

function visitBatchSql(n: number): string {
  let sql = visitSql[n];
  if (sql === undefined) {
    sql = `${VISIT_INSERT}${Array(n).fill(ROW8).join(", ")}`;
    visitSql[n] = sql;
  }
  return sql;
}

/** A multipack's changes from the entries of this import that were new (R16). */
interface Totals {
  used: number;
  added: number;
  firstUse: number | null;
}

/** `cut`: where the last fold pass folded history to (historyFold.ts), read once per call of the caller. */
function upsertMember(store: Store, m: Member, origin: string, sum: ImportSummary, cut: number | null): void {
  const cardModels = JSON.stringify(m.cardModels);
  const codes = JSON.stringify(m.codes);
  const lockdown = m.lockdownAccess ? 1 : 0;
  // Migration 15: which of blocks (1) and bookings (2) a decision looks up; written with both tables.
  const probes = (m.blocks.length > 0 ? 1 : 0) | (m.bookings.length > 0 ? 2 : 0);
  const isNew =
    store
      .prepare(
        "INSERT INTO members (id, name, home_site, card_models, codes, locale, lockdown_access, probes) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
      )
      .run(m.id, m.name ?? null, m.homeSite ?? null, cardModels, codes, m.locale ?? null, lockdown, probes)
      .changes > 0;
  if (!isNew) {
    store
      .prepare(
        "UPDATE members SET name = ?, home_site = ?, card_models = ?, codes = ?, locale = ?, lockdown_access = ?, probes = ? WHERE id = ?",
      )
      .run(m.name ?? null, m.homeSite ?? null, cardModels, codes, m.locale ?? null, lockdown, probes, m.id);
    // Cards, blocks and bookings are the member's current state: replaced whole. (A member that
    // was not stored has none: they are only ever written here, with the member.)
    store.prepare("DELETE FROM cards WHERE member_id = ?").run(m.id);
    store.prepare("DELETE FROM blocks WHERE member_id = ?").run(m.id);
    store.prepare("DELETE FROM bookings WHERE member_id = ?").run(m.id);
  }
  if (m.cards.length > 0) {
    const card = store.prepare(
      `INSERT INTO cards (canonical, number, member_id, status, valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (canonical) DO UPDATE SET number = excluded.number, member_id = excluded.member_id,
         status = excluded.status, valid_from = excluded.valid_from, valid_to = excluded.valid_to`,
    );
    for (const c of m.cards)
      card.run(canonicalCard(c.number), c.number, m.id, c.status, c.validFrom ?? null, c.validTo ?? null);
  }
  if (m.blocks.length > 0) {
    const block = store.prepare(
      "INSERT INTO blocks (member_id, pos, reason, date_from, date_to, message) VALUES (?, ?, ?, ?, ?, ?)",
    );
    m.blocks.forEach((b, i) => {
      block.run(m.id, i, b.reason, b.from, b.to ?? null, b.message ?? null);
    });
  }
  if (m.bookings.length > 0) {
    const booking = store.prepare(
      `INSERT INTO bookings (id, member_id, area, start_at, end_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET member_id = excluded.member_id, area = excluded.area,
         start_at = excluded.start_at, end_at = excluded.end_at`,
    );
    for (const b of m.bookings) booking.run(b.id, m.id, b.area, Date.parse(b.start), Date.parse(b.end));
  }

  const totals = m.multipacks.map((): Totals => ({ used: 0, added: 0, firstUse: null }));
  // sync.md "History horizon": entries before a multipack's folded instant are in its sums already.
  // A new member's packs are looked up one by one: one may have moved from another member (syncMembers.ts).
  const folded = isNew ? undefined : foldedPacks(store, m.id);
  const from = m.multipacks.map((mp) =>
    mergeFrom(mp, folded ? folded.get(mp.id) : foldedThrough(store, mp.id)),
  );
  const rows = withLedgersFrom(m, from, sum);
  if (rows.multipacks.some((mp) => mp.ledger.length > 0)) mergeLedgers(store, rows, origin, totals, sum);
  // sync.md: the visits and movements of every gateway of the site, when the document has them.
  mergeMemberHistory(store, m, isNew);

  // The multipack's own fields are replaced; its running totals only grow by the new entries.
  const mpUpsert = store.prepare(
    `INSERT INTO multipacks (id, member_id, product_id, purchased_at, valid_from, valid_until, credits_base, status,
       suspensions, used, added, first_use_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET member_id = excluded.member_id, product_id = excluded.product_id,
       purchased_at = excluded.purchased_at, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
       credits_base = excluded.credits_base, status = excluded.status, suspensions = excluded.suspensions,
       used = used + excluded.used, added = added + excluded.added,
       first_use_at = CASE WHEN excluded.first_use_at IS NULL THEN first_use_at
                      ELSE min(coalesce(first_use_at, excluded.first_use_at), excluded.first_use_at) END`,
  );
  m.multipacks.forEach((mp, j) => {
    const t = totals[j] as Totals;
    mpUpsert.run(
      mp.id,
      m.id,
      mp.product,
      Date.parse(mp.purchasedAt),
      mp.validFrom ?? null,
      mp.validUntil ?? null,
      mp.creditsTotal ?? null,
      mp.status,
      JSON.stringify(mp.suspensions),
      t.used,
      t.added,
      t.firstUse,
    );
    sum.multipacks++;
  });
  m.multipacks.forEach((mp, j) => {
    applyLedgerBefore(store, mp, from[j] as number);
  });
  if (cut !== null) foldImported(store, m, cut);
}

/** The member with each multipack's ledger from `from[j]` on; the entries before count as known (R16). */
function withLedgersFrom(m: Member, from: number[], sum: ImportSummary): Member {
  if (from.every((f) => f === Number.NEGATIVE_INFINITY)) return m;
  return {
    ...m,
    multipacks: m.multipacks.map((mp, j) => {
      const ledger = entriesFrom(mp.ledger, from[j] as number);
      sum.ledgerKnown += mp.ledger.length - ledger.length;
      return { ...mp, ledger };
    }),
  };
}

/**
 * R16 for all the member's ledgers: the same effect as `mergeLedgerEntry` on each entry in turn
 * (an entry whose id is known, or repeated, changes nothing), in a few multi-row statements. A
 * document that lists its `visits` (sync.md) gets no visits derived from its usage entries: its
 * charged visits are among those listed, which replace the member's visits right after (writing
 * them twice would only cost time).
 */
function mergeLedgers(store: Store, m: Member, origin: string, totals: Totals[], sum: ImportSummary): void {
  const rows: { e: LedgerEntry; j: number; at: number; kind: NonNullable<LedgerEntry["kind"]> }[] = [];
  m.multipacks.forEach((mp, j) => {
    for (const e of mp.ledger) rows.push({ e, j, at: Date.parse(e.at), kind: ledgerKind(e) });
  });
  const inserted = new Set<string>();
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const params: unknown[] = [];
    for (const r of batch) {
      const mp = m.multipacks[r.j] as Member["multipacks"][number];
      params.push(r.e.id, mp.id, r.e.amount, r.at, r.e.area ?? null, r.e.accessType ?? null, r.kind, origin);
    }
    const ids = store.prepare(ledgerBatchSql(batch.length)).pluck().all(params) as string[];
    for (const id of ids) inserted.add(id);
  }
  const derive = m.visits === undefined;
  const visits: unknown[] = [];
  let visitRows = 0;
  const flushVisits = () => {
    if (visitRows > 0) store.prepare(visitBatchSql(visitRows)).run(visits);
    visits.length = 0;
    visitRows = 0;
  };
  for (const r of rows) {
    // Only the first occurrence of an id was inserted; a repeat is known, as it would be row by row.
    if (!inserted.delete(r.e.id)) {
      sum.ledgerKnown++;
      continue;
    }
    sum.ledgerAdded++;
    const t = totals[r.j] as Totals;
    if (r.kind === "addition") t.added += r.e.amount;
    else t.used += r.e.amount;
    if (r.kind === "usage" && r.e.area) {
      const mp = m.multipacks[r.j] as Member["multipacks"][number];
      if (derive) {
        visits.push(r.e.id, m.id, mp.id, mp.product, r.e.accessType ?? null, r.e.area, r.at, r.e.amount);
        if (++visitRows === BATCH) flushVisits();
      }
      t.firstUse = t.firstUse === null ? r.at : Math.min(t.firstUse, r.at);
    }
  }
  flushVisits();
}

/**
 * R16: adds a ledger entry unless its id is known; keeps the multipack's running totals and, for
 * usage with an area, the visit it stands for (R5 anchor, R7/R8 count). Returns false for a duplicate.
 */
export function mergeLedgerEntry(
  store: Store,
  memberId: string,
  multipackId: string,
  productId: string,
  e: LedgerEntry,
  origin: string,
): boolean {
  const kind = ledgerKind(e);
  const at = Date.parse(e.at);
  const inserted = store
    .prepare(
      `INSERT INTO ledger (id, multipack_id, amount, at, area, access_type_id, kind, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (multipack_id, id) DO NOTHING`,
    )
    .run(e.id, multipackId, e.amount, at, e.area ?? null, e.accessType ?? null, kind, origin);
  if (inserted.changes === 0) return false;
  if (kind === "addition")
    store.prepare("UPDATE multipacks SET added = added + ? WHERE id = ?").run(e.amount, multipackId);
  else store.prepare("UPDATE multipacks SET used = used + ? WHERE id = ?").run(e.amount, multipackId);
  if (kind === "usage" && e.area) {
    store
      .prepare(
        `INSERT INTO visits (id, member_id, multipack_id, product_id, access_type_id, area, at, credits)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.id, memberId, multipackId, productId, e.accessType ?? null, e.area, at, e.amount);
    store
      .prepare("UPDATE multipacks SET first_use_at = min(coalesce(first_use_at, ?), ?) WHERE id = ?")
      .run(at, at, multipackId);
  }
  return true;
}
