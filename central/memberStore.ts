/**
 * Members in the central's store: the file's document (`base`), the published document (`doc`, with
 * the ledger entries, visits and presence gateways reported folded in), the revision of each
 * member's last change, and tombstones of deleted members, so a hello can be answered with a replay
 * of what changed.
 */
import type { LedgerEntry, Member } from "../config/members.js";
import type { EventLedgerEntry } from "../config/protocol/events.js";
import type { CentralStore } from "./centralStore.js";
import { echoEntry, type KnownIds, publishedDoc } from "./memberDocs.js";
import { memberPresence, memberVisits } from "./memberHistory.js";
import { changesJson, changesOverhead, type Span, splitSpans } from "./messages.js";

/** How many members (and deleted ids) and bytes one message may carry. */
export interface MessageLimits {
  partMembers: number;
  partBytes: number;
}

/** The published document of a member, or null when the central does not have it. */
export function memberDoc(store: CentralStore, id: string): Member | null {
  const doc = store.prepare("SELECT doc FROM members WHERE id = ?").pluck().get(id) as string | undefined;
  return doc === undefined ? null : (JSON.parse(doc) as Member);
}

/** Every member's published document, in id order (what the editor's what-if starts from). */
export function publishedMembers(store: CentralStore): Member[] {
  const docs = store.prepare("SELECT doc FROM members WHERE doc <> '' ORDER BY id").pluck().all() as string[];
  return docs.map((d) => JSON.parse(d) as Member);
}

/** Ids of every stored member, in id order. */
export function memberIds(store: CentralStore): string[] {
  return store.prepare("SELECT id FROM members ORDER BY id").pluck().all() as string[];
}

/** How many members the central publishes. */
export function countMembers(store: CentralStore): number {
  return store.prepare("SELECT count(*) FROM members").pluck().get() as number;
}

/** The member that owns a multipack in the files, if any (also `accessgw import`'s owner check). */
export function multipackOwner(store: CentralStore, multipackId: string): string | undefined {
  return store.prepare("SELECT member_id FROM multipacks WHERE id = ?").pluck().get(multipackId) as
    | string
    | undefined;
}

/**
 * Stores a member as the files give it (a new member gets an empty published document until
 * `refreshDoc`); returns false when the stored base is the same. Undoes a tombstone: the member is back.
 */
export function writeBase(store: CentralStore, member: Member): boolean {
  const base = JSON.stringify(member);
  const stored = store.prepare("SELECT base FROM members WHERE id = ?").pluck().get(member.id) as
    | string
    | undefined;
  if (stored === base) return false;
  store
    .prepare(
      `INSERT INTO members (id, base, doc, bytes, rev) VALUES (?, ?, '', 0, 0)
       ON CONFLICT (id) DO UPDATE SET base = excluded.base`,
    )
    .run(member.id, base);
  store.prepare("DELETE FROM tombstones WHERE id = ?").run(member.id);
  store.prepare("DELETE FROM multipacks WHERE member_id = ?").run(member.id);
  store.prepare("DELETE FROM file_ledger WHERE member_id = ?").run(member.id);
  // Upserts: within one reload another member's old row may still hold the id (it is written next).
  const mp = store.prepare(
    "INSERT INTO multipacks (id, member_id) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET member_id = excluded.member_id",
  );
  const entry = store.prepare(
    "INSERT INTO file_ledger (id, member_id) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET member_id = excluded.member_id",
  );
  for (const m of member.multipacks) {
    mp.run(m.id, member.id);
    for (const e of m.ledger) entry.run(e.id, member.id);
  }
  return true;
}

/** Removes a member the files no longer have; its tombstone is written with its rev by `commitRevs`. */
export function removeMember(store: CentralStore, id: string): void {
  store.prepare("DELETE FROM members WHERE id = ?").run(id);
  store.prepare("DELETE FROM multipacks WHERE member_id = ?").run(id);
  store.prepare("DELETE FROM file_ledger WHERE member_id = ?").run(id);
}

