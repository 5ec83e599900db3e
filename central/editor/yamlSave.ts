/**
 * Writing a draft into the site configuration's YAML file the way a person would edit it: the yaml
 * package's Document API changes only the nodes whose values differ (a changed time keeps its quotes
 * and its comment), and every line the change does not touch is written back byte for byte (the
 * library would otherwise respace flow collections and trailing comments). Records are matched by
 * id (items by access type), so a record's comments move with it. The file is replaced atomically.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { diffArrays } from "diff";
import {
  type Document,
  isMap,
  isNode,
  isScalar,
  isSeq,
  type Node,
  parseDocument,
  type ToStringOptions,
  visit,
} from "yaml";
import type { SiteSections } from "./editorApi.js";

/** The sections the editor writes, in the order a new one is added to the file. */
export const SECTIONS = ["site", "areas", "accessTypes", "products", "limits", "cardModels"] as const;

/** New collections this short (as JSON) are written in flow style, as the example files write them. */
const FLOW_WIDTH = 72;

/** The file's text with the draft's sections put in, comments and untouched lines kept. */
export function draftIntoYaml(text: string, draft: SiteSections): string {
  const doc = parseDocument(text);
  const changed = new Set<string>();
  for (const section of SECTIONS) {
    const value = draft[section] as unknown;
    const node = doc.get(section, true);
    if (node === undefined) {
      if (Array.isArray(value) && value.length === 0) continue;
      doc.set(section, created(doc, value));
    } else if (!isDeepStrictEqual(isNode(node) ? node.toJS(doc) : node, value))
      doc.set(section, updated(doc, node, value));
    else continue;
    changed.add(section);
  }
  const pad = { seq: /\[ /.test(text), map: /\{ /.test(text) };
  const options: ToStringOptions = { lineWidth: 0, flowCollectionPadding: pad.seq || pad.map };
  const orig = topLevel(text);
  const normalOld = topLevel(parseDocument(text).toString(options));
  const out: string[] = [...(orig.get("") ?? [])];
  for (const [key, lines] of topLevel(doc.toString(options))) {
    if (key === "") continue;
    const was = orig.get(key);
    if (was === undefined || !changed.has(key)) {
      // A section the draft left alone (members, too) is written back as it was, byte for byte.
      out.push(...(was ?? lines));
      continue;
    }
    const merged = keepUntouchedLines(was, normalOld.get(key) ?? [], lines);
    out.push(...merged.map((l) => (l.kept ? l.text : padLike(l.text, pad))));
  }
  return out.join("\n");
}

/**
 * The lines of each top-level section (from its key to the next key; "" holds what comes before
 * the first key), in the order of the file.
 */
function topLevel(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>([["", []]]);
  let current = sections.get("") as string[];
  for (const line of text.split("\n")) {
    const key = /^([A-Za-z_][\w-]*)\s*:/.exec(line)?.[1];
    if (key !== undefined) {
      current = [];
      sections.set(key, current);
    }
    current.push(line);
  }
  return sections;
}

/**
 * A JSON site configuration (`.json`, read strictly as JSON) with the draft's sections put in: JSON
 * has no comments to keep, so it is written whole, indented as the file was (2 spaces by default).
 */
export function draftIntoJson(text: string, draft: SiteSections): string {
  const doc = JSON.parse(text) as Record<string, unknown>;
  for (const section of SECTIONS) {
    const value = draft[section] as unknown;
    if (doc[section] === undefined && Array.isArray(value) && value.length === 0) continue;
    doc[section] = value;
  }
  const indent = /^\{\s*\n([ \t]+)"/.exec(text)?.[1] ?? "  ";
  return `${JSON.stringify(doc, null, indent)}\n`;
}

/** A rewritten line with its flow brackets spaced as the file spaces them (`[a, b]`, `{ a: 1 }`). */
function padLike(line: string, pad: { seq: boolean; map: boolean }): string {
  let out = line;
  if (!pad.seq) out = out.replace(/\[ (?=\S)/g, "[").replace(/(?<=\S) \]/g, "]");
  if (!pad.map) out = out.replace(/\{ (?=\S)/g, "{").replace(/(?<=\S) \}/g, "}");
  return out;
}

/** `node` made to hold `value`: itself when equal; its parts updated when both are maps or lists. */
function updated(doc: Document, node: unknown, value: unknown): unknown {
  if (isNode(node) && isDeepStrictEqual(node.toJS(doc), value)) return node;
  if (isScalar(node) && (value === null || typeof value !== "object")) {
    node.value = value;
    return node;
  }
  if (isMap(node) && isPlainObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      const child = node.get(key, true);
      node.set(key, child === undefined ? created(doc, v) : updated(doc, child, v));
    }
    for (const pair of [...node.items]) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof key === "string" && !(key in value)) node.delete(key);
    }
    return node;
  }
  if (isSeq(node) && Array.isArray(value)) {
    node.items = matchElements(doc, [...node.items], value).map((n, i) =>
      n === undefined ? created(doc, value[i]) : (updated(doc, n, value[i]) as Node),
    );
    return node;
  }
  return created(doc, value);
}

