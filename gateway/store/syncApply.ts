/**
 * Applying what the central sends (sync.md) to the cache: changes in revision order and sync answers
 * part by part, with a snapshot's deletions at the end. Pure store functions: the MQTT client
 * validates payloads and calls these; the member documents themselves go through syncMembers.ts.
 */
import type { Member } from "../../config/members.js";
import { type Store, syncState } from "./db.js";
import { type ApplyOptions, applyMembers, applyMembersChunked, deleteMember } from "./syncMembers.js";

/** Members looked at (and, when no snapshot part named them, deleted) per transaction. */
const DELETE_PAGE = 100;

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
        for (const r of rows)
          if (r.named === 0 && deleteMember(store, r.id))
            options.changes?.add("members", [{ kind: "members", id: r.id, op: "removed" }]);
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
