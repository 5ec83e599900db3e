/**
 * sync.offline (issue 4 §3): a gateway that syncs trusts its cache for `maxStaleHours` after its last
 * successful sync. After that `keep-deciding` decides as before and says so in the trace; `deny-paid`
 * denies what would charge credits (`offline_stale`) and still lets free entries through.
 */
import { describe, expect, it } from "vitest";
import { offlineState } from "../../gateway/engine/offline.js";
import type { OfflineFact } from "../../gateway/engine/types.js";
import { at } from "../helpers/build.js";
import { mp, product, rome, scan, traceReasons, visit } from "./engineFixture.js";

const site = rome({
  accessTypes: [
    { id: "gym-all", areas: ["gym"] },
    { id: "pool-all", areas: ["pool"] },
  ],
  products: [
    product("pool-10", 10, ["pool-all"], { deductionIntervalMinutes: 120 }, 2),
    product("gym-unlimited", 0, ["gym-all"]),
  ],
});
const NOW = "2027-03-22T10:00";
const HOUR = 3_600_000;
const synced = (hoursAgo: number | null, after: OfflineFact["after"] = "deny-paid"): OfflineFact => ({
  lastSyncAt: hoursAgo === null ? null : at(NOW) - hoursAgo * HOUR,
  maxStaleHours: 72,
  after,
});
const pool10 = mp("mp-pool", "pool-10", "2027-03-01T10:00");
const gym = mp("mp-gym", "gym-unlimited", "2027-03-01T10:00");

describe("offlineState: is the cache stale at now?", () => {
  it.each([
    [null, true, "the cache never synced with the central"],
    [71, false, "last sync 71 h ago"],
    [72, false, "last sync 72 h ago"],
    [73, true, "the cache has not synced for 73 h (more than sync.offline.maxStaleHours 72)"],
  ])("last sync %s h ago → stale %s", (hours, stale, words) => {
    expect(offlineState(synced(hours), at(NOW))).toMatchObject({ stale, words });
  });

  it("is never stale without a policy (a gateway that does not sync)", () => {
    expect(offlineState(undefined, at(NOW)).stale).toBe(false);
    expect(offlineState(null, at(NOW)).stale).toBe(false);
  });
});

describe("sync.offline after: deny-paid", () => {
  it("charges as usual while the cache is fresh", () => {
    const d = scan(site, { multipacks: [pool10], offline: synced(10) }, NOW, "pool");
    expect(d).toMatchObject({ decision: "grant", reason: "ok", creditsDeducted: 2, creditsRemaining: 8 });
  });

  it("denies an entry that would charge credits once the cache is older than maxStaleHours", () => {
    const d = scan(site, { multipacks: [pool10], offline: synced(80) }, NOW, "pool");
    expect(d).toMatchObject({
      decision: "deny",
      reason: "offline_stale",
      creditsDeducted: 0,
      multipackId: null,
      message: "Offline too long — paid entry needs reception",
    });
    expect(traceReasons(d)).toEqual(["mp-pool/pool-all:skipped:offline_stale"]);
    expect(d.trace[0]?.detail).toContain("would charge 2, but the cache has not synced for 80 h");
  });

  it("denies paid entries when the cache never synced", () => {
    const d = scan(site, { multipacks: [pool10], offline: synced(null) }, NOW, "pool");
    expect(d).toMatchObject({ decision: "deny", reason: "offline_stale" });
  });

  it("still lets an unlimited membership in: it charges nothing", () => {
    const d = scan(site, { multipacks: [gym], offline: synced(80) }, NOW, "gym");
    expect(d).toMatchObject({ decision: "grant", reason: "ok", creditsDeducted: 0 });
  });

  it("still lets a re-entry within the deduction interval in (R5): it is free", () => {
    const visits = [visit("2027-03-22T09:00", { multipackId: "mp-pool", area: "pool", credits: 2 })];
    const d = scan(site, { multipacks: [pool10], visits, offline: synced(80) }, NOW, "pool");
    expect(d).toMatchObject({ decision: "grant", reason: "reentry", creditsDeducted: 0 });
  });

  it("still lets a booked class in (R10) and a member out (R11)", () => {
    const booking = { id: "b-1", area: "pool", start: at("2027-03-22T10:15"), end: at("2027-03-22T11:00") };
    const member = { bookings: [booking] };
    expect(scan(site, { multipacks: [pool10], member, offline: synced(80) }, NOW, "pool").reason).toBe(
      "booking",
    );
    expect(scan(site, { multipacks: [pool10], offline: synced(80) }, NOW, "pool", "out").reason).toBe("exit");
  });

  it("R13: a deny for another reason that got less far keeps offline_stale as the furthest", () => {
    const expired = mp("mp-old", "pool-10", "2026-01-01T10:00", { validUntil: "2026-06-30" });
    const d = scan(site, { multipacks: [expired, pool10], offline: synced(80) }, NOW, "pool");
    expect(d.reason).toBe("offline_stale");
    expect(traceReasons(d)).toEqual(["mp-old/-:skipped:expired", "mp-pool/pool-all:skipped:offline_stale"]);
  });
});

describe("sync.offline after: keep-deciding", () => {
  it("charges as usual from a stale cache and says so in the chosen trace row", () => {
    const d = scan(site, { multipacks: [pool10], offline: synced(80, "keep-deciding") }, NOW, "pool");
    expect(d).toMatchObject({ decision: "grant", reason: "ok", creditsDeducted: 2 });
    expect(d.trace[0]?.detail).toContain(
      "the cache has not synced for 80 h (more than sync.offline.maxStaleHours 72), decided anyway (keep-deciding)",
    );
  });

  it("says nothing about staleness while the cache is fresh", () => {
    const d = scan(site, { multipacks: [pool10], offline: synced(1, "keep-deciding") }, NOW, "pool");
    expect(d.trace[0]?.detail).not.toContain("synced");
  });
});