/**
 * For each new element, the old node it replaces: the same id (an item: the same access type), else
 * an equal one, else (a window whose time changed) the unmatched old element at the same place.
 */
function matchElements(doc: Document, old: unknown[], values: unknown[]): (unknown | undefined)[] {
  const js = old.map((n) => (isNode(n) ? (n.toJS(doc) as unknown) : n));
  const free = old.map(() => true);
  const take = (i: number) => {
    free[i] = false;
    return old[i];
  };
  const found = values.map((v) => {
    const key = identityKey(v);
    const i = js.findIndex((was, j) =>
      free[j] && key !== undefined
        ? isPlainObject(was) && was[key] === (v as Record<string, unknown>)[key]
        : free[j] && isDeepStrictEqual(was, v),
    );
    return i < 0 ? undefined : take(i);
  });
  return found.map((n, i) => {
    if (n !== undefined || identityKey(values[i]) !== undefined) return n;
    return free[i] === true && isNode(old[i]) ? take(i) : undefined;
  });
}

/** What identifies a record in a list: its id, or an item's access type. */
function identityKey(v: unknown): string | undefined {
  if (!isPlainObject(v)) return undefined;
  return ["id", "accessType"].find((k) => typeof v[k] === "string");
}

/** A new node for `value`; small collections in flow style. */
function created(doc: Document, value: unknown): Node {
  const node = doc.createNode(value) as Node;
  flowSmall(node);
  // "07:00", "2027-12-25": quoted, as the files write them (YAML 1.1 readers take 07:00 for a number).
  visit(node, {
    Scalar(_key, scalar) {
      if (typeof scalar.value === "string" && /^[0-9]/.test(scalar.value)) scalar.type = "QUOTE_DOUBLE";
    },
  });
  return node;
}

function flowSmall(node: unknown): void {
  if (!isMap(node) && !isSeq(node)) return;
  if (JSON.stringify(node.toJSON()).length <= FLOW_WIDTH) {
    node.flow = true;
    return;
  }
  for (const item of node.items) flowSmall(isMap(node) ? (item as { value: unknown }).value : item);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * A section's new lines (`after`), each line the change left alone taken from the original (`orig`,
 * `kept`). `before` is the original as the library writes it: its lines are matched to the original's
 * ignoring spaces; a part the library writes on other lines (a flow map over two lines) is written
 * as the library writes it.
 */
function keepUntouchedLines(
  orig: string[],
  before: string[],
  after: string[],
): { text: string; kept: boolean }[] {
  const squeeze = (l: string) => l.replace(/\s+/g, "");
  const source = new Map<number, number>();
  let o = 0;
  let b = 0;
  for (const part of diffArrays(orig, before, { comparator: (x, y) => squeeze(x) === squeeze(y) })) {
    if (part.added) b += part.value.length;
    else if (part.removed) o += part.value.length;
    else for (let k = 0; k < part.value.length; k++) source.set(b++, o++);
  }
  const out: { text: string; kept: boolean }[] = [];
  let at = 0;
  for (const part of diffArrays(before, after)) {
    if (part.added) out.push(...part.value.map((text) => ({ text, kept: false })));
    else if (part.removed) at += part.value.length;
    else
      for (const text of part.value) {
        const from = source.get(at++);
        out.push(from === undefined ? { text, kept: false } : { text: orig[from] as string, kept: true });
      }
  }
  return out;
}

/** Replaces `file` with `text` atomically (a temp file beside it, synced, renamed), keeping its mode. */
export function writeAtomically(file: string, text: string): void {
  const mode = statSync(file).mode & 0o777;
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.saving`);
  try {
    const fd = openSync(temp, "w", mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  // The rename itself survives a power cut once the folder is synced.
  const dir = openSync(dirname(file), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
