/**
 * The facility manager's editor on a Router (issue 11 §2): its pages and actions for the role
 * `manager`, and its script and style sheet for everybody (they hold no data). The router checks the
 * login, the role and every POST's CSRF token before a handler runs.
 */
import { fileURLToPath } from "node:url";
import { assetHandler } from "../../web/assetRoutes.js";
import type { Router } from "../../web/router.js";
import { redirect } from "../../web/webTypes.js";
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
  // The build copies assets/ next to the compiled module, so this finds them from dist/ too.
  router.open(
    "GET",
    `${EDITOR_ASSETS}/:name`,
    assetHandler(fileURLToPath(new URL("./assets/", import.meta.url))),
  );
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

/** The files the pages load, by name. */
export const ASSET_FILES = [
  "editor.js",
  "editorForms.js",
  "editorSections.js",
  "editorReview.js",
  "editor.css",
] as const;
