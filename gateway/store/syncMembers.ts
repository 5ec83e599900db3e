/**
 * Member documents from the central (sync.md) into the cache: checked whole as `accessgw import`
 * checks them, then written in chunks of a few milliseconds (each member whole) with deletions and
 * the multipacks a document no longer lists. Used by changes and by sync answers (syncApply.ts).
 */
import type { Member } from "../../config/members.js";
import { checkReferences, memberChecker, seenInMemory } from "../../config/references.js";
import type { ChangeSet } from "./changeSet.js";
import type { Store } from "./db.js";
import { historyCut } from "./historyFold.js";
import { importMembers, MEMBER_BATCH } from "./importer.js";
import {
  editLedger,
  editVisits,
  entrySums,
  hasLedger,
  isUnacked,
  readLedger,
  writeVisits,
} from "./packedHistory.js";

/**
 * What one chunk may take, its commit (WAL writes and an fsync) included: what a waiting scan sits
 * behind at most, give or take one member.
 */
const CHUNK_MS = 4;
/** A chunk writes for at least this long, however slow the commits get. */
const MIN_WRITE_MS = 0.5;
/** How long the reference checks of a part run before scans get in. */
const CHECK_MS = 2;
/**
 * About how long the members written between two looks at the clock take: as many as fit in it
 * (at least 1, at most MEMBER_BATCH) are written together, their rows in multi-row statements.
 */
const STEP_MS = 0.25;

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
  /** Collects what the members applied change, by id (issue 10 §7). */
  changes?: ChangeSet;
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
 * checkMembers a few milliseconds at a time, with the event loop let in between (scans decided): a
 * part of a thousand members takes about 10 ms to check, too long to hold a scan. The same problems
 * as checkMembers: one checker sees the whole part (ids and card numbers given twice in it).
 */
export async function checkMembersSliced(store: Store, members: Member[], name = "sync"): Promise<string[]> {
  const site = store.siteConfig();
  if (site === null) return checkMembers(store, members, name);
  const check = memberChecker(site, seenInMemory());
  const problems: string[] = [];
  let started = performance.now();
  for (const [i, m] of members.entries()) {
    problems.push(...check(name, i, m));
    if (performance.now() - started >= CHECK_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      started = performance.now();
    }
  }
  return problems;
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
  const problems = await checkMembersSliced(store, members, options.name);
  if (problems.length > 0) return rejected(problems);
  // The check's last slice took a few ms of its own: let waiting scans in before the first chunk.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const size = Math.max(1, options.chunkSize ?? 1000);
  const budget = options.chunkMs ?? CHUNK_MS;
  // What one member takes to write, measured as the chunks go (the first step writes one).
  let memberMs: number | undefined;
  const kept: string[] = [];
  const total = deletedMembers.length + members.length;
  let done = 0;
  // The commit (WAL writes, an fsync) is part of what a waiting scan sits behind, and grows with the
  // cache: the writing stops early by what the last commits took.
  let commitMs = 1;
  do {
    // One transaction takes members a few at a time until its time budget (or size) is used up.
    let wrote = 0;
    store.bulk(() => {
      const started = performance.now();
      const writeFor = Math.max(MIN_WRITE_MS, budget - commitMs);
      const written: Member[] = [];
      const limit = Math.min(total, done + size);
      do {
        const step =
          memberMs === undefined
            ? 1
            : Math.max(1, Math.min(MEMBER_BATCH, size, Math.floor(STEP_MS / memberMs)));
        const end = Math.min(limit, done + step);
        const stepStarted = performance.now();
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
        const perMember = (performance.now() - stepStarted) / (end - done);
        memberMs = memberMs === undefined ? perMember : 0.8 * memberMs + 0.2 * perMember;
        done = end;
        // As with one member a step: the last step may end past the budget by up to STEP_MS.
      } while (done < limit && performance.now() - started < writeFor);
      inChunk?.(written, done === total);
      wrote = performance.now();
    });
    commitMs = 0.7 * commitMs + 0.3 * (performance.now() - wrote);
    options.onProgress?.(done);
    if (done < total) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      // The checkpointer may need a moment without chunks to finish (walGate.ts); scans go on.
      await store.walGate.pass();
    }
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
  for (const id of dels)
    if (deleteMember(store, id)) options.changes?.add("members", [{ kind: "members", id, op: "removed" }]);
  if (docs.length === 0) return;
  const before = storedPacks(store, docs);
  // A multipack new to the store that already has entries (recorded here, kept when it was
  // dropped): the importer counts only entries new to the ledger, so it is recounted after. Most
  // new multipacks have none, and one indexed probe is far cheaper than recounting every one.
  const recounts: string[] = [];
  for (const m of docs) {
    const stored = new Set(before.get(m.id));
    for (const mp of m.multipacks) if (!stored.has(mp.id) && hasLedger(store, mp.id)) recounts.push(mp.id);
  }
  // The importer's upsert: fields and cards/blocks/bookings replaced, multipacks upserted, ledgers
  // merged; then the multipacks the document dropped (listed right after their member's other
  // changes). Written together only when no document lists a pack another one drops: the drop
  // must come first then, as it does member by member.
  const cut = historyCut(store);
  const drop = (m: Member) => {
    const sent = new Set(m.multipacks.map((mp) => mp.id));
    for (const id of before.get(m.id) ?? [])
      if (!sent.has(id) && dropMultipack(store, m, id, kept))
        options.changes?.add("members", [
          { kind: "members", id: m.id, op: "removed", part: "multipack", key: id },
        ]);
  };
  const origin = options.origin ?? "sync";
  if (docs.length === 1 || !handsOver(docs, before))
    importMembers(store, docs, origin, options.changes, cut, drop);
  else for (const m of docs) importMembers(store, [m], origin, options.changes, cut, drop);
  for (const id of recounts) recount(store, id);
}

