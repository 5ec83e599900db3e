import { canonicalCard } from "../../config/cardNumber.js";
import type { LoadedFile } from "../../config/dataFile.js";
import type { LedgerEntry, Member } from "../../config/members.js";
import type { Store } from "./db.js";

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
}

const CONFIG_TABLES = [
  ["areas", "areas"],
  ["accessTypes", "access_types"],
  ["products", "products"],
  ["limits", "limits"],
  ["cardModels", "card_models"],
] as const;

/**
 * Loads validated files into the cache in one transaction: all or nothing. Configuration and
 * members are upserted by id; ledgers merge by entry id (R16), so entries recorded here are never
 * dropped by a re-import and an entry received twice changes nothing.
 */
export function importFiles(store: Store, files: LoadedFile[], origin = "import"): ImportSummary {
  const sum: ImportSummary = {
    files: files.length,
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
  store.db
    .transaction(() => {
      for (const f of files) {
        if (f.data.site) {
          store
            .prepare(
              "INSERT INTO site (singleton, id, doc) VALUES (1, ?, ?) ON CONFLICT DO UPDATE SET id = excluded.id, doc = excluded.doc",
            )
            .run(f.data.site.id, JSON.stringify(f.data.site));
          sum.site = true;
        }
        for (const [key, table] of CONFIG_TABLES) {
          const upsert = store.prepare(
            `INSERT INTO ${table} (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
          );
          for (const r of f.data[key] ?? []) {
            upsert.run(r.id, JSON.stringify(r));
            sum[key]++;
          }
        }
      }
      for (const f of files)
        for (const m of f.data.members ?? []) {
          upsertMember(store, m, origin, sum);
          sum.members++;
        }
    })
    .immediate();
  store.invalidateSite();
  return sum;
}

function upsertMember(store: Store, m: Member, origin: string, sum: ImportSummary): void {
  store
    .prepare(
      `INSERT INTO members (id, name, home_site, card_models) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, home_site = excluded.home_site, card_models = excluded.card_models`,
    )
    .run(m.id, m.name ?? null, m.homeSite ?? null, JSON.stringify(m.cardModels));
  // Cards, blocks and bookings are the member's current state: replaced whole.
  store.prepare("DELETE FROM cards WHERE member_id = ?").run(m.id);
  const card = store.prepare(
    `INSERT INTO cards (canonical, number, member_id, status, valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (canonical) DO UPDATE SET number = excluded.number, member_id = excluded.member_id,
       status = excluded.status, valid_from = excluded.valid_from, valid_to = excluded.valid_to`,
  );
  for (const c of m.cards)
    card.run(canonicalCard(c.number), c.number, m.id, c.status, c.validFrom ?? null, c.validTo ?? null);
  store.prepare("DELETE FROM blocks WHERE member_id = ?").run(m.id);
  const block = store.prepare(
    "INSERT INTO blocks (member_id, pos, reason, date_from, date_to, message) VALUES (?, ?, ?, ?, ?, ?)",
  );
  m.blocks.forEach((b, i) => {
    block.run(m.id, i, b.reason, b.from, b.to ?? null, b.message ?? null);
  });
  store.prepare("DELETE FROM bookings WHERE member_id = ?").run(m.id);
  const booking = store.prepare(
    `INSERT INTO bookings (id, member_id, area, start_at, end_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET member_id = excluded.member_id, area = excluded.area,
       start_at = excluded.start_at, end_at = excluded.end_at`,
  );
  for (const b of m.bookings) booking.run(b.id, m.id, b.area, Date.parse(b.start), Date.parse(b.end));

  const mpUpsert = store.prepare(
    `INSERT INTO multipacks (id, member_id, product_id, purchased_at, valid_from, valid_until, credits_base, status, suspensions)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET member_id = excluded.member_id, product_id = excluded.product_id,
       purchased_at = excluded.purchased_at, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
       credits_base = excluded.credits_base, status = excluded.status, suspensions = excluded.suspensions`,
  );
  for (const mp of m.multipacks) {
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
    );
    sum.multipacks++;
    for (const e of mp.ledger) {
      if (mergeLedgerEntry(store, m.id, mp.id, mp.product, e, origin)) sum.ledgerAdded++;
      else sum.ledgerKnown++;
    }
  }
}

/** The kind of an entry: explicit, else usage when positive and refund when negative (R16). */
export function ledgerKind(e: Pick<LedgerEntry, "kind" | "amount">): NonNullable<LedgerEntry["kind"]> {
  return e.kind ?? (e.amount < 0 ? "refund" : "usage");
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
       ON CONFLICT (id) DO NOTHING`,
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
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      )
      .run(e.id, memberId, multipackId, productId, e.accessType ?? null, e.area, at, e.amount);
    store
      .prepare("UPDATE multipacks SET first_use_at = min(coalesce(first_use_at, ?), ?) WHERE id = ?")
      .run(at, at, multipackId);
  }
  return true;
}
