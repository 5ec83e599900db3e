/** Turns the per-size results into the table of figures and targets, as text and as Markdown. */
import type { SizeResult } from "./measure.js";
import type { Latency } from "./stats.js";
import { MB } from "./stats.js";

/** One line of the table: a figure for each size, and its target when it has one. */
export interface Row {
  name: string;
  target: string;
  values: string[];
  /** PASS/MISS per size; null when the row has no target. */
  pass: (boolean | null)[];
}

type Sized = { label: string; r: SizeResult };

const msText = (v: number | undefined) => (v === undefined ? "–" : v < 1 ? v.toFixed(3) : v.toFixed(2));
const int = (v: number) => Math.round(v).toLocaleString("en-US");

/** The rows of the report, in the order they are printed. */
export function rows(results: Sized[]): Row[] {
  const out: Row[] = [];
  const add = (
    name: string,
    target: string,
    value: (r: SizeResult) => string,
    ok?: (r: SizeResult) => boolean | null,
  ) =>
    out.push({
      name,
      target,
      values: results.map((x) => value(x.r)),
      pass: results.map((x) => (ok ? ok(x.r) : null)),
    });
  const lat = (pick: (r: SizeResult) => Latency | undefined, q: "p50" | "p99" | "max") => (r: SizeResult) =>
    msText(pick(r)?.[q]);
  const ratio = (r: SizeResult, q: "p50" | "p99") =>
    r.explain && r.floor && r.floor[q] > 0 ? r.explain[q] / r.floor[q] : undefined;

  add(
    "explain p50 (ms)",
    "",
    lat((r) => r.explain, "p50"),
  );
  add(
    "explain p99 (ms)",
    "≤ 0.5",
    lat((r) => r.explain, "p99"),
    (r) => (r.explain ? r.explain.p99 <= 0.5 : null),
  );
  add(
    "explain max (ms)",
    "",
    lat((r) => r.explain, "max"),
  );
  add(
    "scan p50 (ms, synchronous=FULL)",
    "",
    lat((r) => r.scan, "p50"),
  );
  add(
    "scan p99 (ms, synchronous=FULL)",
    "≤ 3",
    lat((r) => r.scan, "p99"),
    (r) => (r.scan ? r.scan.p99 <= 3 : null),
  );
  add(
    "scan max (ms)",
    "",
    lat((r) => r.scan, "max"),
  );
  add(
    "floor: one indexed SELECT of a card, p50 (ms)",
    "",
    lat((r) => r.floor, "p50"),
  );
  add(
    "floor: one indexed SELECT of a card, p99 (ms)",
    "",
    lat((r) => r.floor, "p99"),
  );
  add(
    "explain ÷ floor, p50",
    "≤ 25×",
    (r) => (ratio(r, "p50") === undefined ? "–" : `${(ratio(r, "p50") as number).toFixed(1)}×`),
    (r) => (ratio(r, "p50") === undefined ? null : (ratio(r, "p50") as number) <= 25),
  );
  add(
    "explain ÷ floor, p99",
    "≤ 25×",
    (r) => (ratio(r, "p99") === undefined ? "–" : `${(ratio(r, "p99") as number).toFixed(1)}×`),
    (r) => (ratio(r, "p99") === undefined ? null : (ratio(r, "p99") as number) <= 25),
  );
  const io = (pick: (r: SizeResult) => Latency | undefined) => (r: SizeResult) => {
    const l = pick(r);
    return l?.readsPerOp === undefined
      ? "–"
      : `${l.readsPerOp.toFixed(1)} / ${(l.diskReadMB ?? 0).toFixed(0)}`;
  };
  add(
    "floor: read syscalls per op / MB read from disk",
    "",
    io((r) => r.floor),
  );
  add(
    "explain: read syscalls per op / MB read from disk",
    "",
    io((r) => r.explain),
  );
  add(
    "scan: read syscalls per op / MB read from disk",
    "",
    io((r) => r.scan),
  );
  add(
    "disk floor: BEGIN; INSERT; COMMIT, p50 (ms)",
    "",
    lat((r) => r.commit, "p50"),
  );
  add(
    "disk floor: BEGIN; INSERT; COMMIT, p99 (ms)",
    "",
    lat((r) => r.commit, "p99"),
  );
  add("scan p50 − commit floor p50 (ms)", "", (r) =>
    r.scan && r.commit ? msText(r.scan.p50 - r.commit.p50) : "–",
  );
  add(
    "import (members/s)",
    "≥ 20,000",
    (r) => (r.reused ? "reused" : int(r.importRate)),
    (r) => (r.reused ? null : r.importRate >= 20_000),
  );
  add("import (ledger entries/s)", "", (r) =>
    r.reused ? "–" : int(r.generated.ledger / ((r.pipelineMs ?? r.validateMs + r.importMs) / 1000)),
  );
  add("  checking on the worker, importCheck (s)", "", (r) =>
    r.reused ? "–" : (r.validateMs / 1000).toFixed(1),
  );
  add("  writing meanwhile, ImportWriter (s)", "", (r) => (r.reused ? "–" : (r.importMs / 1000).toFixed(1)));
  add("generating the members (s, not counted)", "", (r) =>
    r.reused ? "–" : (r.generateMs / 1000).toFixed(1),
  );
  add("database after import, db + wal (MB)", "", (r) => `${int(r.dbBytes / MB)} + ${int(r.walBytes / MB)}`);
  add(
    "database after the run, db + wal (MB)",
    "",
    (r) => `${int(r.dbBytesAfter / MB)} + ${int(r.walBytesAfter / MB)}`,
  );
  // Issue 12 §3: pages in use per member (dbstat), before and after the gateway's own fold pass.
  const perMember = (s: SizeResult["sizeAfterFold"]) =>
    s && s.members > 0 ? (s.fileBytes - s.freeBytes) / s.members : undefined;
  add("cache in use after import (bytes per member)", "", (r) => {
    const v = perMember(r.sizeAfterImport);
    return v === undefined ? "–" : int(v);
  });
  add(
    "cache in use after the fold (bytes per member)",
    "≤ 500",
    (r) => {
      const v = perMember(r.sizeAfterFold);
      return v === undefined ? "–" : int(v);
    },
    (r) => {
      const v = perMember(r.sizeAfterFold);
      return v === undefined ? null : v <= 500;
    },
  );
  add("fold pass after import: s / ledger rows / visits folded", "", (r) =>
    r.fold ? `${(r.fold.ms / 1000).toFixed(1)} / ${int(r.fold.entries)} / ${int(r.fold.visits)}` : "–",
  );
  add("RSS after import (MB)", "", (r) => int(r.rssAfterImport / MB));
  add("RSS at the end (MB)", "", (r) => int(r.rssEnd / MB));
  add(
    "peak RSS, VmHWM (MB)",
    "≤ 250",
    (r) => int(r.peakRss / MB),
    (r) => r.peakRss / MB <= 250,
  );
  add("members / multipacks", "", (r) => `${int(r.generated.members)} / ${int(r.generated.multipacks)}`);
  add("ledger entries / bookings", "", (r) => `${int(r.generated.ledger)} / ${int(r.generated.bookings)}`);
  add("members with hundreds of old visits", "", (r) => int(r.generated.heavy));
  add("wall time of the size (s)", "", (r) => (r.totalMs / 1000).toFixed(0));
  return out;
}

