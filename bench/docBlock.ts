/** Rewrites one generated block of docs/benchmarks.md between its markers, keeping everything else. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Puts `body` between the `begin` and `end` markers of `doc`; when the markers are missing, the
 * block goes where `place` says (the hand-written text around it is never touched).
 */
export function replaceBlock(
  doc: string,
  begin: string,
  end: string,
  body: string,
  place: (doc: string, block: string) => string,
): string {
  const block = `${begin}\n${body}\n${end}`;
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from >= 0 && to > from) return doc.slice(0, from) + block + doc.slice(to + end.length);
  return place(doc, block);
}

/** Reads `file` (empty when missing), applies `edit`, writes it back. */
export function editDoc(file: string, edit: (doc: string) => string): void {
  const doc = existsSync(file) ? readFileSync(file, "utf8") : "";
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, edit(doc));
}

/** The markers around figure `name`'s block in docs/benchmarks.md, which a run rewrites. */
export function markers(name: string): [string, string] {
  return [`<!-- bench:${name}:begin -->`, `<!-- bench:${name}:end -->`];
}
