/** The sync benchmark's figures next to issue 4's targets: text for the terminal, Markdown for the docs. */
import type { CentralResult } from "./syncCentral.js";
import type { SnapshotResult } from "./syncSnapshot.js";
import { renderTargetMarkdown, renderTargetText, type TargetRow } from "./targetTable.js";

/** What syncMain.ts writes with --out. */
export interface SyncRun {
  snapshot: SnapshotResult | null;
  central: CentralResult | null;
}

/** One line of the table. */
export type SyncRow = TargetRow;

/** Issue 4's targets. */
export const SYNC_TARGETS = {
  snapshotSeconds: 60,
  scanP99Ms: 10,
  changeP99Ms: 1000,
  drainSeconds: 30,
} as const;

const ms = (v: number) => (v < 1 ? v.toFixed(3) : v.toFixed(2));
const int = (v: number) => Math.round(v).toLocaleString("en-US");

/** The rows, in print order. */
export function syncRows(r: SyncRun): SyncRow[] {
  const rows: SyncRow[] = [];
  const add = (name: string, target: string, value: string, pass: boolean | null = null) =>
    rows.push({ name, target, value, pass });
  const s = r.snapshot;
  if (s) {
    add(
      "snapshot: members / parts / MB of JSON",
      "",
      `${int(s.members)} / ${int(s.parts)} / ${int(s.bytes / 2 ** 20)}`,
    );
    add(
      "snapshot applied, from connect to the last part (s)",
      `≤ ${SYNC_TARGETS.snapshotSeconds}`,
      (s.applyMs / 1000).toFixed(1),
      s.applyMs / 1000 <= SYNC_TARGETS.snapshotSeconds,
    );
    add("snapshot: members per second", "", int(s.membersPerSecond));
    add(`scans during the apply (${int(s.scans.n)}), due → recorded, p50 (ms)`, "", ms(s.scans.p50));
    add(
      "scans during the apply, due → recorded, p99 (ms)",
      `≤ ${SYNC_TARGETS.scanP99Ms}`,
      ms(s.scans.p99),
      s.scans.p99 <= SYNC_TARGETS.scanP99Ms,
    );
    add("scans during the apply, max (ms)", "", ms(s.scans.max));
    add(
      "scans in the first second (connect, warm-up; not above): count / max (ms)",
      "",
      `${int(s.warmupScans)} / ${ms(s.warmupMaxMs)}`,
    );
    add(
      "a scan's own work (decide + commit), p50 / p99 (ms)",
      "",
      `${ms(s.scanWork.p50)} / ${ms(s.scanWork.p99)}`,
    );
    add("event-loop delay p99 / max (ms)", "", `${ms(s.loopDelayP99Ms)} / ${ms(s.loopDelayMaxMs)}`);
    add("peak RSS of the gateway process (MB)", "", int(s.peakRssMB));
    add("database after the snapshot, db + wal (MB)", "", int(s.databaseMB));
    add("generating the members (s, not counted)", "", (s.generateMs / 1000).toFixed(1));
  }
  const c = r.central;
  if (c) {
    const change = "member change → visible in a decision";
    add(
      `${change}, from its publish, p50 (ms; ${c.saveToDecision.n} changes, ${int(c.members)} members)`,
      "",
      ms(c.publishToDecision.p50),
    );
    add(
      `${change}, from its publish, p99 (ms)`,
      `≤ ${SYNC_TARGETS.changeP99Ms}`,
      ms(c.publishToDecision.p99),
      c.publishToDecision.p99 <= SYNC_TARGETS.changeP99Ms,
    );
    add(
      `${change}, from the save of the central's file, p50 / p99 (ms)`,
      "",
      `${ms(c.saveToDecision.p50)} / ${ms(c.saveToDecision.p99)}`,
    );
    add(
      "events recorded offline (of which charged)",
      "",
      `${int(c.offlineEvents)} (${int(c.offlineCharged)})`,
    );
    add(
      "offline events all acked after the reconnect (s)",
      `≤ ${SYNC_TARGETS.drainSeconds}`,
      (c.drainMs / 1000).toFixed(1),
      c.drainMs / 1000 <= SYNC_TARGETS.drainSeconds,
    );
    add(
      "offline events: per second / batches / re-sends",
      "",
      `${int(c.drainEventsPerSecond)} / ${int(c.batchesPublished)} / ${int(c.republishes)}`,
    );
  }
  return rows;
}

/** A plain-text table for the terminal. */
export function renderSyncText(rows: SyncRow[]): string {
  return renderTargetText(rows);
}

/** The Markdown block written between the sync markers of docs/benchmarks.md. */
export function renderSyncMarkdown(d: {
  run: SyncRun;
  date: string;
  command: string;
  machine: { cpu: string; cores: number; memory: string; node: string; os: string; disk: string };
}): string {
  return [
    "### Latest sync run",
    "",
    `- date: ${d.date}`,
    `- command: \`${d.command}\``,
    `- machine: ${d.machine.cpu}, ${d.machine.cores} cores, ${d.machine.memory} RAM, ${d.machine.os}`,
    `- disk (df -T of the benchmark's folder): ${d.machine.disk}`,
    `- Node ${d.machine.node}; a real Mosquitto on 127.0.0.1; the central's side in another process (snapshot) or the reference central (changes, offline events)`,
    "",
    ...renderTargetMarkdown(syncRows(d.run)),
  ].join("\n");
}
