/**
 * Migration 16 (issue 12 §3): every read and write of the ledger and the visits goes through here.
 * A multipack's entries are one packed value (`ledger_packs`), a member's visits another
 * (`visit_packs`); packedCodec.ts says how they are laid out. Decisions never read the ledger (they
 * read the running totals on multipacks); they read the member's visits, newest first, up to the
 * instant the rules look back to.
 */
import type { Store } from "./db.js";
import {
  compareIds,
  decodeLedger,
  decodeVisits,
  encodeLedger,
  encodeVisits,
  type PackedEntry,
  type PackedVisit,
  packedCount,
  sortVisits,
} from "./packedCodec.js";
import { codeBook } from "./packedCodes.js";

export type { PackedEntry, PackedVisit } from "./packedCodec.js";

const LEDGER_GET = "SELECT entries FROM ledger_packs WHERE multipack_id = ?";
const LEDGER_PUT =
  "INSERT INTO ledger_packs (multipack_id, entries) VALUES (?, ?) ON CONFLICT (multipack_id) DO UPDATE SET entries = excluded.entries";
const VISITS_GET = "SELECT entries FROM visit_packs WHERE member_id = ?";
const VISITS_PUT =
  "INSERT INTO visit_packs (member_id, entries) VALUES (?, ?) ON CONFLICT (member_id) DO UPDATE SET entries = excluded.entries";

/** A multipack's ledger entries (R16), oldest first. */
export function readLedger(store: Store, multipackId: string): PackedEntry[] {
  const blob = store.prepare(LEDGER_GET).pluck().get(multipackId) as Buffer | undefined;
  return blob === undefined ? [] : decodeLedger(blob, codeBook(store.db));
}

/** Whether the multipack has ledger entries stored (one probe, nothing decoded). */
export function hasLedger(store: Store, multipackId: string): boolean {
  return store.prepare(LEDGER_GET).pluck().get(multipackId) !== undefined;
}

/** The instant of a multipack's oldest entry (packs are kept oldest first), or null without entries. */
export function oldestEntryAt(store: Store, multipackId: string): number | null {
  const blob = store.prepare(LEDGER_GET).pluck().get(multipackId) as Buffer | undefined;
  return blob === undefined ? null : (decodeLedger(blob, codeBook(store.db), 1)[0]?.at ?? null);
}

/** Stores a multipack's entries as they are given (none: its pack goes). */
export function writeLedger(store: Store, multipackId: string, entries: PackedEntry[]): void {
  if (entries.length === 0) {
    store.prepare("DELETE FROM ledger_packs WHERE multipack_id = ?").run(multipackId);
    return;
  }
  // In time order: the instants are stored as differences, small between neighbours.
  entries.sort((a, b) => a.at - b.at || compareIds(a.id, b.id));
  store.prepare(LEDGER_PUT).run(multipackId, encodeLedger(entries, codeBook(store.db)));
}

/**
 * R16: adds the entries whose id the multipack does not hold (an id given twice counts once) and
 * returns those added, in the order given.
 */
export function addEntries(store: Store, multipackId: string, entries: PackedEntry[]): PackedEntry[] {
  const stored = readLedger(store, multipackId);
  const known = new Set(stored.map((e) => e.id));
  const added = entries.filter((e) => !known.has(e.id) && known.add(e.id));
  if (added.length > 0) writeLedger(store, multipackId, [...stored, ...added]);
  return added;
}

/**
 * Keeps the multipack's entries `keep` accepts (an entry it returns replaced by that value) and
 * returns those removed; writes only when something changed.
 */
export function editLedger(
  store: Store,
  multipackId: string,
  keep: (e: PackedEntry) => PackedEntry | null,
): PackedEntry[] {
  const stored = readLedger(store, multipackId);
  const kept: PackedEntry[] = [];
  const removed: PackedEntry[] = [];
  let changed = false;
  for (const e of stored) {
    const next = keep(e);
    if (next === null) removed.push(e);
    else kept.push(next);
    if (next !== e) changed = true;
  }
  if (changed) writeLedger(store, multipackId, kept);
  return removed;
}

