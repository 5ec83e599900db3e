// The review page: what the draft changes (POST /editor/diff), what it would have done to the last
// days' scans (POST /editor/whatif?days=N) and the save with its reason (POST /editor/save).
import { el } from "./editorForms.js";

/** Wires the review page's buttons; `io` gives post(), the draft and what to do after a save. */
export function startReview(io) {
  const diffOut = document.getElementById("diff-result");
  const whatIfOut = document.getElementById("whatif-result");
  const saveOut = document.getElementById("save-result");
  document.getElementById("show-diff").addEventListener("click", async () => {
    const { status, data } = await io.post("/editor/diff", io.draft());
    diffOut.replaceChildren(status === 200 ? diffView(data.changes) : failure(data));
  });
  document.getElementById("whatif-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const days = document.getElementById("whatif-days").value;
    whatIfOut.replaceChildren(el("p", {}, "Replaying…"));
    const { status, data } = await io.post(`/editor/whatif?days=${encodeURIComponent(days)}`, io.draft());
    whatIfOut.replaceChildren(status === 200 ? whatIfView(data, io.zone) : failure(data));
  });
  document.getElementById("save-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const reason = document.getElementById("save-reason").value;
    const { status, data } = await io.post("/editor/save", { draft: io.draft(), reason });
    if (status !== 200) return saveOut.replaceChildren(failure(data));
    io.saved();
    const n = data.changes.length;
    saveOut.replaceChildren(
      el(
        "p",
        { class: "notice ok", role: "status" },
        `Saved as revision ${data.revision} (${n} record${n === 1 ? "" : "s"} changed). `,
        el("a", { href: "/editor/history" }, "See the history"),
      ),
    );
  });
  document.getElementById("discard-draft").addEventListener("click", () => {
    if (confirm("Discard the draft and go back to the configuration in force?")) io.discard();
  });
}

/** A refusal: its message and the problems it lists. */
function failure(data) {
  const problems = (data.problems ?? []).map((p) =>
    el("li", {}, p.path ? `${p.path}: ${p.message}` : p.message),
  );
  return el(
    "div",
    { class: "notice error", role: "alert" },
    el("p", {}, data.error ?? "refused"),
    problems.length ? el("ul", {}, problems) : undefined,
  );
}

/** A value as a manager reads it: text as it is (no JSON quotes), anything else as JSON. */
function show(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** One changed field: a window or holiday comes and goes whole, so it reads "removed …" / "added …". */
function fieldLine(f) {
  if (f.before === undefined) return `${f.path} added: ${show(f.after)}`;
  if (f.after === undefined) return `${f.path} removed: ${show(f.before)}`;
  return `${f.path}: ${show(f.before)} → ${show(f.after)}`;
}

/** What went away before what came, so a moved window reads "removed 08:00–17:00, added 07:00–17:00". */
function removedFirst(fields) {
  const gone = (f) => (f.after === undefined ? 0 : 1);
  return [...fields].sort((a, b) => gone(a) - gone(b));
}

/** The changes record by record: added, removed, or each changed field before → after. */
export function diffView(changes) {
  if (changes.length === 0) return el("p", {}, "The draft changes nothing.");
  return el(
    "ul",
    { class: "diff" },
    changes.map((c) =>
      el(
        "li",
        { class: `diff-${c.kind}` },
        el("strong", {}, `${c.kind} ${c.section} ${c.id}`),
        c.fields.length
          ? el(
              "ul",
              {},
              removedFirst(c.fields).map((f) => el("li", {}, fieldLine(f))),
            )
          : undefined,
      ),
    ),
  );
}

/** The scans the draft would decide differently, with the totals first. */
export function whatIfView(report, zone) {
  const t = report.totals;
  const when = new Intl.DateTimeFormat(undefined, {
    timeZone: zone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
  const stamp = (iso) => when.format(new Date(iso));
  const summary = el(
    "p",
    {},
    `${report.scans} scan${report.scans === 1 ? "" : "s"} from ${stamp(report.from)} to ${stamp(report.to)}: ${report.changes.length} would change — `,
    `${t.newlyGranted} newly granted, ${t.newlyDenied} newly denied; credits taken ${t.creditsBefore} → ${t.creditsAfter}.`,
  );
  if (report.changes.length === 0) return el("div", {}, summary);
  const decision = (d) =>
    el(
      "span",
      { class: d.decision === "grant" ? "badge good" : "badge bad" },
      d.decision === "grant" ? "GRANTED" : "DENIED",
    );
  const rows = report.changes.map((c) =>
    el(
      "tr",
      {},
      el("td", {}, el("time", { datetime: c.at }, stamp(c.at))),
      el("td", {}, c.memberName || c.member, el("br"), el("small", {}, c.card)),
      el("td", {}, c.door, el("br"), el("small", {}, c.reader)),
      el("td", {}, decision(c.before), " ", c.before.reason),
      el("td", {}, decision(c.after), " ", c.after.reason),
      el("td", { class: "num" }, `${c.before.credits} → ${c.after.credits}`),
    ),
  );
  // The central knows the area and the reader, not how a gateway wires its readers to doors.
  const head = ["When", "Member", "Area, reader", "Before", "After", "Credits"].map((h) => el("th", {}, h));
  return el(
    "div",
    {},
    summary,
    el(
      "div",
      { class: "table-wrap" },
      el("table", {}, el("thead", {}, el("tr", {}, head)), el("tbody", {}, rows)),
    ),
  );
}
