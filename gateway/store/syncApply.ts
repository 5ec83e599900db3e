/**
 * Applying what the central sends (sync.md) to the cache: member documents, deletions, changes and
 * sync answers. Pure store functions: the MQTT client validates payloads and calls these.
 */
import type { Member } from "../../config/members.js";
import { checkReferences } from "../../config/references.js";
import { type Store, syncState } from "./db.js";
import { importMembers } from "./importer.js";

/**
 * What one chunk may take, its commit (WAL writes and an fsync) included: what a waiting scan sits
 * behind at most, give or take one member.
 */
const CHUNK_MS = 4;
/** A chunk writes for at least this long, however slow the commits get. */
const MIN_WRITE_MS = 0.5;
/** Members written between two looks at the clock. */
const STEP = 1;
/** Members looked at (and, when no snapshot part named them, deleted) per transaction. */
const DELETE_PAGE = 100;

/** Options of member application. */
export interface ApplyOptions {
  /** Names the payload in problems, e.g. `sync part 3/40`. */
  name?: string;
  /** Stored as the `origin` of ledger entries that are new here. */
  origin?: string;
  /** Instant of the apply (ms) for `lastSyncAt`. */
  now?: number;
  /** Most members per transaction for chunked application (default 1000). */
  chunkSize?: number;
  /** How long one chunk may take, its commit included, before scans get in (default 4 ms). */
  chunkMs?: number;
  /** Called after each committed chunk with the members applied so far (progress, metrics). */
  onProgress?: (applied: number) => void;
}

/** What applying members did; `applied` false means nothing changed and `problems` says why. */
export interface MembersOutcome {
  applied: boolean;
  problems: string[];
  members: number;
  deleted: number;
  /** Multipacks the documents omitted but kept: they hold entries recorded here not yet acked. */
  keptMultipacks: string[];
}

/**
 * Checks member documents against the stored site as `accessgw import` does, except that a
 * multipack may move to another member: the central is the authority (a pack handed over within a
 * family), and refusing the move would refuse every later answer that carries it too. The moved
 * pack's past visits stay with its former holder.
 */
export function checkMembers(store: Store, members: Member[], name = "sync"): string[] {
  return checkReferences([{ name, data: { members } }], store.siteConfig());
}

/**
 * sync.md: applies member documents and deletions in one transaction, or nothing when a document
 * refers to something the site does not have (the whole payload is refused, problems reported).
 */
export function applyMembers(
  store: Store,
  members: Member[],
  deletedMembers: string[],
  options: ApplyOptions = {},
  inChunk?: ChunkHook,
): MembersOutcome {
  const problems = checkMembers(store, members, options.name);
  if (problems.length > 0) return rejected(problems);
  const kept: string[] = [];
  store.db
    .transaction(() => {
      writeMembers(store, members, deletedMembers, options, kept);
      inChunk?.(members, true);
    })
    .immediate();
  return {
    applied: true,
    problems: [],
    members: members.length,
    deleted: deletedMembers.length,
    keptMultipacks: kept,
  };
}

/**
 * Applies like `applyMembers`, in chunks (deletions first) of at most `chunkSize` members that each
 * write for about `chunkMs`, yielding to the event loop between chunks so scans keep being decided. The payload is checked whole before
 * the first chunk, so a bad one still changes nothing. `inChunk` runs inside each chunk's
 * transaction: what marks the payload applied commits with its last members. A crash between chunks
 * leaves some members new and others old — each one whole — and the payload not marked applied, so
 * the central's resend re-applies it; that is safe because documents replace and ledgers merge by id.
 */
export async function applyMembersChunked(
  store: Store,
  members: Member[],
  deletedMembers: string[],
  options: ApplyOptions = {},
  inChunk?: ChunkHook,
): Promise<MembersOutcome> {
  const problems = checkMembers(store, members, options.name);
  if (problems.length > 0) return rejected(problems);
  // The check took a few ms of its own: let waiting scans in before the first chunk.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const size = Math.max(1, options.chunkSize ?? 1000);
  const budget = options.chunkMs ?? CHUNK_MS;
  const step = Math.min(size, STEP);
  const kept: string[] = [];
  const total = deletedMembers.length + members.length;
  let done = 0;
  // The commit (WAL writes, an fsync) is part of what a waiting scan sits behind, and grows with the
  // cache: the writing stops early by what the last commits took.
  let commitMs = 1;
  do {
    // One transaction takes members one at a time until its time budget (or size) is used up.
    let wrote = 0;
    store.bulk(() => {
      const started = performance.now();
      const writeFor = Math.max(MIN_WRITE_MS, budget - commitMs);
      const written: Member[] = [];
      const limit = Math.min(total, done + size);
      do {
        const end = Math.min(limit, done + step);
        const dels = deletedMembers.slice(
          Math.min(done, deletedMembers.length),
          Math.min(end, deletedMembers.length),
        );
        const docs = members.slice(
          Math.max(0, done - deletedMembers.length),
          Math.max(0, end - deletedMembers.length),
        );
        writeMembers(store, docs, dels, options, kept);
        written.push(...docs);
        done = end;
      } while (done < limit && performance.now() - started < writeFor);
      inChunk?.(written, done === total);
      wrote = performance.now();
    });
    commitMs = 0.7 * commitMs + 0.3 * (performance.now() - wrote);
    options.onProgress?.(done);
    if (done < total) await new Promise<void>((resolve) => setImmediate(resolve));
  } while (done < total);
  return {
    applied: true,
    problems: [],
    members: members.length,
    deleted: deletedMembers.length,
    keptMultipacks: kept,
  };
}

