/**
 * Login rate limits (issue 11 §3): failed logins are counted per user name and per client address;
 * the 5th failure in a row locks that name, or that address, for 15 minutes, during which even the
 * right password is refused. A success clears the user's count (not the address's: one good login
 * must not reset the guessing of other names from the same place). A count left alone for 15
 * minutes is forgotten, so old typos do not add up over a day.
 */

/** Failures in a row that lock. */
export const MAX_FAILURES = 5;
/** How long a lock lasts, and how long a count is remembered. */
export const LOCK_MS = 15 * 60 * 1000;

interface Count {
  failures: number;
  last: number;
  lockedUntil: number;
}

/** A lock in force: on what, and for how much longer. */
export interface Lock {
  on: "user" | "address";
  /** The user name or the address locked. */
  key: string;
  /** Whole minutes left, at least 1 (what the page says). */
  minutesLeft: number;
  until: number;
}

/** The login rate limits of one console. */
export class LoginLimiter {
  private readonly counts = new Map<string, Count>();
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  /** The lock that refuses a login of `user` from `address` now, if any. */
  locked(user: string, address: string): Lock | undefined {
    const now = this.now();
    for (const [on, key] of keys(user, address)) {
      const c = this.counts.get(`${on}:${key}`);
      if (c && c.lockedUntil > now) return lockOf(on, key, c.lockedUntil, now);
    }
    return undefined;
  }

  /** Counts a failed login; returns the locks this failure started (for the log). */
  failure(user: string, address: string): Lock[] {
    const now = this.now();
    this.sweep(now);
    const started: Lock[] = [];
    for (const [on, key] of keys(user, address)) {
      const id = `${on}:${key}`;
      const c = this.counts.get(id) ?? { failures: 0, last: now, lockedUntil: 0 };
      c.failures += 1;
      c.last = now;
      if (c.failures >= MAX_FAILURES && c.lockedUntil <= now) {
        c.lockedUntil = now + LOCK_MS;
        c.failures = 0;
        started.push(lockOf(on, key, c.lockedUntil, now));
      }
      this.counts.set(id, c);
    }
    return started;
  }

  /** A good login: the user's failures are forgotten. */
  success(user: string): void {
    this.counts.delete(`user:${user}`);
  }

  /** Forgets counts neither locked nor touched for LOCK_MS (the map stays small under a scan of names). */
  private sweep(now: number): void {
    for (const [id, c] of this.counts)
      if (c.lockedUntil <= now && now - c.last >= LOCK_MS) this.counts.delete(id);
  }
}

function keys(user: string, address: string): [Lock["on"], string][] {
  return [
    ["user", user],
    ["address", address],
  ];
}

function lockOf(on: Lock["on"], key: string, until: number, now: number): Lock {
  return { on, key, until, minutesLeft: Math.max(1, Math.ceil((until - now) / 60_000)) };
}
