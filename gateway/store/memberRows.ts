/**
 * Member, card and multipack rows of several members written with multi-row statements (issue 12
 * §4): a bulk import or a sync part is dominated by the cost of each statement call, so the rows
 * of a batch go in statements of 32, 8 and 1 rows (each row count prepared once). The importer's
 * per-member work (ledgers, visits and presence, folds) runs between them, member by member.
 */
import { canonicalCard } from "../../config/cardNumber.js";
import type { Member } from "../../config/members.js";
import type { Store } from "./db.js";
import type { Totals } from "./ledgerMerge.js";

/** Rows per statement, largest first: a batch's rows are split into as few statements of these. */
const ROW_COUNTS = [32, 8, 1] as const;

const MEMBER_UPSERT = {
  head: "INSERT INTO members (id, name, home_site, card_models, codes, locale, lockdown_access, probes, pin_hash)",
  tail: `ON CONFLICT (id) DO UPDATE SET name = excluded.name, home_site = excluded.home_site,
    card_models = excluded.card_models, codes = excluded.codes, locale = excluded.locale,
    lockdown_access = excluded.lockdown_access, probes = excluded.probes, pin_hash = excluded.pin_hash`,
  columns: 9,
};

const CARD_UPSERT = {
  head: "INSERT INTO cards (canonical, number, member_id, status, valid_from, valid_to)",
  tail: `ON CONFLICT (canonical) DO UPDATE SET number = excluded.number, member_id = excluded.member_id,
    status = excluded.status, valid_from = excluded.valid_from, valid_to = excluded.valid_to`,
  columns: 6,
};

// The multipack's own fields are replaced; its running totals only grow by the new entries.
const MULTIPACK_UPSERT = {
  head: `INSERT INTO multipacks (id, member_id, product_id, purchased_at, valid_from, valid_until, credits_base,
    status, suspensions, used, added, first_use_at)`,
  tail: `ON CONFLICT (id) DO UPDATE SET member_id = excluded.member_id, product_id = excluded.product_id,
    purchased_at = excluded.purchased_at, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
    credits_base = excluded.credits_base, status = excluded.status, suspensions = excluded.suspensions,
    used = used + excluded.used, added = added + excluded.added,
    first_use_at = CASE WHEN excluded.first_use_at IS NULL THEN first_use_at
                   ELSE min(coalesce(first_use_at, excluded.first_use_at), excluded.first_use_at) END`,
  columns: 12,
};

interface RowStatement {
  head: string;
  tail: string;
  columns: number;
}

const sqlCache = new Map<string, string>();

function rowsSql(s: RowStatement, rows: number): string {
  const key = `${rows}\u0000${s.head}`;
  let sql = sqlCache.get(key);
  if (sql === undefined) {
    const row = `(${Array(s.columns).fill("?").join(", ")})`;
    sql = `${s.head} VALUES ${Array(rows).fill(row).join(", ")} ${s.tail}`;
    sqlCache.set(key, sql);
  }
  return sql;
}

/** Writes `values` (rows of `s.columns` values, flattened, in order) in statements of 32, 8 and 1 rows. */
function writeRows(store: Store, s: RowStatement, values: unknown[]): void {
  const total = values.length / s.columns;
  let done = 0;
  for (const n of ROW_COUNTS)
    while (total - done >= n) {
      store.prepare(rowsSql(s, n)).run(values.slice(done * s.columns, (done + n) * s.columns));
      done += n;
    }
}

/**
 * Whether the members can be written together: no member, card, multipack or booking is named by
 * two of them. Then no member's rows depend on another's having been written first, and the batch
 * writes exactly what member-by-member upserts would; otherwise the caller writes them one by one.
 */
export function independent(members: Member[]): boolean {
  if (members.length < 2) return true;
  const ids = new Set<string>();
  const cards = new Set<string>();
  const packs = new Set<string>();
  const bookings = new Set<string>();
  const fresh = (seen: Set<string>, keys: string[]) => {
    const mine = new Set(keys);
    for (const k of mine) {
      if (seen.has(k)) return false;
      seen.add(k);
    }
    return true;
  };
  return members.every(
    (m) =>
      fresh(ids, [m.id]) &&
      fresh(
        cards,
        m.cards.map((c) => canonicalCard(c.number)),
      ) &&
      fresh(
        packs,
        m.multipacks.map((mp) => mp.id),
      ) &&
      fresh(
        bookings,
        m.bookings.map((b) => b.id),
      ),
  );
}

/**
 * The member rows of a batch, each upserted; returns the ids that were stored before (their cards,
 * blocks and bookings are replaced whole: deleted here, written again by the caller).
 */
export function writeMemberRows(store: Store, members: Member[]): Set<string> {
  const stored = new Set(
    store
      .prepare("SELECT id FROM members WHERE id IN (SELECT value FROM json_each(?))")
      .pluck()
      .all(JSON.stringify(members.map((m) => m.id))) as string[],
  );
  const values: unknown[] = [];
  for (const m of members)
    values.push(
      m.id,
      m.name ?? null,
      m.homeSite ?? null,
      JSON.stringify(m.cardModels),
      JSON.stringify(m.codes),
      m.locale ?? null,
      m.lockdownAccess ? 1 : 0,
      // Migration 15: which of blocks (1) and bookings (2) a decision looks up.
      (m.blocks.length > 0 ? 1 : 0) | (m.bookings.length > 0 ? 2 : 0),
      m.pinHash ?? null,
    );
  writeRows(store, MEMBER_UPSERT, values);
  if (stored.size > 0) {
    // Cards, blocks and bookings are the member's current state: replaced whole. (A member that
    // was not stored has none: they are only ever written with the member.)
    const ids = JSON.stringify([...stored]);
    for (const table of ["cards", "blocks", "bookings"])
      store.prepare(`DELETE FROM ${table} WHERE member_id IN (SELECT value FROM json_each(?))`).run(ids);
  }
  return stored;
}

/** The batch's cards, blocks and bookings (the members' current state, after writeMemberRows). */
export function writeCardRows(store: Store, members: Member[]): void {
  const values: unknown[] = [];
  for (const m of members)
    for (const c of m.cards)
      values.push(canonicalCard(c.number), c.number, m.id, c.status, c.validFrom ?? null, c.validTo ?? null);
  writeRows(store, CARD_UPSERT, values);
  for (const m of members) {
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
  }
}

/** The batch's multipacks, upserted with what their new ledger entries add (`totals[i][j]`, R16). */
export function writeMultipackRows(store: Store, members: Member[], totals: Totals[][]): number {
  const values: unknown[] = [];
  members.forEach((m, i) => {
    m.multipacks.forEach((mp, j) => {
      const t = totals[i]?.[j] as Totals;
      values.push(
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
    });
  });
  writeRows(store, MULTIPACK_UPSERT, values);
  return values.length / MULTIPACK_UPSERT.columns;
}
