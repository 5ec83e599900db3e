/**
 * R21: what the PIN step reads and writes in the cache: the member's PIN hash for a card, and the
 * wrong PINs in a row per card with the lock-out they lead to (migration 18). In the cache so that
 * a restart does not lift a lock-out; never synced: a lock-out holds "at this gateway".
 */
import type { Store } from "./db.js";

/** R21: wrong PINs in a row that lock a card. */
export const PIN_LOCK_FAILURES = 5;
/** R21: how long a locked card is refused `pin_locked`. */
export const PIN_LOCK_MS = 15 * 60_000;

/** The member a card belongs to, with what the PIN step needs of them. */
export interface PinHolder {
  memberId: string;
  locale: string | null;
  /** The PHC string, or null when the member has no PIN set. */
  pinHash: string | null;
}

/** R21: the holder of the card with this canonical number, or null for a card nobody holds. */
export function pinHolder(store: Store, canonical: string): PinHolder | null {
  const r = store
    .prepare(
      "SELECT m.id, m.locale, m.pin_hash FROM cards c JOIN members m ON m.id = c.member_id WHERE c.canonical = ?",
    )
    .raw(true)
    .get(canonical) as [string, string | null, string | null] | undefined;
  return r ? { memberId: r[0], locale: r[1], pinHash: r[2] } : null;
}

/** R21: until when (ms) the card is locked at `now`, or null when it is not. */
export function pinLockedUntil(store: Store, canonical: string, now: number): number | null {
  const until = store
    .prepare("SELECT locked_until FROM pin_failures WHERE card = ?")
    .pluck()
    .get(canonical) as number | null | undefined;
  return until != null && until > now ? until : null;
}

/**
 * R21: one more wrong PIN for the card at `now`; the fifth in a row locks it for PIN_LOCK_MS and
 * starts the count again (for after the lock). Returns until when it is locked, or null.
 */
export function recordWrongPin(store: Store, canonical: string, now: number): number | null {
  return store.db
    .transaction(() => {
      const failures =
        ((store.prepare("SELECT failures FROM pin_failures WHERE card = ?").pluck().get(canonical) as
          | number
          | undefined) ?? 0) + 1;
      const lockedUntil = failures >= PIN_LOCK_FAILURES ? now + PIN_LOCK_MS : null;
      store
        .prepare(
          `INSERT INTO pin_failures (card, failures, locked_until) VALUES (?, ?, ?)
           ON CONFLICT (card) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until`,
        )
        .run(canonical, lockedUntil === null ? failures : 0, lockedUntil);
      return lockedUntil;
    })
    .immediate();
}

/** R21: a right PIN: the count of wrong ones starts again. */
export function clearPinFailures(store: Store, canonical: string): void {
  store.prepare("DELETE FROM pin_failures WHERE card = ?").run(canonical);
}