/** Runs inside a chunk's transaction with the documents it wrote; `last` for the payload's last chunk. */
export type ChunkHook = (docs: Member[], last: boolean) => void;

function rejected(problems: string[]): MembersOutcome {
  return { applied: false, problems, members: 0, deleted: 0, keptMultipacks: [] };
}

/** Deletions, then documents (a member both deleted and sent ends up as sent). */
function writeMembers(
  store: Store,
  docs: Member[],
  dels: string[],
  options: ApplyOptions,
  kept: string[],
): void {
  for (const id of dels) deleteMember(store, id);
  if (docs.length === 0) return;
  const before = new Map<string, string[]>();
  const mpOf = store.prepare("SELECT id FROM multipacks WHERE member_id = ?").pluck();
  for (const m of docs) before.set(m.id, mpOf.all(m.id) as string[]);
  // A multipack new to the store that already has entries (recorded here, kept when it was
  // dropped): the importer counts only entries new to the ledger, so it is recounted after. Most
  // new multipacks have none, and one indexed probe is far cheaper than recounting every one.
  const hasEntries = store.prepare("SELECT 1 FROM ledger WHERE multipack_id = ? LIMIT 1").pluck();
  const recounts: string[] = [];
  for (const m of docs) {
    const stored = new Set(before.get(m.id));
    for (const mp of m.multipacks) if (!stored.has(mp.id) && hasEntries.get(mp.id)) recounts.push(mp.id);
  }
  // The importer's upsert: fields and cards/blocks/bookings replaced, multipacks upserted, ledgers merged.
  importMembers(store, docs, options.origin ?? "sync");
  for (const m of docs) {
    const stored = new Set(before.get(m.id));
    const sent = new Set(m.multipacks.map((mp) => mp.id));
    for (const id of stored) if (!sent.has(id)) dropMultipack(store, m.id, id, kept);
  }
  for (const id of recounts) recount(store, id);
}

/** Is an entry recorded here (usage `G:seq` or refund `G:seq:refund`) still waiting for an ack? */
const UNACKED_LOCAL = `SELECT 1 FROM ledger l
  JOIN events e ON e.id = CASE WHEN l.id LIKE '%:refund' THEN substr(l.id, 1, length(l.id) - 7) ELSE l.id END
  JOIN outbox o ON o.seq = e.seq
  WHERE l.multipack_id = ? AND l.origin = 'local' LIMIT 1`;

/**
 * A multipack the member document no longer lists. Kept (and reported) while it holds entries
 * recorded here that the central has not acked: dropping it would take back credits the member
 * used here before the central heard of them. Otherwise deleted with the entries the central sent;
 * entries recorded here stay (their events may still travel, and they count again if it returns).
 */
function dropMultipack(store: Store, memberId: string, id: string, kept: string[]): void {
  if (store.prepare(UNACKED_LOCAL).get(id)) {
    kept.push(id);
    return;
  }
  forgetMultipack(store, memberId, id);
}

function forgetMultipack(store: Store, memberId: string, id: string): void {
  // The visits of the entries deleted go too, so the same entries sent again insert them cleanly.
  store
    .prepare(
      `DELETE FROM visits WHERE member_id = ? AND multipack_id = ?
       AND id IN (SELECT id FROM ledger WHERE multipack_id = ? AND origin <> 'local')`,
    )
    .run(memberId, id, id);
  store.prepare("DELETE FROM ledger WHERE multipack_id = ? AND origin <> 'local'").run(id);
  store.prepare("DELETE FROM multipacks WHERE id = ?").run(id);
}

/**
 * A multipack new to the store may find entries recorded here before it was dropped (kept, see
 * above); the importer counted only entries new to the ledger, so its totals are recomputed (R16).
 */
