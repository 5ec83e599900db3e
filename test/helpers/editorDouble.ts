/**
 * What the editor's pages are tested with: an EditorBackend over plain data (the real one, over the
 * central's files and events, is tested in its own files), a session lookup that knows a manager
 * and a desk user by their cookie, and requests built as the server builds them.
 */

import type {
  DraftChange,
  DraftProblem,
  EditorBackend,
  SaveRecord,
  SiteSections,
  WhatIfReport,
} from "../../central/editor/editorApi.js";
import { mountEditor } from "../../central/editorWeb/editorRoutes.js";
import { Id } from "../../config/site.js";
import { Router, type SessionLookup } from "../../web/router.js";
import type { WebRequest, WebSession } from "../../web/webTypes.js";
import { silentLogger } from "./logs.js";

/** The sessions of the tests: cookie `session=<id>`. */
export const SESSIONS: Record<string, WebSession> = {
  manager: { id: "manager", user: "marta", role: "manager", csrf: "csrf-marta" },
  desk: { id: "desk", user: "dino", role: "desk", csrf: "csrf-dino" },
};

/** Finds a test session from the request's cookie. */
export const testSessions: SessionLookup = {
  session(req) {
    const id = /(?:^|;\s*)session=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
    return id === undefined ? undefined : SESSIONS[id];
  },
};

/** A small site: two areas, an early-morning access type, one product, one limit. */
export function sampleSections(): SiteSections {
  return {
    site: { id: "rome-center", timezone: "Europe/Rome", holidays: ["2026-12-25"] },
    areas: [{ id: "pool", name: "Pool", capacity: 80 }, { id: "gym" }],
    accessTypes: [
      { id: "early", areas: ["pool"], windows: [{ days: ["mon", "tue"], from: "07:00", to: "09:00" }] },
    ],
    products: [{ id: "swim-10", credits: 10, items: [{ accessType: "early", credits: 1, priority: 1 }] }],
    limits: [{ id: "one-a-day", amount: 1, period: "day", areas: ["pool"] }],
    cardModels: [],
  };
}

/** The test double and what it was asked. */
export interface EditorDouble extends EditorBackend {
  calls: { whatIf: { days: number; now: number }[]; saves: { who: string; why: string; now: number }[] };
}

/** An EditorBackend over `sections`: ids checked with the real Id schema, a diff by id, a canned what-if. */
export function editorDouble(sections: SiteSections = sampleSections()): EditorDouble {
  let current = sections;
  const saved: SaveRecord[] = [];
  const calls: EditorDouble["calls"] = { whatIf: [], saves: [] };
  const check = (draft: unknown) => {
    const problems: DraftProblem[] = [];
    for (const [section, list] of Object.entries(draft as SiteSections)) {
      if (!Array.isArray(list)) continue;
      list.forEach((record: { id?: unknown }, i) => {
        const parsed = Id.safeParse(record.id);
        if (!parsed.success)
          problems.push({ path: `${section}[${i}].id`, message: parsed.error.issues[0]?.message ?? "" });
      });
    }
    return { ok: problems.length === 0, problems };
  };
  const diff = (draft: SiteSections) => diffById(current, draft);
  return {
    calls,
    current: () => current,
    revision: () => String(saved.length + 1),
    check,
    diff,
    whatIf(draft, days, now): WhatIfReport {
      calls.whatIf.push({ days, now });
      const changed = diff(draft).length > 0;
      return {
        from: new Date(now - days * 86_400_000).toISOString(),
        to: new Date(now).toISOString(),
        scans: 12,
        changes: changed
          ? [
              {
                member: "m-anna",
                memberName: "Anna <Rossi>",
                card: "04A1B2C3",
                at: "2026-12-01T06:30:00Z",
                door: "pool-door",
                reader: "pool-in",
                before: { decision: "deny", reason: "outside_window", credits: 0, multipack: null },
                after: { decision: "grant", reason: "ok", credits: 1, multipack: "mp-anna" },
              },
            ]
          : [],
        totals: {
          newlyGranted: changed ? 1 : 0,
          newlyDenied: 0,
          creditsBefore: 11,
          creditsAfter: changed ? 12 : 11,
        },
      };
    },
    save(draft, who, why, now) {
      calls.saves.push({ who, why, now });
      const changes = diff(draft);
      current = draft;
      const revision = String(saved.length + 2);
      saved.push({
        at: new Date(now).toISOString(),
        who,
        why,
        changes: changes.length,
        revision,
        list: changes,
      });
      return { revision, changes };
    },
    history: () => saved,
  };
}

/** Records added, removed or changed, by id, section by section. */
function diffById(before: SiteSections, after: SiteSections): DraftChange[] {
  const out: DraftChange[] = [];
  const byId = (v: unknown) =>
    new Map((Array.isArray(v) ? v : []).map((r: { id: string }) => [r.id, r as Record<string, unknown>]));
  for (const section of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = byId((before as unknown as Record<string, unknown>)[section]);
    const b = byId((after as unknown as Record<string, unknown>)[section]);
    for (const [id, record] of b) {
      const old = a.get(id);
      if (!old) out.push({ kind: "added", section, id, fields: [] });
      else {
        const fields = Object.keys({ ...old, ...record })
          .filter((k) => JSON.stringify(old[k]) !== JSON.stringify(record[k]))
          .map((k) => ({ path: k, before: old[k], after: record[k] }));
        if (fields.length > 0) out.push({ kind: "changed", section, id, fields });
      }
    }
    for (const id of a.keys()) if (!b.has(id)) out.push({ kind: "removed", section, id, fields: [] });
  }
  return out;
}

/** A router with the editor over `backend`, at a fixed clock. */
export function editorRouter(backend: EditorBackend, now = Date.parse("2026-12-06T09:00:00Z")): Router {
  return mountEditor(new Router(testSessions), { backend, clock: () => now, logger: silentLogger() });
}

/** A request as the server makes it; `as` logs it in (manager or desk); a POST carries JSON and the token. */
export function request(
  method: "GET" | "POST",
  url: string,
  options: {
    as?: keyof typeof SESSIONS;
    json?: unknown;
    body?: string;
    headers?: Record<string, string>;
  } = {},
): WebRequest {
  const u = new URL(url, "http://central");
  const session = options.as === undefined ? undefined : SESSIONS[options.as];
  const body = options.body ?? (options.json === undefined ? "" : JSON.stringify(options.json));
  return {
    method,
    path: u.pathname,
    query: u.searchParams,
    headers: {
      ...(session ? { cookie: `session=${session.id}`, "x-csrf-token": session.csrf } : {}),
      ...(method === "POST" ? { "content-type": "application/json" } : {}),
      ...options.headers,
    },
    body: Buffer.from(body),
    remote: "127.0.0.1",
    secure: false,
    params: {},
  };
}
