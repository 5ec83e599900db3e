/**
 * The console's router: routes by method and path pattern (`/console/members/:id`), each open to
 * everybody or to a role and the roles above it. A page without a login sends the browser to the
 * login page; a role too low is a 403 naming the role needed; every POST behind a login must carry
 * the session's CSRF token (header X-CSRF-Token or form field _csrf), else 403 and nothing is done.
 */
import { timingSafeEqual } from "node:crypto";
import {
  formFields,
  htmlResponse,
  jsonResponse,
  type Role,
  roleAtLeast,
  type SessionHandler,
  type WebHandler,
  type WebRequest,
  type WebResponse,
  type WebSession,
} from "./webTypes.js";

/** Finds the session a request carries (its cookie); undefined when none is valid. */
export interface SessionLookup {
  session(req: WebRequest): WebSession | undefined;
}

type Method = "GET" | "POST";

interface Route {
  method: Method;
  parts: string[];
  role: Role | "public";
  handler: SessionHandler | WebHandler;
}

/** Where a browser without a login is sent, with the page it wanted. */
export const LOGIN_PATH = "/login";

/** Whether two tokens are equal, in time that does not depend on where they differ. */
function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The CSRF token a POST carries: the header, else the form field. */
function csrfOf(req: WebRequest): string {
  const header = req.headers["x-csrf-token"];
  if (header !== undefined) return header;
  const type = req.headers["content-type"] ?? "";
  return type.startsWith("application/x-www-form-urlencoded") ? (formFields(req).get("_csrf") ?? "") : "";
}

/** Matches a path against a pattern's parts; the named parts, or undefined. */
function match(parts: string[], path: string): Record<string, string> | undefined {
  const got = path.split("/");
  if (got.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const want = parts[i] as string;
    const have = got[i] as string;
    if (want.startsWith(":")) {
      if (have === "") return undefined;
      try {
        params[want.slice(1)] = decodeURIComponent(have);
      } catch {
        return undefined;
      }
    } else if (want !== have) return undefined;
  }
  return params;
}

/** A refusal: HTML for a browser's page, JSON for a script (Accept says which). */
function refusal(req: WebRequest, status: number, message: string): WebResponse {
  if ((req.headers.accept ?? "").includes("text/html"))
    return htmlResponse(`<!doctype html><title>${status}</title><p>${escapeText(message)}</p>`, status);
  return jsonResponse({ error: message }, status);
}

/** Escapes text for HTML (the router's own small refusals). */
function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The routes of one console (the gateway's, or the central's editor). */
export class Router {
  private readonly routes: Route[] = [];
  private readonly sessions: SessionLookup;

  constructor(sessions: SessionLookup) {
    this.sessions = sessions;
  }

  /** A page or action anybody may reach (the login page, the style sheet). */
  open(method: Method, pattern: string, handler: WebHandler): this {
    this.routes.push({ method, parts: pattern.split("/"), role: "public", handler });
    return this;
  }

  /** A page or action for `role` and the roles above it. */
  add(method: Method, pattern: string, role: Role, handler: SessionHandler): this {
    this.routes.push({ method, parts: pattern.split("/"), role, handler });
    return this;
  }

  /** Answers a request; undefined when no route has its path (the server answers 404 itself). */
  async handle(req: WebRequest): Promise<WebResponse | undefined> {
    let pathKnown = false;
    for (const route of this.routes) {
      const params = match(route.parts, req.path);
      if (!params) continue;
      pathKnown = true;
      const method = req.method === "HEAD" ? "GET" : req.method;
      if (route.method !== method) continue;
      const withParams = { ...req, params };
      if (route.role === "public") return (route.handler as WebHandler)(withParams);
      const session = this.sessions.session(req);
      if (!session) {
        if (method === "GET") {
          const next = req.path + (req.query.size > 0 ? `?${req.query}` : "");
          return {
            status: 303,
            headers: {
              Location: `${LOGIN_PATH}?next=${encodeURIComponent(next)}`,
              "Cache-Control": "no-store",
            },
          };
        }
        return refusal(req, 401, "log in first: this session has expired or never was");
      }
      if (!roleAtLeast(session.role, route.role))
        return refusal(req, 403, `${session.user} is ${session.role}; this needs the ${route.role} role`);
      if (method === "POST" && !sameToken(csrfOf(req), session.csrf))
        return refusal(req, 403, "the form's CSRF token is missing or wrong: reload the page and try again");
      return (route.handler as SessionHandler)(withParams, session);
    }
    if (pathKnown) return refusal(req, 405, `${req.method} is not allowed on ${req.path}`);
    return undefined;
  }
}
