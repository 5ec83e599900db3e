// The editor's forms, built from the draft (plain DOM, no framework): one record per <details>, its
// fields described below after config/site.ts. Every edit changes the draft in place and calls
// `changed()`; adding or removing a record, window or item also redraws the form.

import { DAY_LABELS, DAYS, HOLIDAYS, SECTIONS } from "./editorSections.js";

export { SECTIONS };
/** `accessTypes[0] (early).windows[1].from` → `accessTypes.0.windows.1.from` (the form's data-path). */
export function formPath(path) {
  return path
    .replace(/\] \([^)]*\)/g, "]")
    .replace(/\[(\d+)\]/g, ".$1")
    .replace(/^\./, "");
}

/** Builds an element: tag, attributes, children (strings become text, never markup). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child);
  return node;
}

/** Draws the form of `section` from `draft` into `root`; `changed()` after each edit. */
export function renderSection(root, draft, section, changed) {
  const spec = SECTIONS[section];
  const open = new Set([...root.querySelectorAll("details[open]")].map((d) => d.dataset.path));
  const redraw = () => {
    renderSection(root, draft, section, changed);
    changed();
  };
  if (!Array.isArray(draft[section])) draft[section] = [];
  const records = draft[section].map((record, i) => {
    const path = `${section}.${i}`;
    const summary = el("summary", {}, title(record, spec.item));
    const refresh = () => {
      summary.textContent = title(record, spec.item);
      changed();
    };
    const remove = () => {
      draft[section].splice(i, 1);
      redraw();
    };
    return el(
      "details",
      { class: "record", "data-path": path, open: open.has(path) || record.id === "" },
      summary,
      fields(spec.fields, record, path, refresh, redraw),
      el("button", { type: "button", class: "secondary", onclick: remove }, `Remove this ${spec.item}`),
    );
  });
  const add = () => {
    draft[section].push(spec.make());
    redraw();
  };
  const parts = [records, el("button", { type: "button", onclick: add }, `Add ${article(spec.item)}`)];
  if (section === "accessTypes" && isObject(draft.site))
    parts.push(
      el(
        "section",
        { class: "record" },
        el("h2", {}, "Holidays"),
        field(HOLIDAYS, draft.site, "site", changed, redraw),
      ),
    );
  root.replaceChildren(...parts.flat());
}

function title(record, item) {
  const id = record.id ? String(record.id) : `new ${item}`;
  return record.name ? `${id} — ${record.name}` : id;
}

function article(item) {
  return /^[aeiou]/.test(item) ? `an ${item}` : `a ${item}`;
}

