/** The sync benchmark's report: each figure against issue 4's target, PASS or MISS. */
import { describe, expect, it } from "vitest";
import { renderSyncMarkdown, renderSyncText, type SyncRun, syncRows } from "../../bench/syncReport.js";

const lat = (p50: number, p99: number) => ({ n: 1000, p50, p99, max: p99 * 2, mean: p50 });
const run = (applyMs: number, scanP99: number, changeP99: number, drainMs: number): SyncRun => ({
  snapshot: {
    members: 1_000_000,
    parts: 6250,
    bytes: 1_662_095_223,
    applyMs,
    membersPerSecond: 1_000_000 / (applyMs / 1000),
    scans: lat(2.9, scanP99),
    scanWork: lat(0.6, 3.8),
    warmupScans: 49,
    warmupMaxMs: 102.7,
    loopDelayMaxMs: 136,
    loopDelayP99Ms: 8.5,
    peakRssMB: 227,
    databaseMB: 2565,
    generateMs: 16_900,
    partsOnMainThread: 0,
  },
  central: {
    members: 1000,
    saveToDecision: lat(57, 113),
    publishToDecision: lat(0.56, changeP99),
    offlineEvents: 100_000,
    offlineCharged: 805,
    drainMs,
    drainEventsPerSecond: 100_000 / (drainMs / 1000),
    batchesPublished: 200,
    republishes: 0,
  },
});

const verdicts = (r: SyncRun) =>
  syncRows(r)
    .filter((row) => row.pass !== null)
    .map((row) => [row.target, row.pass]);

describe("the sync benchmark's report", () => {
  it("compares each figure with its target", () => {
    expect(verdicts(run(59_000, 9.9, 900, 29_000))).toEqual([
      ["≤ 60", true],
      ["≤ 10", true],
      ["≤ 1000", true],
      ["≤ 30", true],
    ]);
    expect(verdicts(run(222_500, 11.2, 1200, 31_000))).toEqual([
      ["≤ 60", false],
      ["≤ 10", false],
      ["≤ 1000", false],
      ["≤ 30", false],
    ]);
  });

  it("prints the verdicts in the text and the Markdown table", () => {
    const r = run(222_500, 11.2, 2.1, 5000);
    expect(renderSyncText(syncRows(r))).toMatch(
      /snapshot applied, from connect to the last part \(s\) +≤ 60 +222\.5 MISS/,
    );
    const md = renderSyncMarkdown({
      run: r,
      date: "2026-12-05T13:31:45.344Z",
      command: "npm run bench -- --only sync",
      machine: { cpu: "AMD EPYC", cores: 2, memory: "23.5 GiB", node: "v20.20.2", os: "Linux", disk: "ext4" },
    });
    expect(md).toContain("### Latest sync run");
    expect(md).toMatch(/\| offline events all acked after the reconnect \(s\) +\| ≤ 30 +\| +5\.0 PASS \|/);
  });
});
