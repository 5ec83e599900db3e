/**
 * "did you mean" for unknown keys, for every strict schema (gateway configuration, data files): zod
 * says which keys it did not know; the schema at the path says which it knows, and the one
 * that matches regardless of case, or within a small edit, is suggested (`baudrate` → `baudRate`).
 */
import type { z } from "zod";

type Schema = z.core.$ZodType;
type Def = {
  type: string;
  shape?: Record<string, Schema>;
  element?: Schema;
  innerType?: Schema;
  in?: Schema;
  options?: Schema[];
  discriminator?: string;
  getter?: () => Schema;
};

const def = (s: Schema) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schema with optional, default, nullable, pipe… wrappers taken off. */
function unwrap(s: Schema): Schema {
  for (;;) {
    const d = def(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === "pipe" && d.in) s = d.in;
    else if (d.type === "lazy" && d.getter) s = d.getter();
    else return s;
  }
}

/** The object schemas `s` may be for `value` (a discriminated union: the option its discriminator names). */
function objectsOf(s: Schema, value: unknown): Schema[] {
  const u = unwrap(s);
  const d = def(u);
  if (d.type === "object") return [u];
  if (d.type !== "union" || !d.options) return [];
  const options = d.options.flatMap((o) => objectsOf(o, value));
  const tag = d.discriminator;
  if (tag === undefined || value === null || typeof value !== "object") return options;
  const found = (value as Record<string, unknown>)[tag];
  const chosen = options.filter((o) => {
    const t = def(def(o).shape?.[tag] ?? o) as unknown as { values?: unknown[] };
    return Array.isArray(t.values) && t.values.includes(found);
  });
  return chosen.length > 0 ? chosen : options;
}

/** The keys the schema knows at `path` inside `root` (the parsed document). */
export function knownKeysAt(schema: Schema, root: unknown, path: readonly PropertyKey[]): string[] {
  let current: Schema[] = [schema];
  let value = root;
  for (const p of path) {
    const next: Schema[] = [];
    for (const s of current) {
      const u = unwrap(s);
      const d = def(u);
      if (d.type === "array" && d.element && typeof p === "number") next.push(d.element);
      for (const o of objectsOf(u, value)) {
        const field = def(o).shape?.[String(p)];
        if (field) next.push(field);
      }
    }
    current = next;
    value =
      value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[p] : undefined;
  }
  return [
    ...new Set(current.flatMap((s) => objectsOf(s, value).flatMap((o) => Object.keys(def(o).shape ?? {})))),
  ];
}

/** The known key `key` was probably meant as: the same but for case, else the nearest within a small edit. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameButCase = known.find((k) => k.toLowerCase() === lower);
  if (sameButCase !== undefined) return sameButCase;
  // One edit in short keys, two in longer ones: "idd" → "id", "baudRte" → "baudRate".
  const budget = key.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = budget + 1;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** `unknown field "baudrate" (did you mean "baudRate"?)`, for every key of an unrecognized_keys issue. */
export function unknownKeysMessage(keys: readonly string[], known: readonly string[]): string {
  const named = keys.map((k) => {
    const hint = suggestKey(k, known);
    return hint === undefined ? `"${k}"` : `"${k}" (did you mean "${hint}"?)`;
  });
  return `unknown field${keys.length > 1 ? "s" : ""} ${named.join(", ")}`;
}

/** Edit distance with adjacent transpositions counted as one edit ("nmae" → "name"). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}
