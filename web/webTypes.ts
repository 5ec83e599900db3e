/**
 * The web console's request and answer, independent of where the HTTP connection lives: the
 * gateway serves from a worker thread and forwards console requests to the main thread as plain
 * data (gateway/http/), the central serves them in its own process. Pages and actions are written
 * as handlers from a WebRequest to a WebResponse, so they are tested without a socket.
 */

/** The console's roles, each allowed what the ones before it are (issue 11 §3). */
export const ROLES = ["viewer", "desk", "technician", "manager"] as const;
export type Role = (typeof ROLES)[number];

/** Whether a user with role `have` may do what needs role `need`. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** A request as a handler sees it: the body read whole (the console's forms are small). */
export interface WebRequest {
  method: string;
  /** The path without its query, e.g. "/console/members". */
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body: Buffer;
  /** The client's address (rate limits count per user and address). */
  remote: string;
  /** Whether the connection is TLS (the session cookie is then `Secure`). */
  secure: boolean;
  /** The route's named parts (`/members/:id` → { id }), set by the router. */
  params: Record<string, string>;
}

/** Who is logged in on a request: from the session cookie. */
export interface WebSession {
  id: string;
  user: string;
  role: Role;
  /** The per-session token every POST must carry (header X-CSRF-Token or form field _csrf). */
  csrf: string;
}

/**
 * A stream of Server-Sent Events: `open` is given a writer and a way to end the stream from the
 * server's side (its session ended), and returns what to do when the stream ends, either way.
 */
export interface EventStream {
  open(send: (chunk: string) => void, end: () => void): () => void;
}

/** An answer: a whole body, or a stream (text/event-stream) kept open until the client leaves. */
export interface WebResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  stream?: EventStream;
}

/** A page or an action. */
export type WebHandler = (req: WebRequest) => WebResponse | Promise<WebResponse>;

/** A page or an action behind a login: it is also given the session. */
export type SessionHandler = (req: WebRequest, session: WebSession) => WebResponse | Promise<WebResponse>;

/** An HTML answer (no caching: each page is of this moment). */
export function htmlResponse(body: string, status = 200): WebResponse {
  return {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
    body,
  };
}

/** A JSON answer. */
export function jsonResponse(body: unknown, status = 200): WebResponse {
  return {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
    body: `${JSON.stringify(body)}\n`,
  };
}

/** A redirect after a POST (303: the browser follows with a GET). */
export function redirect(location: string): WebResponse {
  return { status: 303, headers: { Location: location, "Cache-Control": "no-store" } };
}

/** The form fields of an application/x-www-form-urlencoded body. */
export function formFields(req: WebRequest): URLSearchParams {
  return new URLSearchParams(req.body.toString("utf8"));
}
