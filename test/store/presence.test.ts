import { describe, expect } from "vitest";
import { explain, scan } from "../../gateway/decisions.js";
import type { Store } from "../../gateway/store/db.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { importInputs, scanReq } from "./storeHelpers.js";

/** Four more gymflex members (cards 801…804) who may all use the studio (capacity 2). */
const studioMembers = {
  name: "studio.yaml",
  value: {
    members: [1, 2, 3, 4].map((i) => ({
      id: `m-s${i}`,
      name: `S${i}`,
      cards: [{ number: `80${i}` }],
      multipacks: [{ id: `mp-s${i}`, product: "gymflex", purchasedAt: "2027-03-20T10:00:00+01:00" }],
    })),
  },
};

/** The examples plus the studio members. */
const it = test.extend("studioStore", ({ exampleStore: store }) => {
  importInputs(store, [studioMembers]);
  return store;
});

/** Scans card 80`i` into (or out of) the studio at a Rome wall time; returns "grant ok" or similar. */
function studio(store: Store, i: number, local: string, direction: "in" | "out" = "in"): string {
  const d = scan(store, scanReq(`80${i}`, "studio", direction), at(local), "gw-1");
  return `${d.decision} ${d.reason}`;
}

describe("R12: capacity through the store", () => {
  it("R12: counts the other members present today and refuses area_full at the capacity", ({
    studioStore: store,
  }) => {
    expect(studio(store, 1, "2027-03-23T19:00")).toBe("grant ok");
    expect(studio(store, 2, "2027-03-23T19:01")).toBe("grant ok");
    expect(studio(store, 3, "2027-03-23T19:02")).toBe("deny area_full");
  });

  it("R12: a member already inside is not counted against themself", ({ studioStore: store }) => {
    studio(store, 1, "2027-03-23T19:00");
    studio(store, 2, "2027-03-23T19:01");
    expect(studio(store, 1, "2027-03-23T19:05")).toBe("grant ok");
  });

  it("R11, R12: an exit frees a place", ({ studioStore: store }) => {
    studio(store, 1, "2027-03-23T19:00");
    studio(store, 2, "2027-03-23T19:01");
    expect(studio(store, 1, "2027-03-23T19:30", "out")).toBe("grant exit");
    expect(studio(store, 3, "2027-03-23T19:31")).toBe("grant ok");
    expect(studio(store, 4, "2027-03-23T19:32")).toBe("deny area_full");
  });

  it("R12: presence is forgotten at local midnight: who never scanned out does not fill tomorrow", ({
    studioStore: store,
  }) => {
    studio(store, 1, "2027-03-23T23:50");
    studio(store, 2, "2027-03-23T23:51");
    expect(studio(store, 3, "2027-03-23T23:59")).toBe("deny area_full");
    expect(studio(store, 3, "2027-03-24T00:01")).toBe("grant ok");
    expect(studio(store, 4, "2027-03-24T08:00")).toBe("grant ok");
    expect(studio(store, 1, "2027-03-24T08:01")).toBe("deny area_full");
  });

  it("R12: a refused entry and an explain take no place", ({ studioStore: store }) => {
    studio(store, 1, "2027-03-23T19:00");
    expect(explain(store, scanReq("802", "studio"), at("2027-03-23T19:01")).decision).toBe("grant");
    expect(studio(store, 3, "2027-03-23T19:02")).toBe("grant ok");
    expect(studio(store, 4, "2027-03-23T19:03")).toBe("deny area_full");
    expect(studio(store, 2, "2027-03-23T19:04")).toBe("deny area_full");
  });

  it("R12: presence in another area does not count", ({ studioStore: store }) => {
    studio(store, 1, "2027-03-23T19:00");
    scan(store, scanReq("802", "gym"), at("2027-03-23T19:01"), "gw-1");
    scan(store, scanReq("803", "gym"), at("2027-03-23T19:02"), "gw-1");
    expect(studio(store, 4, "2027-03-23T19:03")).toBe("grant ok");
  });
});

describe("R12: hard anti-passback through the store", () => {
  it("R12: refuses a second entry without an exit, and forgets it the next day", ({
    exampleStore: store,
  }) => {
    const pool = (local: string) => scan(store, scanReq("1234567", "pool"), at(local), "gw-1");
    expect(pool("2027-03-22T10:00").reason).toBe("ok");
    expect(pool("2027-03-22T16:00").reason).toBe("anti_passback");
    expect(pool("2027-03-23T10:00")).toMatchObject({ decision: "grant", reason: "ok", creditsRemaining: 8 });
  });

  it("R12: a decision recorded for an earlier time does not move presence back", ({
    exampleStore: store,
  }) => {
    const pool = (local: string, dir: "in" | "out" = "in") =>
      scan(store, scanReq("1234567", "pool", dir), at(local), "gw-1");
    pool("2027-03-22T10:00");
    pool("2027-03-22T10:30", "out");
    // A late-arriving, older entry (e.g. replayed) must not make the member look inside again.
    scan(store, scanReq("1234567", "pool"), at("2027-03-22T10:10"), "gw-1");
    const row = store.db.prepare("SELECT last_direction FROM presence WHERE member_id = 'm-anna'").get();
    expect(row).toEqual({ last_direction: "out" });
  });
});
