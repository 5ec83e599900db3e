import { canonicalCard } from "../../config/cardNumber.js";
import type { LoadedFile } from "../../config/dataFile.js";
import type { Member } from "../../config/members.js";
import { type ChangeReport, ChangeSet } from "./changeSet.js";
import type { Store } from "./db.js";
import { foldImported, historyCut } from "./historyFold.js";
import { applyLedgerBefore, foldedPacks, foldedThrough, mergeFrom } from "./ledgerFold.js";
import { mergeLedgers, type Totals, withLedgersFrom } from "./ledgerMerge.js";
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
 * member skips the deletes (it has nothing to delete), its ledger entries are written one packed
 * value per multipack and its visits one per member (migration 16), and each multipack's running
 * totals are written with its upsert.
 */

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
