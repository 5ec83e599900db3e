/**
 * The editor's actions, JSON in and out (issue 11 §2): the browser sends its draft of the site
 * configuration and gets its problems (the messages of `accessgw import`), its diff against the
 * configuration in force, the what-if replay of the last days, or — with a reason — the save.
 * The router has already checked the login, the manager role and the CSRF token.
 */
import type { Logger } from "pino";
import { AccessGwError } from "../../config/errors.js";
import { jsonBody } from "../../web/jsonBody.js";
import { jsonResponse, type WebRequest, type WebResponse, type WebSession } from "../../web/webTypes.js";
import type { EditorBackend, SiteSections } from "../editor/editorApi.js";

/** What the actions are handed. */
export interface EditorContext {
  backend: EditorBackend;
  /** The time of a what-if or a save (ms since the epoch). */
  clock: () => number;
  logger: Logger;
}

/** How many days a what-if replays when the request says nothing (issue 11 §2). */
export const DEFAULT_WHATIF_DAYS = 7;
/** The longest replay asked for: a year of a site's events is already a long wait. */
export const MAX_WHATIF_DAYS = 366;

/** POST /editor/check: the draft's problems, each with its path. */
export function checkAction(ctx: EditorContext, req: WebRequest): WebResponse {
  const body = jsonBody(req);
  if (!body.ok) return body.response;
  return jsonResponse(ctx.backend.check(body.value));
}

/** POST /editor/diff: what the draft changes, record by record. */
export function diffAction(ctx: EditorContext, req: WebRequest): WebResponse {
  const draft = draftOf(req);
  if (!("sections" in draft)) return draft;
  return refusedAsAnswer(() => jsonResponse({ changes: ctx.backend.diff(draft.sections) }));
}

/** POST /editor/whatif?days=N: every decision of the last N days the draft would change, with totals. */
export function whatIfAction(ctx: EditorContext, req: WebRequest, session: WebSession): WebResponse {
  const days = daysOf(req);
  if (typeof days === "string") return jsonResponse({ error: days }, 400);
  const draft = checkedDraft(ctx, req);
  if (!("sections" in draft)) return draft;
  return refusedAsAnswer(() => {
    const report = ctx.backend.whatIf(draft.sections, days, ctx.clock());
    ctx.logger.info(
      { user: session.user, days, scans: report.scans, changes: report.changes.length },
      "editor: what-if replayed",
    );
    return jsonResponse(report);
  });
}

/** POST /editor/save: `{ draft, reason }`; refused without a reason or with a draft that has problems. */
export function saveAction(ctx: EditorContext, req: WebRequest, session: WebSession): WebResponse {
  const body = jsonBody(req);
  if (!body.ok) return body.response;
  const { draft, reason } = (body.value ?? {}) as { draft?: unknown; reason?: unknown };
  const why = typeof reason === "string" ? reason.trim() : "";
  if (why === "")
    return jsonResponse(
      { error: "say why you make this change: a save needs a reason (kept in the history)" },
      400,
    );
  if (!isSections(draft))
    return jsonResponse({ error: "expected { draft: {…}, reason } with the draft an object" }, 400);
  const check = ctx.backend.check(draft);
  if (!check.ok) return jsonResponse({ error: "the draft has problems: nothing was saved", ...check }, 422);
  return refusedAsAnswer(() => {
    const saved = ctx.backend.save(draft, session.user, why, ctx.clock());
    ctx.logger.info(
      { user: session.user, revision: saved.revision, changes: saved.changes.length, reason: why },
      "editor: configuration saved",
    );
    return jsonResponse(saved);
  });
}

/** The days of a what-if: the query's `days`, a whole number within bounds, or a problem. */
function daysOf(req: WebRequest): number | string {
  const text = req.query.get("days");
  if (text === null || text === "") return DEFAULT_WHATIF_DAYS;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= MAX_WHATIF_DAYS))
    return `days must be a whole number from 1 to ${MAX_WHATIF_DAYS} (found "${text}")`;
  return n;
}

/** The body as a draft object, or the 400 to answer with. */
function draftOf(req: WebRequest): { sections: SiteSections } | WebResponse {
  const body = jsonBody(req);
  if (!body.ok) return body.response;
  if (!isSections(body.value))
    return jsonResponse({ error: "expected the draft as a JSON object (areas, accessTypes, …)" }, 400);
  return { sections: body.value };
}

/** The draft, only when it checks: the replay runs the engine, which takes valid configurations only. */
function checkedDraft(ctx: EditorContext, req: WebRequest): { sections: SiteSections } | WebResponse {
  const draft = draftOf(req);
  if (!("sections" in draft)) return draft;
  const check = ctx.backend.check(draft.sections);
  if (!check.ok) return jsonResponse({ error: "the draft has problems: fix them first", ...check }, 422);
  return draft;
}

function isSections(value: unknown): value is SiteSections {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The backend's refusal (a file it cannot write, a draft it will not take) as a 422 naming it. */
function refusedAsAnswer(answer: () => WebResponse): WebResponse {
  try {
    return answer();
  } catch (err) {
    if (!(err instanceof AccessGwError)) throw err;
    return jsonResponse(
      { error: err.message, problems: err.problems.map((message) => ({ path: "", message })) },
      422,
    );
  }
}
