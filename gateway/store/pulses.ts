/**
 * The door pulse of a grant (migration 6): recorded 'pending' in the decision's transaction (R14),
 * 'done' once the relay finished it, 'failed' with the relay failure. A crash between the two
 * leaves it pending; the next start undoes such a grant like a relay failure when it is recent.
 */
import type { Store } from "./db.js";
import { decisionFromDoc, type RecordedEvent } from "./events.js";
import { type RelayFailureOutcome, recordRelayFailure } from "./relayFailure.js";

/**
 * A grant left pending at most this long before the start is undone. The member of such a grant
 * stood at a door that did not open (or may not have: a crash during the pulse counts as not
 * opened, so nobody pays for a door that stayed shut) and is likely still there: undone, the
 * re-scan is charged normally and R12 anti-passback does not refuse it. 30 s covers a restart by
 * the service manager and the pulse itself; a grant older than that met a gateway that was down
 * longer, and reception has dealt with its member (let in or not): undoing it then could clear
 * the presence of a member who is inside, so it stays charged and is reported instead.
 */
export const UNDO_PENDING_WITHIN_MS = 30_000;

/** Marks a grant's door pulse done (the relay finished it). */
export function markPulseDone(store: Store, seq: number): void {
  store.prepare("UPDATE events SET pulse = 'done' WHERE seq = ? AND pulse = 'pending'").run(seq);
}

/** What undoUnfinishedPulses did. */
export interface UnfinishedPulses {
  /** Grants undone like a relay failure, with what each refunded. */
  undone: { event: RecordedEvent; outcome: RelayFailureOutcome }[];
  /** Grants pending since longer than UNDO_PENDING_WITHIN_MS: left charged, marked 'unknown'. */
  unknown: RecordedEvent[];
}

/**
 * At start, before any card is decided: every grant whose door pulse never finished (the daemon
 * stopped in between) is undone like a relay failure when it was decided at most `withinMs` before
 * `now` (refund, visit removed, presence restored, event marked and queued again for sync); older
 * ones are marked 'unknown' so they are reported once. Grants without a door are never pending.
 */
export function undoUnfinishedPulses(
  store: Store,
  now: number,
  withinMs = UNDO_PENDING_WITHIN_MS,
): UnfinishedPulses {
  const docs = store
    .prepare("SELECT doc FROM events WHERE pulse = 'pending' ORDER BY seq")
    .pluck()
    .all() as string[];
  const result: UnfinishedPulses = { undone: [], unknown: [] };
  for (const doc of docs) {
    const event = decisionFromDoc(doc);
    if (now - Date.parse(event.at) <= withinMs) {
      result.undone.push({ event, outcome: recordRelayFailure(store, event, now) });
    } else {
      store.prepare("UPDATE events SET pulse = 'unknown' WHERE seq = ?").run(event.seq);
      result.unknown.push(event);
    }
  }
  return result;
}
