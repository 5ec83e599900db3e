/**
 * Logged-in sessions, in memory (a restart logs everybody out, which a console on a door box can
 * afford). The id and the CSRF token are 32 random bytes each; the cookie `accessgw_session` is
 * HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Path=/ and Secure
 * under TLS. A session ends after 12 h without a request, at logout, and at the next request after
 * its user was removed or given a new password (the users file is read again when it changes).
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { SessionLookup } from "./router.js";
import type { UserRecord, UsersFile } from "./users.js";
import type { WebRequest, WebSession } from "./webTypes.js";

/** The session cookie's name. */
export const SESSION_COOKIE = "accessgw_session";

/** Issue 11 §3: a session ends after 12 hours without a request. */
export const IDLE_MS = 12 * 60 * 60 * 1000;

interface Held {
  session: WebSession;
  lastSeen: number;
  /** The user's hash at login: another hash (new password, removed and added again) ends the session. */
  hash: string;
}

/** The value of one cookie of a request, or undefined. */
export function cookieValue(req: WebRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** What Sessions needs: the users file, the clock and the log. */
export interface SessionsOptions {
  users: UsersFile;
  now: () => number;
  logger: Logger;
}

/** The sessions of one console; the router's SessionLookup. */
export class Sessions implements SessionLookup {
  private readonly held = new Map<string, Held>();
  private readonly o: SessionsOptions;

  constructor(o: SessionsOptions) {
    this.o = o;
  }

  /** A new session for a user who just logged in, and the Set-Cookie header that carries it. */
  start(user: UserRecord, req: WebRequest): { session: WebSession; cookie: string } {
    this.sweep();
    const session: WebSession = {
      id: randomBytes(32).toString("base64url"),
      user: user.name,
      role: user.role,
      csrf: randomBytes(32).toString("base64url"),
    };
    this.held.set(session.id, { session, lastSeen: this.o.now(), hash: user.hash });
    // No Max-Age: the server ends it after 12 h idle, and a browser that is closed forgets it.
    return { session, cookie: sessionCookie(session.id, req.secure) };
  }

  /** The request's session, when its cookie names one that is still valid; a request keeps it alive. */
  session(req: WebRequest): WebSession | undefined {
    const id = cookieValue(req, SESSION_COOKIE);
    if (id === undefined) return undefined;
    const held = this.held.get(id);
    if (!held) return undefined;
    const now = this.o.now();
    const ended = this.whyEnded(held, now);
    if (ended) {
      this.held.delete(id);
      this.o.logger.info({ user: held.session.user, address: req.remote, why: ended }, "session ended");
      return undefined;
    }
    held.lastSeen = now;
    return held.session;
  }

  /**
   * Whether the session is still held and valid, without counting as a use (an open event stream
   * asks this: it must end with its session, not keep it alive).
   */
  alive(id: string): boolean {
    const held = this.held.get(id);
    return held !== undefined && !this.whyEnded(held, this.o.now());
  }

  /** Ends a session (logout). */
  end(id: string): void {
    this.held.delete(id);
  }

  /** How many sessions are held (for the status page and tests). */
  get count(): number {
    return this.held.size;
  }

  /** The Set-Cookie header that makes the browser forget its session. */
  clearCookie(req: WebRequest): string {
    return sessionCookie("", req.secure, 0);
  }

  /** Why a held session is over, or undefined while it is valid. */
  private whyEnded(held: Held, now: number): string | undefined {
    if (now - held.lastSeen >= IDLE_MS) return "idle for 12 hours";
    let user: UserRecord | undefined;
    try {
      user = this.o.users.find(held.session.user);
    } catch (err) {
      // A users file broken by hand: nobody is let in until it is mended, and the log says why.
      this.o.logger.error({ err }, "users file unreadable: sessions refused");
      return "users file unreadable";
    }
    if (!user) return "user removed";
    if (user.hash !== held.hash) return "password changed";
    return undefined;
  }

  /** Forgets sessions idle for 12 hours, so abandoned logins do not pile up. */
  private sweep(): void {
    const now = this.o.now();
    for (const [id, held] of this.held) if (now - held.lastSeen >= IDLE_MS) this.held.delete(id);
  }
}

/** The session cookie: HttpOnly, SameSite=Strict, Path=/, Secure under TLS. */
function sessionCookie(value: string, secure: boolean, maxAgeSeconds?: number): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    "HttpOnly",
    "SameSite=Strict",
    "Path=/",
    ...(maxAgeSeconds === undefined ? [] : [`Max-Age=${maxAgeSeconds}`]),
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}
