/**
 * The facility manager's editor on a Router (issue 11 §2): its pages and actions for the role
 * `manager`, and its script and style sheet for everybody (they hold no data). The router checks the
 * login, the role and every POST's CSRF token before a handler runs.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Router } from "../../web/router.js";
import { redirect, type WebResponse } from "../../web/webTypes.js";
import { checkAction, diffAction, type EditorContext, saveAction, whatIfAction } from "./editorActions.js";
import {
  EDITOR_ASSETS,
  EDITOR_SECTIONS,
  HISTORY_PATH,
  historyPage,
  REVIEW_PATH,
  reviewPage,
  sectionPage,
} from "./editorPages.js";

export type { EditorContext } from "./editorActions.js";

/** Adds the editor's pages, actions and assets to a router. */
export function mountEditor(router: Router, ctx: EditorContext): Router {
  const assets = loadAssets();
  router.open("GET", `${EDITOR_ASSETS}/:name`, (req) => assets.get(req.params.name ?? "") ?? assetNotFound());
  router.add("GET", "/editor", "manager", () => redirect(EDITOR_SECTIONS[0]?.path ?? REVIEW_PATH));
  for (const section of EDITOR_SECTIONS)
    router.add("GET", section.path, "manager", (_req, session) => sectionPage(ctx.backend, section, session));
  router.add("GET", REVIEW_PATH, "manager", (_req, session) => reviewPage(ctx.backend, session));
  router.add("GET", HISTORY_PATH, "manager", (_req, session) => historyPage(ctx.backend, session));
  router.add("POST", "/editor/check", "manager", (req) => checkAction(ctx, req));
  router.add("POST", "/editor/diff", "manager", (req) => diffAction(ctx, req));
  router.add("POST", "/editor/whatif", "manager", (req, session) => whatIfAction(ctx, req, session));
  router.add("POST", "/editor/save", "manager", (req, session) => saveAction(ctx, req, session));
  return router;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** The files the pages load, by name. */
export const ASSET_FILES = ["editor.js", "editorForms.js", "editorReview.js", "editor.css"] as const;

/**
 * The assets, read once. They sit next to this module in the sources; the build (tsc) does not copy
 * them, so from dist/ they are found in the package's central/editorWeb/assets/.
 */
function loadAssets(): Map<string, WebResponse> {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = [join(here, "assets"), join(here, "../../../central/editorWeb/assets")].find((d) =>
    existsSync(join(d, "editor.js")),
  );
  if (dir === undefined) throw new Error(`the editor's assets are missing (looked in ${here}/assets)`);
  const out = new Map<string, WebResponse>();
  for (const name of ASSET_FILES) {
    const type = TYPES[name.slice(name.lastIndexOf("."))] as string;
    out.set(name, {
      status: 200,
      // Revalidated on each load: a new version of the package must not meet an old script.
      headers: { "Content-Type": type, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" },
      body: readFileSync(join(dir, name)),
    });
  }
  return out;
}

function assetNotFound(): WebResponse {
  return { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: "no such asset\n" };
}
