/** A table of figures next to their targets (PASS/MISS), as plain text and as Markdown. */

/** One line: `pass` is null for a figure without a target. */
export interface TargetRow {
  name: string;
  target: string;
  value: string;
  pass: boolean | null;
}

/** The value, with PASS or MISS when the row has a target. */
export function targetCell(row: TargetRow): string {
  return row.pass === null ? row.value : `${row.value} ${row.pass ? "PASS" : "MISS"}`;
}

function cells(rows: TargetRow[]): string[][] {
  return [["figure", "target", "value"], ...rows.map((row) => [row.name, row.target, targetCell(row)])];
}

/** A plain-text table for the terminal. */
export function renderTargetText(rows: TargetRow[]): string {
  const body = cells(rows);
  const widths = [0, 1, 2].map((c) => Math.max(...body.map((r) => (r[c] ?? "").length)));
  return body
    .map((r) => r.map((v, c) => (c < 2 ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0))).join("  "))
    .join("\n");
}

/** A Markdown table, the value column right-aligned, padded as the formatter pads it. */
export function renderTargetMarkdown(rows: TargetRow[]): string[] {
  const body = cells(rows);
  const widths = [0, 1, 2].map((c) => Math.max(3, ...body.map((x) => (x[c] ?? "").length)));
  const line = (x: string[]) =>
    `| ${x.map((v, c) => (c === 2 ? v.padStart(widths[c] ?? 0) : v.padEnd(widths[c] ?? 0))).join(" | ")} |`;
  const rule = `| ${widths.map((w, c) => (c === 2 ? `${"-".repeat(w - 1)}:` : "-".repeat(w))).join(" | ")} |`;
  return [line(body[0] as string[]), rule, ...body.slice(1).map(line)];
}