function recount(store: Store, id: string): void {
  store
    .prepare(
      `UPDATE multipacks SET
         used = (SELECT coalesce(sum(amount), 0) FROM ledger WHERE multipack_id = @id AND kind <> 'addition'),
         added = (SELECT coalesce(sum(amount), 0) FROM ledger WHERE multipack_id = @id AND kind = 'addition'),
         first_use_at = (SELECT min(at) FROM ledger WHERE multipack_id = @id AND kind = 'usage' AND area IS NOT NULL)
       WHERE id = @id`,
    )
    .run({ id });
}

/**
 * sync.md deletedMembers: the member, cards, multipacks (with the entries the central sent),
 * bookings, blocks, visits and presence go. Events, the outbox and entries recorded here stay:
 * they are history and must still reach the central with their ledger entries.
 */
export function deleteMember(store: Store, memberId: string): void {
  const mps = store
    .prepare("SELECT id FROM multipacks WHERE member_id = ?")
    .pluck()
    .all(memberId) as string[];
  for (const id of mps) forgetMultipack(store, memberId, id);
  for (const table of ["cards", "bookings", "blocks", "visits", "presence"])
    store.prepare(`DELETE FROM ${table} WHERE member_id = ?`).run(memberId);
  store.prepare("DELETE FROM members WHERE id = ?").run(memberId);
}

/** A `changes` message (sync.md). */
export interface SiteChanges {
  rev: number;
  members: Member[];
  deletedMembers: string[];
}

/** What became of a `changes` message; `gap` asks the client for a hello. */
export interface ChangesOutcome {
  status: "applied" | "duplicate" | "gap" | "rejected";
  problems: string[];
}

/**
 * sync.md changes: `rev` = last applied + 1 is applied (with the new revision, one transaction);
 * `rev` ≤ last applied is a duplicate, and so is one covered by the sync answer being applied (its
 * documents are newer); a higher `rev` is a gap. A refused change changes nothing, the revision
 * included: the gap it leaves makes the client resync.
 */
export function applyChanges(store: Store, change: SiteChanges, options: ApplyOptions = {}): ChangesOutcome {
  const { lastRev } = syncState(store);
  const answer = syncAnswer(store);
  if (change.rev <= lastRev || (answer && change.rev <= answer.toRev))
    return { status: "duplicate", problems: [] };
  if (change.rev > lastRev + 1) return { status: "gap", problems: [] };
  const out = applyMembers(
    store,
    change.members,
    change.deletedMembers,
    { name: `changes rev ${change.rev}`, ...options },
    () => setRev(store, change.rev, options.now),
  );
  return out.applied ? { status: "applied", problems: [] } : { status: "rejected", problems: out.problems };
}

function setRev(store: Store, rev: number, now: number | undefined): void {
  store
    .prepare("UPDATE sync_state SET last_rev = max(last_rev, ?), last_sync_at = coalesce(?, last_sync_at)")
    .run(rev, now ?? null);
}

/** A part of a sync answer (sync.md). */
export interface SyncPart extends Omit<SiteChanges, "rev"> {
  fromRev: number;
  toRev: number;
  snapshot: boolean;
  part: number;
  parts: number;
}

/** The sync answer being applied, as stored. */
export interface SyncAnswerState {
  fromRev: number;
  toRev: number;
  snapshot: boolean;
  parts: number;
  /** How many distinct parts have been applied (counted, not listed: an answer may have thousands). */
  received: number;
  /** The snapshot sweep's progress: members up to this id have been kept or deleted (crash-safe). */
  sweptTo: string | null;
}

/** The unfinished sync answer, or null. */
export function syncAnswer(store: Store): SyncAnswerState | null {
  const r = store.prepare("SELECT from_rev, to_rev, snapshot, parts, swept_to FROM sync_answer").get() as
    | { from_rev: number; to_rev: number; snapshot: number; parts: number; swept_to: string | null }
    | undefined;
  if (!r) return null;
  const received = store.prepare("SELECT count(*) FROM sync_answer_parts").pluck().get() as number;
  return {
    fromRev: r.from_rev,
    toRev: r.to_rev,
    snapshot: r.snapshot === 1,
    parts: r.parts,
    received,
    sweptTo: r.swept_to,
  };
}

/**
 * What became of a sync part: `complete` when it was the answer's last missing part; `current` when
 * it carries changes up to exactly the applied revision (the central's "you are in step" answer).
 */
export interface PartOutcome {
  status: "applied" | "complete" | "current" | "duplicate" | "gap" | "rejected";
  problems: string[];
}

/**
 * sync.md sync answers, part by part. Parts may come in any order and more than once (a part is
 * applied again: documents replace, ledgers merge by id). A part whose answer differs from the
 * unfinished one (other revisions or part count) starts a new answer and discards the old one's
 * progress. Each part is applied in chunks (see applyMembersChunked) and counts as received with its
 * last chunk. When every part is in: a snapshot deletes the members no part named, and the
 * revision becomes `toRev`. Changes up to the applied revision say the gateway is in step (`current`);
 * an answer older than that is a duplicate; changes that start after the applied revision are a gap.
 */
