/**
 * sync.offline (issue 4): how long a gateway's cache may be trusted without a successful sync with
 * the central, and what the engine does after that: keep deciding (default), or deny the entries
 * that would charge credits (`deny-paid`). Pure: staleness is measured against the `now` handed in.
 */
import type { OfflineFact } from "./types.js";

/** The cache's staleness at one instant, with words for the trace and the status. */
export interface OfflineState {
  stale: boolean;
  after: OfflineFact["after"];
  /** Whole hours since the last sync, or null when it never synced (or no policy applies). */
  hours: number | null;
  /** "the cache has not synced for 80 h (more than 72 h)" / "the cache never synced". */
  words: string;
}

const FRESH: OfflineState = { stale: false, after: "keep-deciding", hours: null, words: "" };

/** Staleness of the cache at `now`; no policy (a gateway without sync) is never stale. */
export function offlineState(offline: OfflineFact | null | undefined, now: number): OfflineState {
  if (!offline) return FRESH;
  const { lastSyncAt, maxStaleHours, after } = offline;
  if (lastSyncAt === null)
    return { stale: true, after, hours: null, words: "the cache never synced with the central" };
  const ms = now - lastSyncAt;
  const hours = Math.floor(ms / 3_600_000);
  const stale = ms > maxStaleHours * 3_600_000;
  return {
    stale,
    after,
    hours,
    words: stale
      ? `the cache has not synced for ${hours} h (more than sync.offline.maxStaleHours ${maxStaleHours})`
      : `last sync ${hours} h ago`,
  };
}
