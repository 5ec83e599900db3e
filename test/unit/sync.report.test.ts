/**
 * The sync link's problems, as the retained status topic and `accessgw status` show them: each a
 * sentence starting with a stable code, so a central can sort them without parsing words.
 */
import { describe, expect, it } from "vitest";
import { isStale, syncProblems } from "../../gateway/sync/syncReport.js";

const NOW = Date.parse("2026-12-14T17:35:00+01:00");
const HOUR = 3_600_000;
const state = (over: Partial<Parameters<typeof syncProblems>[0]["state"]> = {}) => ({
  lastRev: 10,
  configRev: 2,
  lastSyncAt: NOW - HOUR,
  configRejected: null,
  ...over,
});
const settings = { offline: { maxStaleHours: 72, after: "keep-deciding" as const }, outboxAlarm: 1000 };

describe("syncProblems", () => {
  it("says nothing when all is well", () => {
    expect(
      syncProblems({
        state: state(),
        now: NOW,
        settings,
        outboxPending: 3,
        outboxAlarm: false,
        refused: undefined,
      }),
    ).toEqual([]);
  });

  it("names every problem with its code, in a stable order", () => {
    const problems = syncProblems({
      state: state({
        lastSyncAt: NOW - 100 * HOUR,
        configRejected: { rev: 3, problems: ['site.id: "milan"'] },
      }),
      now: NOW,
      settings: { ...settings, offline: { maxStaleHours: 72, after: "deny-paid" } },
      outboxPending: 1500,
      outboxAlarm: true,
      refused: 'changes rev 11: members[0].multipacks[0].product: unknown product "swim-ten"',
      stranded: { rev: 2, products: ["swim10"] },
    });
    expect(problems).toEqual([
      'configRejected: config rev 3: site.id: "milan"',
      "outboxAlarm: 1500 events wait for the central (sync.outboxAlarm 1000)",
      'syncRejected: changes rev 11: members[0].multipacks[0].product: unknown product "swim-ten"',
      "configStranded: config rev 2 dropped products stored multipacks still use (swim10); those multipacks are refused until the central sends their members again",
      "offlineStale: the cache has not synced for 100 h (more than sync.offline.maxStaleHours 72); paid entries are denied (deny-paid)",
    ]);
  });

  it("calls a cache stale past maxStaleHours, or when it never synced", () => {
    expect(isStale(state({ lastSyncAt: NOW - 72 * HOUR }), settings.offline, NOW)).toBe(false);
    expect(isStale(state({ lastSyncAt: NOW - 72 * HOUR - 1 }), settings.offline, NOW)).toBe(true);
    expect(isStale(state({ lastSyncAt: null }), settings.offline, NOW)).toBe(true);
  });
});