export async function applySyncPart(
  store: Store,
  p: SyncPart,
  options: ApplyOptions = {},
): Promise<PartOutcome> {
  if (!(p.part >= 1 && p.part <= p.parts && p.fromRev <= p.toRev))
    return {
      status: "rejected",
      problems: [`sync part ${p.part}/${p.parts}: expected 1 ≤ part ≤ parts and fromRev ≤ toRev`],
    };
  const { lastRev } = syncState(store);
  let answer = syncAnswer(store);
  const same =
    answer?.fromRev === p.fromRev &&
    answer.toRev === p.toRev &&
    answer.snapshot === p.snapshot &&
    answer.parts === p.parts;
  if (!same) {
    // Nothing newer than what is applied: the central confirms this gateway is in step.
    if (!p.snapshot && p.toRev === lastRev) return { status: "current", problems: [] };
    // An answer we are past would roll members back; a snapshot of the applied revision is harmless.
    if (p.toRev < lastRev) return { status: "duplicate", problems: [] };
    if (!p.snapshot && p.fromRev > lastRev) return { status: "gap", problems: [] };
    answer = {
      fromRev: p.fromRev,
      toRev: p.toRev,
      snapshot: p.snapshot,
      parts: p.parts,
      received: 0,
      sweptTo: null,
    };
    startAnswer(store, answer);
  }
  const out = await applyMembersChunked(
    store,
    p.members,
    p.deletedMembers,
    { name: `sync part ${p.part}/${p.parts}`, ...options },
    (docs, last) => {
      if (p.snapshot) {
        const name = store.prepare("INSERT OR IGNORE INTO sync_named (member_id) VALUES (?)");
        for (const m of docs) name.run(m.id);
      }
      if (last) store.prepare("INSERT OR IGNORE INTO sync_answer_parts (part) VALUES (?)").run(p.part);
    },
  );
  if (!out.applied) return { status: "rejected", problems: out.problems };
  return (await finishSyncAnswer(store, options))
    ? { status: "complete", problems: [] }
    : { status: "applied", problems: [] };
}

function startAnswer(store: Store, a: SyncAnswerState): void {
  store.db
    .transaction(() => {
      store.prepare("DELETE FROM sync_answer").run();
      store.prepare("DELETE FROM sync_answer_parts").run();
      store.prepare("DELETE FROM sync_named").run();
      store
        .prepare(
          "INSERT INTO sync_answer (singleton, from_rev, to_rev, snapshot, parts) VALUES (1, ?, ?, ?, ?)",
        )
        .run(a.fromRev, a.toRev, a.snapshot ? 1 : 0, a.parts);
    })
    .immediate();
}

/**
 * Ends the stored answer when every part is in (snapshot deletions in chunks, then the revision);
 * returns false while parts are missing. Call at start-up too: a crash during the deletions left
 * the answer complete but not finished, and finishing again is safe.
 */
export async function finishSyncAnswer(store: Store, options: ApplyOptions = {}): Promise<boolean> {
  const answer = syncAnswer(store);
  if (!answer || answer.received < answer.parts) return false;
  if (answer.snapshot) {
    // Walks the members a page at a time in id order (one short transaction each), so that a
    // million members never hold the event loop or the write lock in one step. Each page deletes
    // its unnamed members and forgets its names, and records how far the sweep got: after a crash
    // it resumes there (the names of the pages already swept are gone, and must not be needed).
    const page = store.prepare(
      `SELECT m.id, EXISTS (SELECT 1 FROM sync_named n WHERE n.member_id = m.id) AS named
       FROM members m WHERE m.id > ? ORDER BY m.id LIMIT ?`,
    );
    const size = Math.max(1, Math.min(options.chunkSize ?? DELETE_PAGE, DELETE_PAGE));
    let after = answer.sweptTo ?? "";
    for (;;) {
      const rows = page.all(after, size) as { id: string; named: number }[];
      if (rows.length === 0) break;
      const from = after;
      const to = (rows.at(-1) as { id: string }).id;
      store.bulk(() => {
        for (const r of rows) if (r.named === 0) deleteMember(store, r.id);
        store.prepare("DELETE FROM sync_named WHERE member_id > ? AND member_id <= ?").run(from, to);
        store.prepare("UPDATE sync_answer SET swept_to = ?").run(to);
      });
      after = to;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  store.bulk(() => {
    setRev(store, answer.toRev, options.now);
    store.prepare("DELETE FROM sync_answer").run();
    store.prepare("DELETE FROM sync_answer_parts").run();
    // What is left names no stored member: a few rows at most.
    store.prepare("DELETE FROM sync_named").run();
  });
  return true;
}
