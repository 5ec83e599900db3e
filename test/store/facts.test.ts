import { describe, expect } from "vitest";
import { loadFacts, scan, siteModel } from "../../gateway/decisions.js";
import { historyStart } from "../../gateway/engine/index.js";
import { countPresent, findCard, loadMember, loadMultipacks, loadVisits } from "../../gateway/store/facts.js";
import { type PackedVisit, writeVisits } from "../../gateway/store/packedHistory.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { unpacked } from "../helpers/packedRows.js";
import { importInputs, scanReq } from "./storeHelpers.js";

const HOUR = 3_600_000;
const THURSDAY_19 = at("2027-03-25T19:00");

/**
 * The examples plus m-old (card 900, a gymflex multipack) with 5,000 studio visits before this
 * month and one on each of Monday, Tuesday and Wednesday of the week of 22 March 2027.
 */
const it = test.extend("storeWithOldVisits", ({ exampleStore: store }) => {
  importInputs(store, [
    {
      name: "old.yaml",
      value: {
        members: [
          {
            id: "m-old",
            cards: [{ number: "900" }],
            multipacks: [{ id: "mp-old", product: "gymflex", purchasedAt: "2027-03-20T10:00:00+01:00" }],
          },
        ],
      },
    },
  ]);
  const visit = (id: string, at: number): PackedVisit => ({
    id,
    at,
    multipack: "mp-old",
    product: "gymflex",
    accessType: "studio-all",
    area: "studio",
    credits: 0,
    site: null,
    undone: false,
    local: false,
  });
  const oldest = at("2025-01-01T10:00");
  const visits = Array.from({ length: 5000 }, (_, i) => visit(`old:${i}`, oldest + i * 2 * HOUR));
  for (const day of ["22", "23", "24"]) visits.push(visit(`week:${day}`, at(`2027-03-${day}T19:00`)));
  store.db.transaction(() => writeVisits(store, "m-old", visits))();
  return store;
});

describe("facts loading stays bounded", () => {
  it("R7, R8: a member with 5,000 old visits gets only the visits since historyStart", ({
    storeWithOldVisits: store,
  }) => {
    expect(
      unpacked(store).db.prepare("SELECT count(*) AS n FROM visits WHERE member_id = 'm-old'").get(),
    ).toEqual({
      n: 5003,
    });
    const site = siteModel(store);
    const since = historyStart(site, loadMultipacks(store, site, "m-old"), THURSDAY_19);
    // The studio limit counts per week (Monday start): nothing before Monday 22 March is needed.
    expect(since).toBe(at("2027-03-22T00:00"));
    expect(loadVisits(store, "m-old", since, site.site.id)).toHaveLength(3);
    const facts = loadFacts(store, site, scanReq("900", "studio"), THURSDAY_19);
    expect(facts.visits.map((v) => v.id)).toEqual(["week:22", "week:23", "week:24"]);
  });

  it("R8: the bounded history still decides right: the fourth studio visit this week is refused", ({
    storeWithOldVisits: store,
  }) => {
    const d = scan(store, scanReq("900", "studio"), THURSDAY_19, "gw-1");
    expect(d).toMatchObject({ decision: "deny", reason: "limit_reached" });
    expect(scan(store, scanReq("900", "studio"), at("2027-03-29T19:00"), "gw-1").decision).toBe("grant");
  });

  it("loads nothing but the card for an unknown member and nothing at all for an unknown card", ({
    exampleStore: store,
  }) => {
    const site = siteModel(store);
    expect(loadFacts(store, site, scanReq("424242", "gym"), THURSDAY_19)).toMatchObject({
      card: null,
      member: null,
      multipacks: [],
      visits: [],
    });
  });
});

describe("store facts", () => {
  it("R1: finds a card by its canonical number", ({ exampleStore: store }) => {
    expect(findCard(store, "1234567")).toMatchObject({
      number: "1234567",
      memberId: "m-anna",
      status: "active",
    });
    expect(findCard(store, "0001234567")).toBeNull(); // callers canonicalise first (decisions.ts does)
  });

  it("R10: loads only the bookings that may still matter now", ({ exampleStore: store }) => {
    const booking = (id: string, start: string, end: string) => ({ id, area: "studio", start, end });
    importInputs(store, [
      {
        name: "b.yaml",
        value: {
          members: [
            {
              id: "m-anna",
              cards: [{ number: "0001234567" }],
              bookings: [
                booking("past", "2027-03-22T08:00:00+01:00", "2027-03-22T09:00:00+01:00"),
                booking("now", "2027-03-22T10:15:00+01:00", "2027-03-22T11:15:00+01:00"),
                booking("later", "2027-03-22T18:00:00+01:00", "2027-03-22T19:00:00+01:00"),
              ],
            },
          ],
        },
      },
    ]);
    const member = loadMember(store, "m-anna", at("2027-03-22T10:00"), 30 * 60_000);
    expect(member?.bookings.map((b) => b.id)).toEqual(["now"]);
  });

  it("R12: countPresent counts entries since the start of the day, excluding the asking member", ({
    exampleStore: store,
  }) => {
    scan(store, scanReq("7654321", "studio"), at("2027-03-23T19:00"), "gw-1");
    const dayStart = at("2027-03-23T00:00");
    expect(countPresent(store, "studio", dayStart, at("2027-03-23T20:00"), "m-anna")).toBe(1);
    expect(countPresent(store, "studio", dayStart, at("2027-03-23T20:00"), "m-bruno")).toBe(0);
    expect(countPresent(store, "studio", at("2027-03-24T00:00"), at("2027-03-24T08:00"), "m-anna")).toBe(0);
  });
});

describe("D6: the member's locale in the cache", () => {
  test("D6: an imported member's locale reaches the decision; a re-import without it clears it", ({
    exampleStore: store,
  }) => {
    const bruno = (locale?: string) => ({
      id: "m-bruno",
      name: "Bruno",
      ...(locale === undefined ? {} : { locale }),
      cards: [{ number: "7654321" }],
      multipacks: [{ id: "mp-bruno-flex", product: "gymflex", purchasedAt: "2027-03-20T10:00:00+01:00" }],
    });
    importInputs(store, [{ name: "bruno.yaml", value: { members: [bruno("it-IT")] } }]);
    expect(loadMember(store, "m-bruno", THURSDAY_19, 0)?.locale).toBe("it-IT");
    expect(scan(store, scanReq("7654321", "gym"), THURSDAY_19, "gw-1").message).toBe("Ciao Bruno");
    importInputs(store, [{ name: "bruno.yaml", value: { members: [bruno()] } }]);
    expect(loadMember(store, "m-bruno", THURSDAY_19, 0)?.locale).toBeNull();
    expect(scan(store, scanReq("7654321", "gym"), at("2027-03-25T19:05"), "gw-1").message).toBe(
      "Welcome Bruno",
    );
  });
});