function isObject(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fields(specs, obj, path, changed, redraw) {
  return el(
    "div",
    { class: "fields" },
    specs.map((f) => field(f, obj, path, changed, redraw)),
  );
}

/** One field of `obj` at `path`: its label, its input(s), and the place its problems go. */
function field(f, obj, parent, changed, redraw) {
  const path = `${parent}.${f.key}`;
  if (f.kind === "object") return objectField(f, obj, path, changed, redraw);
  if (f.kind === "list") return listField(f, obj, path, changed, redraw);
  if (f.kind === "dates") return datesField(f, obj, path, changed, redraw);
  const set = (value) => {
    if (value === undefined) delete obj[f.key];
    else obj[f.key] = value;
    changed();
  };
  return el(
    "label",
    { class: `field field-${f.kind}`, "data-path": path },
    el("span", {}, f.label),
    input(f, obj[f.key], set),
  );
}

/** The input of a plain field; `set` gets the value to store (undefined: leave the key out). */
function input(f, value, set) {
  const empty = (v) => (v === "" && (f.optional || f.kind === "int") ? undefined : v);
  switch (f.kind) {
    case "bool":
      return el("input", {
        type: "checkbox",
        checked: value === true,
        onchange: (e) => set(e.target.checked),
      });
    case "choice":
      return el(
        "select",
        { onchange: (e) => set(empty(e.target.value)) },
        f.optional ? el("option", { value: "" }, "—") : undefined,
        f.options.map((o) => el("option", { value: o, selected: o === value }, o)),
      );
    case "int":
      // Not a number input: what was typed reaches the check as it is, and its message says what is wrong.
      return el("input", {
        inputmode: "numeric",
        value: value ?? "",
        oninput: (e) => set(empty(asInt(e.target.value))),
      });
    case "ids":
    case "codes": {
      const split = f.kind === "ids" ? /[\s,]+/ : /\s*,\s*/;
      const list = (text) =>
        text
          .trim()
          .split(split)
          .filter((s) => s !== "");
      const text = Array.isArray(value) ? value.join(", ") : "";
      return el("input", {
        value: text,
        placeholder: "comma-separated",
        oninput: (e) =>
          set(list(e.target.value).length === 0 && f.optional ? undefined : list(e.target.value)),
      });
    }
    case "days":
      return daysInput(value, set);
    case "json":
      return jsonInput(f, value, set);
    default: {
      const type = f.kind === "date" ? "date" : "text";
      const extra = f.kind === "time" ? { placeholder: "HH:MM", inputmode: "numeric", size: 5 } : {};
      return el("input", { type, value: value ?? "", ...extra, oninput: (e) => set(empty(e.target.value)) });
    }
  }
}

function asInt(text) {
  return /^\s*-?\d+\s*$/.test(text) ? Number(text) : text;
}

/** A window's days: one checkbox a day, and Hol for the site's holidays. */
function daysInput(value, set) {
  const chosen = new Set(Array.isArray(value) ? value : []);
  const boxes = DAYS.map((d) =>
    el(
      "label",
      { class: "day" },
      el("input", {
        type: "checkbox",
        checked: chosen.has(d),
        onchange: (e) => {
          if (e.target.checked) chosen.add(d);
          else chosen.delete(d);
          set(DAYS.filter((x) => chosen.has(x)));
        },
      }),
      DAY_LABELS[d],
    ),
  );
  return el("span", { class: "days" }, boxes);
}

/** A value kept as JSON (validity, charge period); what does not parse stays out of the draft. */
function jsonInput(f, value, set) {
  const note = el("span", { class: "problem local", hidden: true });
  const onInput = (e) => {
    const text = e.target.value.trim();
    if (text === "") return set(undefined);
    try {
      set(JSON.parse(text));
      note.hidden = true;
    } catch (err) {
      note.textContent = `not JSON yet: ${err.message}`;
      note.hidden = false;
    }
  };
  const text = value === undefined ? "" : JSON.stringify(value);
  return el("span", {}, el("input", { value: text, placeholder: f.hint, oninput: onInput }), note);
}

/** An optional group of fields (anti-passback, allowance, dates): a checkbox says whether it is there. */
function objectField(f, obj, path, changed, redraw) {
  const toggle = (e) => {
    if (e.target.checked) obj[f.key] = f.make();
    else delete obj[f.key];
    redraw();
  };
  const present = isObject(obj[f.key]);
  return el(
    "fieldset",
    { class: "group", "data-path": path },
    el(
      "legend",
      {},
      el("label", {}, el("input", { type: "checkbox", checked: present, onchange: toggle }), f.label),
    ),
    present ? fields(f.fields, obj[f.key], path, changed, redraw) : undefined,
  );
}

/**
 * A list inside a record (windows, items, holidays): each entry `content(entry, i)` with a Remove
 * button, and an Add button that appends `make()`.
 */
function editableList({ path, label, list, rowClass, removeLabel, addLabel, make, content, redraw }) {
  const rows = list.map((entry, i) =>
    el(
      "div",
      { class: rowClass, "data-path": `${path}.${i}` },
      content(entry, i),
      el(
        "button",
        {
          type: "button",
          class: "secondary",
          ...(removeLabel ? { "aria-label": removeLabel(i) } : {}),
          onclick: () => {
            list.splice(i, 1);
            redraw();
          },
        },
        "Remove",
      ),
    ),
  );
  const add = () => {
    list.push(make());
    redraw();
  };
  return el(
    "fieldset",
    { class: "group", "data-path": path },
    el("legend", {}, label),
    rows,
    el("button", { type: "button", onclick: add }, addLabel),
  );
}

/** A list of records inside a record (windows, items), each removable, with an add button. */
function listField(f, obj, path, changed, redraw) {
  if (!Array.isArray(obj[f.key])) obj[f.key] = [];
  return editableList({
    path,
    label: f.label,
    list: obj[f.key],
    rowClass: f.row ? "list-item row" : "list-item",
    removeLabel: (i) => `Remove ${f.item} ${i + 1}`,
    addLabel: `Add ${article(f.item)}`,
    make: f.make,
    content: (item, i) => fields(f.fields, item, `${path}.${i}`, changed, redraw),
    redraw,
  });
}

/** A list of dates (the site's holidays). */
function datesField(f, obj, path, changed, redraw) {
  if (!Array.isArray(obj[f.key])) obj[f.key] = [];
  const list = obj[f.key];
  return editableList({
    path,
    label: f.label,
    list,
    rowClass: "list-item row",
    addLabel: "Add a holiday",
    make: () => "",
    content: (d, i) =>
      el("input", {
        type: "date",
        value: d,
        "aria-label": `Holiday ${i + 1}`,
        oninput: (e) => {
          list[i] = e.target.value;
          changed();
        },
      }),
    redraw,
  });
}