/** The multipacks each document's member holds now, by member (one statement for the documents). */
function storedPacks(store: Store, docs: Member[]): Map<string, string[]> {
  const rows = store
    .prepare(
      "SELECT member_id AS member, id FROM multipacks WHERE member_id IN (SELECT value FROM json_each(?))",
    )
    .all(JSON.stringify(docs.map((m) => m.id))) as { member: string; id: string }[];
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const list = out.get(r.member);
    if (list) list.push(r.id);
    else out.set(r.member, [r.id]);
  }
  return out;
}

/** Whether a document lists a multipack that another document's member holds now. */
function handsOver(docs: Member[], before: Map<string, string[]>): boolean {
  const holder = new Map<string, string>();
  for (const [member, ids] of before) for (const id of ids) holder.set(id, member);
  return docs.some((m) => m.multipacks.some((mp) => (holder.get(mp.id) ?? m.id) !== m.id));
}

/**
 * A multipack the member document no longer lists. Kept (and reported) while it holds entries
 * recorded here that the central has not acked: dropping it would take back credits the member
 * used here before the central heard of them. Otherwise deleted with the entries the central sent;
 * entries recorded here stay (their events may still travel, and they count again if it returns).
 * Returns whether it was deleted.
 */
function dropMultipack(store: Store, m: Member, id: string, kept: string[]): boolean {
  // Does the multipack hold an entry recorded here that is still waiting for an ack?
  if (readLedger(store, id).some((e) => isUnacked(store, e))) {
    kept.push(id);
    return false;
  }
  // A document listing its visits has just said which of them stand (sync.md), the dropped pack's too.
  forgetMultipack(store, m.id, id, m.visits === undefined);
  return true;
}

function forgetMultipack(store: Store, memberId: string, id: string, derivedVisits = true): void {
  const central = new Set(editLedger(store, id, (e) => (e.origin === "local" ? e : null)).map((e) => e.id));
  // The visits derived from the entries deleted go too, so the same entries sent again insert them cleanly.
  if (derivedVisits && central.size > 0)
    editVisits(store, memberId, (v) => (v.multipack === id && central.has(v.id) ? null : v));
  store.prepare("DELETE FROM multipacks WHERE id = ?").run(id);
}

/**
 * A multipack new to the store may find entries recorded here before it was dropped (kept, see
 * above); the importer counted only entries new to the ledger, so its totals are recomputed (R16).
 */
function recount(store: Store, id: string): void {
  const entries = readLedger(store, id);
  const sums = entrySums(entries);
  const uses = entries.filter((e) => e.kind === "usage" && e.area !== null).map((e) => e.at);
  store
    .prepare(
      `UPDATE multipacks SET used = before_used + @used, added = before_added + @added,
         first_use_at = coalesce(@firstUse, first_use_at) WHERE id = @id`,
    )
    .run({ ...sums, firstUse: uses.length > 0 ? Math.min(...uses) : null, id });
}

/**
 * sync.md deletedMembers: the member, cards, multipacks (with the entries the central sent),
 * bookings, blocks, visits and presence go. Events, the outbox and entries recorded here stay:
 * they are history and must still reach the central with their ledger entries. Returns whether the
 * member was stored.
 */
export function deleteMember(store: Store, memberId: string): boolean {
  const mps = store
    .prepare("SELECT id FROM multipacks WHERE member_id = ?")
    .pluck()
    .all(memberId) as string[];
  for (const id of mps) forgetMultipack(store, memberId, id);
  for (const table of ["cards", "bookings", "blocks", "presence"])
    store.prepare(`DELETE FROM ${table} WHERE member_id = ?`).run(memberId);
  writeVisits(store, memberId, []);
  return store.prepare("DELETE FROM members WHERE id = ?").run(memberId).changes > 0;
}