/** The sums of entries: additions raise `added`, every other kind `used` (R16). */
export function entrySums(entries: readonly { amount: number; kind: string }[]): {
  used: number;
  added: number;
} {
  const sums = { used: 0, added: 0 };
  for (const e of entries) {
    if (e.kind === "addition") sums.added += e.amount;
    else sums.used += e.amount;
  }
  return sums;
}

/**
 * An entry recorded here still waiting for the central's ack: its event is in the outbox (`G:seq`
 * for usage, `G:seq:refund` for a relay failure's refund, `G:seq:undo` for a grant nobody passed
 * through, doors.md D2), and it is not one whose event was acked before an undo queued it again
 * (ledgerFold.ts markAcked).
 */
export function isUnacked(store: Store, e: PackedEntry): boolean {
  if (e.origin !== "local") return false;
  const eventId = e.id.replace(/:(refund|undo)$/, "");
  const queued = store
    .prepare("SELECT 1 FROM events e JOIN outbox o ON o.seq = e.seq WHERE e.id = ?")
    .get(eventId);
  return (
    queued !== undefined && store.prepare("SELECT 1 FROM ledger_acked WHERE id = ?").get(e.id) === undefined
  );
}

/**
 * The member's counted visits, newest first; with `since`, only those from it on (decoding stops
 * at the first older one).
 */
export function readVisits(store: Store, memberId: string, since?: number): PackedVisit[] {
  const blob = store.prepare(VISITS_GET).pluck().get(memberId) as Buffer | undefined;
  return blob === undefined ? [] : decodeVisits(blob, codeBook(store.db), since);
}

/** Stores the member's visits (none: the pack goes). */
export function writeVisits(store: Store, memberId: string, visits: PackedVisit[]): void {
  if (visits.length === 0) {
    store.prepare("DELETE FROM visit_packs WHERE member_id = ?").run(memberId);
    return;
  }
  store.prepare(VISITS_PUT).run(memberId, encodeVisits(sortVisits(visits), codeBook(store.db)));
}

/**
 * Deletes the member's visits before `cut` (the history horizon's fold): only those kept are
 * decoded, and nothing is written when none is older. Returns how many went.
 */
export function dropVisitsBefore(store: Store, memberId: string, cut: number): number {
  const blob = store.prepare(VISITS_GET).pluck().get(memberId) as Buffer | undefined;
  if (blob === undefined) return 0;
  const kept = decodeVisits(blob, codeBook(store.db), cut);
  const dropped = packedCount(blob) - kept.length;
  if (dropped > 0) writeVisits(store, memberId, kept);
  return dropped;
}

/** Adds visits to the member's; one with the time and id of a stored visit is that visit (the old key). */
export function addVisits(store: Store, memberId: string, visits: PackedVisit[]): void {
  if (visits.length === 0) return;
  const stored = readVisits(store, memberId);
  const keys = new Set(stored.map(visitKey));
  const added = visits.filter((v) => !keys.has(visitKey(v)) && keys.add(visitKey(v)));
  if (added.length > 0) writeVisits(store, memberId, [...stored, ...added]);
}

/**
 * Keeps the member's visits `keep` accepts (a visit it returns replaced by that value); writes
 * only when something changed. Returns how many were removed.
 */
export function editVisits(
  store: Store,
  memberId: string,
  keep: (v: PackedVisit) => PackedVisit | null,
): number {
  const stored = readVisits(store, memberId);
  const kept: PackedVisit[] = [];
  let changed = false;
  for (const v of stored) {
    const next = keep(v);
    if (next !== null) kept.push(next);
    if (next !== v) changed = true;
  }
  if (changed) writeVisits(store, memberId, kept);
  return stored.length - kept.length;
}

function visitKey(v: PackedVisit): string {
  return `${v.at}\u0000${v.id}`;
}
