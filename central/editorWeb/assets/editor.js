// The facility manager's editor in the browser: the draft of the site configuration lives here (in
// localStorage, per user, so it survives moving between pages), is checked by the central as you
// type (POST /editor/check, debounced) and its problems are shown next to their field. Every POST
// carries the session's CSRF token from <meta name="csrf-token"> as X-CSRF-Token.
import { el, formPath, renderSection, SECTIONS } from "./editorForms.js";
import { startReview } from "./editorReview.js";

const CHECK_DELAY_MS = 400;
const SECTION_PAGES = {
  areas: "/editor/areas",
  accessTypes: "/editor/access-types",
  products: "/editor/products",
  limits: "/editor/limits",
};

const root = document.getElementById("editor");
const view = root.dataset.view;
const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";
const current = JSON.parse(document.getElementById("current-config").textContent);
const base = JSON.stringify(current);
const storageKey = `accessgw-editor:${root.dataset.user}`;
const stored = readStored();
// A draft started before somebody else saved keeps its base: the diff then shows their change too.
const draftBase = stored?.base ?? base;
let draft = stored?.draft ?? structuredClone(current);

function readStored() {
  try {
    const value = JSON.parse(localStorage.getItem(storageKey) ?? "null");
    return value && typeof value.draft === "object" ? value : null;
  } catch {
    return null;
  }
}

/** Sends JSON with the CSRF token; the answer's status and body. */
export async function post(url, body) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({ error: `the central answered ${res.status}` }));
  if (res.status === 401) data.error = "your session has expired: log in again (the draft is kept)";
  return { status: res.status, data };
}

function isDraft() {
  return JSON.stringify(draft) !== base;
}

function keep() {
  if (isDraft()) localStorage.setItem(storageKey, JSON.stringify({ base: draftBase, draft }));
  else localStorage.removeItem(storageKey);
}

let timer;
let asked = 0;
function changed() {
  keep();
  clearTimeout(timer);
  timer = setTimeout(check, CHECK_DELAY_MS);
}

async function check() {
  const mine = ++asked;
  const state = document.getElementById("draft-state");
  const answer = await post("/editor/check", draft).catch((err) => ({
    status: 0,
    data: { error: err.message },
  }));
  if (mine !== asked) return; // an older answer: a newer check is on its way
  const problems =
    answer.data.problems ?? (answer.data.error ? [{ path: "", message: answer.data.error }] : []);
  showProblems(problems);
  const stale =
    draftBase !== base ? " The configuration was saved by somebody else since this draft began." : "";
  if (!isDraft()) state.textContent = "No changes: this is the configuration in force.";
  else if (problems.length > 0)
    state.textContent = `Draft, not saved: ${problems.length} problem${problems.length === 1 ? "" : "s"}.${stale}`;
  else state.textContent = `Draft, not saved: no problems. Review and save it when ready.${stale}`;
  state.className = problems.length > 0 ? "bad" : "";
}

/** Each problem beside the closest field it names; the others (other pages, whole file) in the list. */
function showProblems(problems) {
  for (const old of root.querySelectorAll(".problem:not(.local)")) old.remove();
  for (const bad of root.querySelectorAll("[aria-invalid]")) bad.removeAttribute("aria-invalid");
  const places = new Map([...root.querySelectorAll("[data-path]")].map((e) => [e.dataset.path, e]));
  const list = document.getElementById("draft-problems");
  list.replaceChildren();
  for (const p of problems) {
    let path = formPath(p.path);
    while (path !== "" && !places.has(path))
      path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
    const place = path.includes(".") ? places.get(path) : undefined;
    if (place) {
      place.setAttribute("aria-invalid", "true");
      place.append(el("span", { class: "problem" }, p.message));
      place.closest("details")?.setAttribute("open", "");
    } else {
      const page = SECTION_PAGES[formPath(p.path).split(".")[0]];
      const where = p.path ? `${p.path}: ` : "";
      list.append(
        el(
          "li",
          { class: "problem" },
          where,
          p.message,
          page ? [" ", el("a", { href: page }, "(open)")] : [],
        ),
      );
    }
  }
}

const form = document.getElementById("section-form");
if (SECTIONS[view]) renderSection(form, draft, view, changed);
if (view === "review")
  startReview({
    post,
    draft: () => draft,
    zone: current.site?.timezone,
    saved() {
      localStorage.removeItem(storageKey);
    },
    discard() {
      localStorage.removeItem(storageKey);
      draft = structuredClone(current);
      location.reload();
    },
  });
check();
