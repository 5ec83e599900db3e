/**
 * The editor's pages (issue 11 §2, role manager): one page per section of the site configuration
 * (areas; access types with their weekly windows and the site's holidays; products; limits), the
 * review page (diff, what-if, save with a reason) and the history of saves. The draft lives in the
 * browser (assets/editor.js): a section page carries the configuration in force as JSON and the
 * script builds its form from the draft; the history is rendered here.
 */
import { DateTime } from "luxon";
import { type Html, html, raw } from "../../web/html.js";
import { type NavItem, page } from "../../web/layout.js";
import { htmlResponse, type WebResponse, type WebSession } from "../../web/webTypes.js";
import type { EditorBackend, SiteSections } from "../editor/editorApi.js";

/** A section of the site configuration with a page of its own. */
export interface EditorSection {
  /** The key of the section in the YAML (and of the draft). */
  key: string;
  path: string;
  title: string;
}

/** The sections the editor edits, in the order of the navigation. */
export const EDITOR_SECTIONS: readonly EditorSection[] = [
  { key: "areas", path: "/editor/areas", title: "Areas" },
  { key: "accessTypes", path: "/editor/access-types", title: "Access types" },
  { key: "products", path: "/editor/products", title: "Products" },
  { key: "limits", path: "/editor/limits", title: "Limits" },
];

export const REVIEW_PATH = "/editor/review";
export const HISTORY_PATH = "/editor/history";

/** The central's navigation: the editor is the manager's. */
export const EDITOR_NAV: readonly NavItem[] = [
  ...EDITOR_SECTIONS.map((s) => ({ href: s.path, label: s.title, role: "manager" as const })),
  { href: REVIEW_PATH, label: "Review & save", role: "manager" },
  { href: HISTORY_PATH, label: "History", role: "manager" },
];

/** Where the editor's scripts and style sheet are served. */
export const EDITOR_ASSETS = "/editor/assets";

/** A section's page: the shell the script fills with the section's form. */
export function sectionPage(
  backend: EditorBackend,
  section: EditorSection,
  session: WebSession,
): WebResponse {
  const body = html`<p class="editor-note">Changes are kept in this browser as a draft until you save
them on <a href="${REVIEW_PATH}">Review &amp; save</a>; problems show next to the field as you type.</p>
${draftShell(backend.current(), section.key, session)}`;
  return editorPage(section.title, section.path, session, body);
}

/** The review page: the draft's diff, what-if and save with a reason (filled by the script). */
export function reviewPage(backend: EditorBackend, session: WebSession): WebResponse {
  const body = html`${draftShell(backend.current(), "review", session)}
<section class="panel" aria-labelledby="diff-title">
<h2 id="diff-title">What the draft changes</h2>
<button type="button" id="show-diff">Show the changes</button>
<div id="diff-result" aria-live="polite"></div>
</section>
<section class="panel" aria-labelledby="whatif-title">
<h2 id="whatif-title">What if: the last days' scans under the draft</h2>
<form id="whatif-form" class="inline"><label>Days <input id="whatif-days" type="number" inputmode="numeric" min="1" max="366" value="7" required></label>
<button>Replay</button></form>
<div id="whatif-result" aria-live="polite"></div>
</section>
<section class="panel" aria-labelledby="save-title">
<h2 id="save-title">Save</h2>
<form id="save-form"><label for="save-reason">Why (kept in the history)</label>
<textarea id="save-reason" rows="2" required placeholder="e.g. pool opens at 06:30 from January"></textarea>
<button class="primary">Save the draft</button> <button type="button" id="discard-draft" class="secondary">Discard the draft</button></form>
<div id="save-result" aria-live="polite"></div>
</section>`;
  return editorPage("Review & save", REVIEW_PATH, session, body);
}

/** The history of saves, newest first: when, who, why, how many records changed. */
export function historyPage(backend: EditorBackend, session: WebSession): WebResponse {
  const zone = siteZone(backend.current());
  const saves = [...backend.history()].reverse();
  const rows = saves.map(
    (s) =>
      html`<tr><td><time datetime="${s.at}">${when(s.at, zone)}</time></td><td>${s.who}</td><td>${s.why}</td><td class="num">${s.changes}</td></tr>`,
  );
  const body =
    saves.length === 0
      ? html`<p>Nothing has been saved from the editor yet.</p>`
      : html`<div class="table-wrap"><table><thead><tr><th>When (${zone})</th><th>Who</th><th>Why</th><th class="num">Records changed</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
  return editorPage("History", HISTORY_PATH, session, body, false);
}

/** A page of the editor in the shared look, with its style sheet (and the draft's script when it has one). */
function editorPage(
  title: string,
  path: string,
  session: WebSession,
  body: Html,
  script = true,
): WebResponse {
  const withAssets = html`<link rel="stylesheet" href="${EDITOR_ASSETS}/editor.css">
${body}
${script ? html`<script type="module" src="${EDITOR_ASSETS}/editor.js"></script>` : ""}`;
  return htmlResponse(page({ title, product: "central", session, nav: EDITOR_NAV, path, body: withAssets }));
}

/** Where the script works: the configuration in force (JSON) and the draft's state line. */
function draftShell(current: SiteSections, view: string, session: WebSession): Html {
  return html`<div id="editor" data-view="${view}" data-user="${session.user}">
<p id="draft-state" role="status" aria-live="polite"></p>
<ul id="draft-problems" class="problems"></ul>
<div id="section-form"></div>
<noscript><p class="problem">The editor needs JavaScript.</p></noscript>
</div>
<script type="application/json" id="current-config">${raw(scriptJson(current))}</script>`;
}

/** JSON inside a script element: `<` escaped, so no value can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** The site's time zone from the configuration, UTC when it has none. */
function siteZone(current: SiteSections): string {
  const zone = (current.site as { timezone?: unknown } | undefined)?.timezone;
  return typeof zone === "string" && DateTime.now().setZone(zone).isValid ? zone : "UTC";
}

/** A save's time in the site's zone, to the minute (as the facility's staff read clocks). */
function when(at: string, zone: string): string {
  const t = DateTime.fromISO(at, { setZone: true }).setZone(zone);
  return t.isValid ? t.toFormat("yyyy-LL-dd HH:mm") : at;
}