/** The entries received for a multipack that the files do not already hold, as they are echoed. */
function receivedEntries(store: CentralStore, multipackId: string, known: KnownIds): LedgerEntry[] {
  const rows = store
    .prepare(
      `SELECT entry FROM ledger WHERE multipack_id = ?
       AND NOT EXISTS (SELECT 1 FROM file_ledger f WHERE f.id = ledger.id) ORDER BY id`,
    )
    .pluck()
    .all(multipackId) as string[];
  return rows.map((r) => echoEntry(JSON.parse(r) as EventLedgerEntry, known));
}

/**
 * Recomputes a member's published document from its base, the received entries and its movements
 * (visits, presence); stores it and returns true when it differs from the stored one (the member
 * then needs a new revision).
 */
export function refreshDoc(store: CentralStore, id: string, known: KnownIds): boolean {
  const row = store.prepare("SELECT base, doc FROM members WHERE id = ?").get(id) as
    | { base: string; doc: string }
    | undefined;
  if (row === undefined) return false;
  const doc = JSON.stringify(
    publishedDoc(
      JSON.parse(row.base) as Member,
      (mp) => receivedEntries(store, mp, known),
      { visits: memberVisits(store, id, known.site), presence: memberPresence(store, id) },
      known,
    ),
  );
  if (doc === row.doc) return false;
  store.prepare("UPDATE members SET doc = ?, bytes = ? WHERE id = ?").run(doc, Buffer.byteLength(doc), id);
  return true;
}

/**
 * Gives the changed members and the deleted ids their revisions: the next site revision, or several
 * consecutive ones when one `changes` message would carry more than the limits allow (deletions
 * first). Call inside the transaction that made the changes. Returns the revisions taken.
 */
export function commitRevs(
  store: CentralStore,
  changed: readonly string[],
  deleted: readonly string[],
  limits: MessageLimits,
): number[] {
  if (changed.length === 0 && deleted.length === 0) return [];
  const bytesOf = store.prepare("SELECT bytes FROM members WHERE id = ?").pluck();
  const items = [
    ...deleted.map((id) => ({ id, deleted: true, bytes: Buffer.byteLength(JSON.stringify(id)) })),
    ...changed.map((id) => ({ id, deleted: false, bytes: bytesOf.get(id) as number })),
  ];
  const spans: Span[] = splitSpans(
    items.map((i) => i.bytes),
    limits.partMembers,
    limits.partBytes,
    changesOverhead(),
  );
  const revs: number[] = [];
  let rev = store.siteRev();
  const tomb = store.prepare(
    "INSERT INTO tombstones (id, rev) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET rev = excluded.rev",
  );
  const bump = store.prepare("UPDATE members SET rev = ? WHERE id = ?");
  for (const span of spans) {
    rev++;
    revs.push(rev);
    for (const item of items.slice(span.start, span.end)) {
      if (item.deleted) tomb.run(item.id, rev);
      else bump.run(rev, item.id);
    }
  }
  store.setMeta("site_rev", rev);
  return revs;
}

/**
 * The `changes` message of revision `rev` as JSON text: the members whose last change it is (their
 * current documents, each through `shape`) and the members it deleted. A rev whose members all
 * changed again later is empty.
 */
export function changesAt(
  store: CentralStore,
  rev: number,
  shape: (json: string) => string = (json) => json,
): { json: string; members: number; deleted: number } {
  const docs = store
    .prepare("SELECT doc FROM members WHERE rev = ? ORDER BY id")
    .pluck()
    .all(rev) as string[];
  const deleted = store
    .prepare("SELECT id FROM tombstones WHERE rev = ? ORDER BY id")
    .pluck()
    .all(rev) as string[];
  return { json: changesJson(rev, docs.map(shape), deleted), members: docs.length, deleted: deleted.length };
}
