import { describe, expect, it } from "vitest";
import type { DoorMode } from "../../config/protocol/events.js";
import { localNow } from "../../gateway/engine/clock.js";
import { decide } from "../../gateway/engine/decide.js";
import { openWindowStart, resolveMode, scheduleOpen } from "../../gateway/engine/doorModes.js";
import { at, facts, req } from "../helpers/build.js";
import { type FactsInput, mp, product, rome } from "./engineFixture.js";

// 2027-03-22 is a Monday; 2027-03-29 a site holiday (Monday).
const site = rome({
  site: { holidays: ["2027-03-29"] },
  areas: [{ id: "pool", antiPassback: { mode: "hard" }, capacity: 1 }],
  accessTypes: [{ id: "pool-std", areas: ["pool"] }],
  products: [product("swim10", 10, ["pool-std"], { validity: { days: 365 } }, 2)],
});
const SWIM: FactsInput = { multipacks: [mp("p1", "swim10", "2027-03-01T09:00")] };
const NONE: FactsInput = {};

/** decide() at the pool door in a mode, Monday 10:00. */
function atDoor(mode: DoorMode, f: FactsInput, direction: "in" | "out" = "in", card = "100") {
  return decide({ ...req("pool", direction, card), doorMode: mode }, facts(site, f), at("2027-03-22T10:00"));
}

describe("D3: a door's mode decides scans", () => {
  it("D3: normal: the rules decide (a grant charges 2 credits)", () => {
    expect(atDoor("normal", SWIM)).toMatchObject({ decision: "grant", reason: "ok", creditsDeducted: 2 });
  });

  it("D3: emergency: every scan is granted emergency at no cost, even an unknown card or one already inside", () => {
    expect(atDoor("emergency", SWIM)).toMatchObject({
      decision: "grant",
      reason: "emergency",
      creditsDeducted: 0,
      multipackId: null,
      memberId: "m-1",
    });
    expect(atDoor("emergency", NONE, "in", "999")).toMatchObject({
      decision: "grant",
      reason: "emergency",
      memberId: null,
    });
    // No anti-passback: a member already inside (hard anti-passback) is let through.
    const inside = {
      ...SWIM,
      presence: {
        lastDirection: "in" as const,
        lastAt: at("2027-03-22T09:00"),
        lastInAt: at("2027-03-22T09:00"),
      },
    };
    expect(atDoor("normal", inside)).toMatchObject({ decision: "deny", reason: "anti_passback" });
    expect(atDoor("emergency", inside)).toMatchObject({ decision: "grant", reason: "emergency" });
  });

  it("D3: unlocked: entries granted door_unlocked at no cost, whatever the rules say; exits as the rules say", () => {
    expect(atDoor("unlocked", SWIM)).toMatchObject({
      decision: "grant",
      reason: "door_unlocked",
      creditsDeducted: 0,
      multipackId: null,
      memberId: "m-1",
    });
    expect(atDoor("unlocked", NONE)).toMatchObject({ decision: "grant", reason: "door_unlocked" });
    expect(atDoor("unlocked", SWIM, "out")).toMatchObject({ decision: "grant", reason: "exit" });
  });

  it("D3: locked: entries denied door_locked unless lockdownAccess; exits granted (D8)", () => {
    expect(atDoor("locked", SWIM)).toMatchObject({
      decision: "deny",
      reason: "door_locked",
      creditsDeducted: 0,
      multipackId: null,
    });
    const staff = { ...SWIM, member: { lockdownAccess: true } };
    expect(atDoor("locked", staff)).toMatchObject({ decision: "grant", reason: "ok", creditsDeducted: 2 });
    expect(atDoor("locked", SWIM, "out")).toMatchObject({ decision: "grant", reason: "exit" });
  });

  it("D3: locked: a member the rules refuse anyway hears that reason (door_locked comes after area_full)", () => {
    expect(atDoor("locked", NONE)).toMatchObject({ decision: "deny", reason: "no_entitlement" });
    expect(atDoor("locked", { ...SWIM, presentCount: 1 })).toMatchObject({
      decision: "deny",
      reason: "area_full",
    });
  });
});

describe("D3: which mode a door is in", () => {
  const NOW = at("2027-03-22T10:00");
  it("D3: emergency beats a command, a command beats the schedule, the schedule beats normal", () => {
    const base = { emergency: null, command: null, scheduled: false } as const;
    expect(resolveMode(base, NOW)).toEqual({ mode: "normal", source: null });
    expect(resolveMode({ ...base, scheduled: true }, NOW)).toEqual({ mode: "unlocked", source: "schedule" });
    const locked = { mode: "locked" as const, until: null };
    expect(resolveMode({ ...base, scheduled: true, command: locked }, NOW)).toEqual({
      mode: "locked",
      source: "command",
    });
    expect(resolveMode({ emergency: "fire", scheduled: true, command: locked }, NOW)).toEqual({
      mode: "emergency",
      source: "fire",
    });
  });

  it("D3: a command with until holds until then, then the door returns to its schedule", () => {
    const command = { mode: "locked" as const, until: NOW + 60_000 };
    const m = { emergency: null, command, scheduled: true };
    expect(resolveMode(m, NOW + 59_999).mode).toBe("locked");
    expect(resolveMode(m, NOW + 60_000)).toEqual({ mode: "unlocked", source: "schedule" });
  });
});

describe("D3: free-passage schedules (R3 semantics, holidays included, site time zone)", () => {
  const weekends = [{ days: ["sat", "sun", "hol"] as const, from: "08:00", to: "10:00" }].map((w) => ({
    ...w,
    days: [...w.days],
  }));
  const open = (local: string) => scheduleOpen(weekends, localNow(at(local), "Europe/Rome"), site.holidays);

  it("D3: open from `from` (inclusive) to `to` (exclusive) on its days, in the site's zone", () => {
    expect(open("2027-03-27T07:59")).toBe(false);
    expect(open("2027-03-27T08:00")).toBe(true);
    expect(open("2027-03-27T09:59")).toBe(true);
    expect(open("2027-03-27T10:00")).toBe(false);
    expect(open("2027-03-22T09:00")).toBe(false);
  });

  it("D3: a holiday answers to `hol`, not to its weekday", () => {
    expect(open("2027-03-29T09:00")).toBe(true);
  });

  it("D3 firstPersonIn: the start of the window open now, across midnight too", () => {
    const night = [{ days: ["fri" as const], from: "22:00", to: "02:00" }];
    expect(openWindowStart(weekends, at("2027-03-27T09:30"), "Europe/Rome", site.holidays)).toBe(
      at("2027-03-27T08:00"),
    );
    expect(openWindowStart(night, at("2027-03-27T01:00"), "Europe/Rome", site.holidays)).toBe(
      at("2027-03-26T22:00"),
    );
    expect(openWindowStart(weekends, at("2027-03-27T11:00"), "Europe/Rome", site.holidays)).toBeNull();
  });
});
