/**
 * Logging in and out of a console (issue 11 §3): GET /login (the form), POST /login (rate limit,
 * then scrypt off the event loop, then a session and a redirect to the page that was asked for),
 * POST /logout (its CSRF token checked by the router). Every login, failure, lock and logout is
 * logged with the user and the address, never the password. `consoleRouter` builds a console's
 * router with all of it, the shared assets included.
 */
import type { Logger } from "pino";
import { addAssetRoutes } from "./assetRoutes.js";
import { html } from "./html.js";
import { page } from "./layout.js";
import { DECOY_HASH, verifyPassword } from "./passwords.js";
import { type Lock, LoginLimiter } from "./rateLimit.js";
import { LOGIN_PATH, Router } from "./router.js";
import { Sessions } from "./sessions.js";
import type { UserRecord, UsersFile } from "./users.js";
import { formFields, htmlResponse, redirect, type WebRequest, type WebResponse } from "./webTypes.js";

/** What a console's logins need. */
export interface LoginOptions {
  users: UsersFile;
  now: () => number;
  logger: Logger;
  /** Where a login goes when no page was asked for (the console's home, e.g. "/console"). */
  home: string;
  /** Which console: "gateway" or "central" (named on the page). */
  product: string;
}

/** A console's router with its logins, and the parts a console may want to reach. */
export interface ConsoleAuth {
  router: Router;
  sessions: Sessions;
  limiter: LoginLimiter;
}

/** The router of a console with /login, /logout and /assets/* on it; the console adds its pages. */
export function consoleRouter(o: LoginOptions): ConsoleAuth {
  const sessions = new Sessions({ users: o.users, now: o.now, logger: o.logger });
  const limiter = new LoginLimiter(o.now);
  const router = new Router(sessions);
  addAssetRoutes(router);
  addLoginRoutes(router, { ...o, sessions, limiter });
  return { router, sessions, limiter };
}

/**
 * The page to go to after the login: a path of this site only (`/console/members?q=7`), never
 * another site (`//evil.example`, `https://…`, `/\evil`): no open redirect.
 */
export function safeNext(next: string | null | undefined, home: string): string {
  // Whitespace is stripped by URL parsers (`/\t/evil`), a backslash read as a slash: both refused.
  if (!next?.startsWith("/") || next.startsWith("//") || /[\\\s]/.test(next)) return home;
  const base = "http://console.invalid";
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return home;
  }
  if (url.origin !== base || url.pathname === LOGIN_PATH) return home;
  return url.pathname + url.search;
}

/** Adds GET and POST /login and POST /logout to a router whose sessions are `o.sessions`. */
export function addLoginRoutes(
  router: Router,
  o: LoginOptions & { sessions: Sessions; limiter: LoginLimiter },
): void {
  const log = o.logger;
  const form = (next: string, notice?: string, user = "", status = 200) =>
    htmlResponse(loginPage(o.product, next, notice, user), status);

  router.open("GET", LOGIN_PATH, (req) => {
    const next = safeNext(req.query.get("next"), o.home);
    if (o.sessions.session(req)) return redirect(next);
    return form(next);
  });

  router.open("POST", LOGIN_PATH, async (req) => {
    const fields = formFields(req);
    const next = safeNext(fields.get("next"), o.home);
    const typed = (fields.get("user") ?? "").trim().toLowerCase().slice(0, 64);
    const password = fields.get("password") ?? "";
    if (crossSite(req)) return form(next, "this login form was sent from another site", "", 403);
    const lock = o.limiter.locked(typed, req.remote);
    if (lock) {
      log.warn(
        { user: logName(o.users, typed), address: req.remote, lockedOn: lock.on },
        "login refused: locked",
      );
      return lockedAnswer(form(next, lockedMessage(lock), typed, 429), lock);
    }
    const user = knownUser(o.users, typed, log);
    // An unknown name costs a scrypt too, so the answer's time does not tell which names exist.
    const good = await verifyPassword(password, user?.hash ?? DECOY_HASH);
    if (!user || !good) {
      log.warn({ user: logName(o.users, typed), address: req.remote }, "login failed");
      const locks = o.limiter.failure(typed, req.remote);
      for (const l of locks)
        log.warn(
          { user: logName(o.users, typed), address: req.remote, lockedOn: l.on, minutes: l.minutesLeft },
          "login locked",
        );
      const first = locks[0];
      if (first) return lockedAnswer(form(next, lockedMessage(first), typed, 429), first);
      return form(next, "wrong user name or password", typed, 401);
    }
    o.limiter.success(user.name);
    const { cookie } = o.sessions.start(user, req);
    log.info({ user: user.name, role: user.role, address: req.remote }, "login");
    const answer = redirect(next);
    return { ...answer, headers: { ...answer.headers, "Set-Cookie": cookie } };
  });

  router.add("POST", "/logout", "viewer", (req, session) => {
    o.sessions.end(session.id);
    log.info({ user: session.user, address: req.remote }, "logout");
    const answer = redirect(LOGIN_PATH);
    return { ...answer, headers: { ...answer.headers, "Set-Cookie": o.sessions.clearCookie(req) } };
  });
}

/** The user of a typed name; a users file that cannot be read lets nobody in (and says so in the log). */
function knownUser(users: UsersFile, name: string, log: Logger): UserRecord | undefined {
  try {
    return users.find(name);
  } catch (err) {
    log.error({ err }, "users file unreadable: logins refused");
    return undefined;
  }
}

/** The name as logged: a known user's name; anything else may be a password typed in the wrong field. */
function logName(users: UsersFile, typed: string): string {
  try {
    return users.find(typed) ? typed : "(unknown user)";
  } catch {
    return "(unknown user)";
  }
}

/**
 * A login form posted from another site's page (login CSRF: logging a victim into an attacker's
 * account). Browsers send Origin on every POST; without one (an old client, curl) the form is allowed.
 */
function crossSite(req: WebRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === "null") return origin === "null";
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

function lockedMessage(lock: Lock): string {
  const minutes = `${lock.minutesLeft} minute${lock.minutesLeft === 1 ? "" : "s"}`;
  return lock.on === "user"
    ? `too many failed logins for ${lock.key}: locked, try again in ${minutes}`
    : `too many failed logins from this device: locked, try again in ${minutes}`;
}

function lockedAnswer(answer: WebResponse, lock: Lock): WebResponse {
  return { ...answer, headers: { ...answer.headers, "Retry-After": String(lock.minutesLeft * 60) } };
}

/** The login form, with a notice when the last try went wrong. */
function loginPage(product: string, next: string, notice: string | undefined, user: string): string {
  const body = html`<form method="post" action="${LOGIN_PATH}" class="login">
<input type="hidden" name="next" value="${next}">
<label>User <input name="user" value="${user}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button class="primary">Log in</button>
</form>`;
  return page({
    title: "Log in",
    product,
    nav: [],
    path: LOGIN_PATH,
    body,
    ...(notice ? { notice: { kind: "error" as const, text: notice } } : {}),
  });
}