const cell = (row: Row, i: number) => {
  const p = row.pass[i];
  return p === null || p === undefined ? (row.values[i] ?? "") : `${row.values[i]} ${p ? "PASS" : "MISS"}`;
};

/** A plain-text table for the terminal. */
export function renderText(labels: string[], table: Row[]): string {
  const head = ["figure", "target", ...labels];
  const body = table.map((row) => [row.name, row.target, ...labels.map((_, i) => cell(row, i))]);
  const widths = head.map((_, c) => Math.max(...[head, ...body].map((r) => (r[c] ?? "").length)));
  const line = (r: string[]) =>
    r.map((v, c) => (c < 2 ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0))).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/** The Markdown block written to docs/benchmarks.md. */
export function renderMarkdown(d: {
  machine: { cpu: string; cores: number; memory: string; disk: string; node: string; os: string };
  date: string;
  command: string;
  labels: string[];
  table: Row[];
  results: Sized[];
}): string {
  const lines: string[] = [];
  lines.push("## Latest run", "");
  lines.push(`- date: ${d.date}`);
  lines.push(`- command: \`${d.command}\``);
  lines.push(
    `- machine: ${d.machine.cpu}, ${d.machine.cores} cores, ${d.machine.memory} RAM, ${d.machine.os}`,
  );
  lines.push(`- disk (df -T of the cache folder): ${d.machine.disk}`);
  lines.push(`- Node ${d.machine.node}`, "");
  lines.push(
    ...markdownTable(
      ["figure", "target", ...d.labels],
      d.table.map((row) => [row.name.trim(), row.target, ...d.labels.map((_, i) => cell(row, i))]),
    ),
  );
  const last = d.results.at(-1);
  if (last && Object.keys(last.r.outcomes).length > 0) {
    const total = Object.values(last.r.outcomes).reduce((a, b) => a + b, 0);
    const mix = Object.entries(last.r.outcomes)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${((v / total) * 100).toFixed(1)}%`)
      .join(", ");
    lines.push("", `Decisions measured at ${last.label} (explain): ${mix}.`);
  }
  return lines.join("\n");
}

/** A Markdown table laid out as the formatter (biome) lays it out: padded cells, figures (columns from `firstFigureColumn` on) right-aligned. */
export function markdownTable(head: string[], body: string[][], firstFigureColumn = 2): string[] {
  const rightAligned = (c: number) => c >= firstFigureColumn;
  const widths = head.map((_, c) => Math.max(3, ...[head, ...body].map((r) => (r[c] ?? "").length)));
  const line = (r: string[]) =>
    `| ${r.map((v, c) => (rightAligned(c) ? v.padStart(widths[c] ?? 0) : v.padEnd(widths[c] ?? 0))).join(" | ")} |`;
  const rule = `| ${widths.map((w, c) => (rightAligned(c) ? `${"-".repeat(w - 1)}:` : "-".repeat(w))).join(" | ")} |`;
  return [line(head), rule, ...body.map(line)];
}
