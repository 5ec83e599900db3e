/** The end-to-end latency figures next to their targets, as text for the terminal and Markdown for the docs. */
import type { E2eResult } from "./e2eLatency.js";
import { renderTargetMarkdown, renderTargetText, type TargetRow } from "./targetTable.js";

/** What e2eMain.ts hands run.ts: the gateway's run, and the null-gateway control when one ran. */
export interface E2eRun {
  result: E2eResult;
  control?: E2eResult;
}

/** One line of the end-to-end table. */
export type E2eRow = TargetRow;

/** The overhead target of issue 3: p99 of (measured − wire floor) at most 5 ms. */
export const OVERHEAD_P99_TARGET_MS = 5;

const ms = (v: number) => (v < 1 ? v.toFixed(3) : v.toFixed(2));
const int = (v: number) => Math.round(v).toLocaleString("en-US");

/**
 * The rows, in print order. On ptys the wire time is absent, so the measured latency is the
 * gateway's overhead; on a 9600 baud line the same run would take floor + overhead.
 */
export function e2eRows(r: E2eResult, control?: E2eResult): E2eRow[] {
  const rows: E2eRow[] = [];
  const add = (name: string, target: string, value: string, pass: boolean | null = null) =>
    rows.push({ name, target, value, pass });
  add("readers / LCUS boards × channels", "", `${r.readers} / ${r.boards} × ${r.channelsPerBoard}`);
  add(
    "scans sent (measured + warm-up)",
    "",
    `${int(r.measuredScans)} + ${int(r.scansSent - r.measuredScans)}`,
  );
  add("scans per second (all readers)", "", r.scansPerSecond.toFixed(1));
  add("relay ON / OFF frames read", "", `${int(r.onFrames)} / ${int(r.offFrames)}`);
  add("resting OFF frames (door channels at rest when a port opens)", "", int(r.restingFrames));
  add(`lost (no ON frame within ${r.timeoutMs} ms)`, "0", int(r.lost), r.lost === 0);
  add("duplicated (ON frame with no scan)", "0", int(r.duplicated), r.duplicated === 0);
  const db = r.db;
  if (db)
    add(
      "database: grants / denies / relay_failed",
      "= scans, 0, 0",
      `${int(db.grants)} / ${int(db.denies)} / ${int(db.relayFailed)}`,
      db.grants === r.scansSent && db.cardsMissing === 0 && db.cardsExtra === 0 && db.relayFailed === 0,
    );
  add("latency on ptys p50 (ms)", "", ms(r.latency.p50));
  add("latency on ptys p99 (ms)", "", ms(r.latency.p99));
  add("latency on ptys max (ms)", "", ms(r.latency.max));
  add(
    `wire floor: (${r.scanLineBytes} + ${r.relayFrameBytes}) bytes × 10 bits ÷ ${r.baudRate} (ms)`,
    "",
    ms(r.floorMs),
  );
  add(`end to end at ${r.baudRate} baud, p50 = floor + measured (ms)`, "", ms(r.floorMs + r.latency.p50));
  add(`end to end at ${r.baudRate} baud, p99 = floor + measured (ms)`, "", ms(r.floorMs + r.latency.p99));
  add("gateway overhead p50 (ms)", "", ms(r.latency.p50));
  add(
    "gateway overhead p99 (ms)",
    `≤ ${OVERHEAD_P99_TARGET_MS}`,
    ms(r.latency.p99),
    r.latency.p99 <= OVERHEAD_P99_TARGET_MS,
  );
  if (control) {
    const c = control.latency;
    add(
      `control (null gateway, ${control.seconds} s): p50 / p99 / max (ms)`,
      "",
      `${ms(c.p50)} / ${ms(c.p99)} / ${ms(c.max)}`,
    );
    add(
      "gateway − control, p50 / p99 (ms)",
      "",
      `${ms(r.latency.p50 - c.p50)} / ${ms(r.latency.p99 - c.p99)}`,
    );
    if (control.lost + control.duplicated > 0)
      add("control lost / duplicated", "", `${control.lost} / ${control.duplicated}`);
  }
  add("alone: one pty hop through socat, p50 / p99 (ms)", "", `${ms(r.hop.p50)} / ${ms(r.hop.p99)}`);
  add(
    "alone: fdatasync of 4 kB in the data folder, p50 / p99 (ms)",
    "",
    `${ms(r.fsync.p50)} / ${ms(r.fsync.p99)}`,
  );
  add("load generator timer slip p50 / p99 (ms)", "", `${ms(r.slip.p50)} / ${ms(r.slip.p99)}`);
  if (r.cpuPerScanMs !== null)
    add(
      "gateway CPU per scan (ms) / share of one core",
      "",
      `${ms(r.cpuPerScanMs)} / ${((r.cpuPerScanMs * r.scansPerSecond) / 10).toFixed(0)} %`,
    );
  add("load average (1 min) before / after", "", `${r.load[0].toFixed(2)} / ${r.load[1].toFixed(2)}`);
  add("gateway exit code after SIGTERM", "0", String(r.gatewayExit), r.gatewayExit === 0);
  return rows;
}

/** True when every row with a target passes. */
export function e2ePassed(rows: E2eRow[]): boolean {
  return rows.every((row) => row.pass !== false);
}

/** A plain-text table for the terminal. */
export function renderE2eText(rows: E2eRow[]): string {
  return renderTargetText(rows);
}

/** The Markdown block written between the e2e markers of docs/benchmarks.md. */
export function renderE2eMarkdown(d: {
  result: E2eResult;
  control?: E2eResult;
  date: string;
  command: string;
  machine: { cpu: string; cores: number; memory: string; node: string; os: string; disk: string };
}): string {
  const r = d.result;
  const rows = e2eRows(r, d.control);
  return [
    "### Latest end-to-end run",
    "",
    `- date: ${d.date}`,
    `- command: \`${d.command}\``,
    `- machine: ${d.machine.cpu}, ${d.machine.cores} cores, ${d.machine.memory} RAM, ${d.machine.os}`,
    `- disk (df -T of the temporary folder holding the gateway's database): ${d.machine.disk}`,
    `- Node ${d.machine.node}`,
    `- ${r.seconds} s measured after a ${r.warmupSeconds} s warm-up; a card every ${r.intervalMs} ms per reader, staggered; door pulses ${r.pulseMs} ms`,
    "",
    ...renderTargetMarkdown(rows),
    "",
    `Result: ${e2ePassed(rows) ? "PASS" : "MISS"}.`,
  ].join("\n");
}
