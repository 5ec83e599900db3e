/**
 * Migration 13 (visits and presence from every gateway of the site) on a cache written before it:
 * every decision stays the same, this gateway's own visits and movements are marked its own (kept
 * by a merge until echoed), and presence finds its events again.
 */
import { describe, expect } from "vitest";
import { explain, scan } from "../../gateway/decisions.js";
import type { Decision } from "../../gateway/engine/types.js";
import type { Store } from "../../gateway/store/db.js";
import { MIGRATIONS } from "../../gateway/store/migrations.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { asVersion15, unpacked } from "../helpers/packedRows.js";
import { importExamples, importInputs, scanReq } from "./storeHelpers.js";

const CARDS = ["0001234567", "7654321", "5550001", "801", "802", "803"];
const AREAS = ["gym", "pool", "studio"];
const TIMES = [
  "2027-03-22T09:10",
  "2027-03-22T09:40",
  "2027-03-22T10:30",
  "2027-03-22T19:30",
  "2027-03-23T09:00",
].map((t) => at(t));

/** Every decision of the grid, in and out, as explain gives it. */
function decisions(store: Store): Decision[] {
  return TIMES.flatMap((now) =>
    CARDS.flatMap((card) =>
      AREAS.flatMap((area) => [
        explain(store, scanReq(card, area), now),
        explain(store, scanReq(card, area, "out"), now),
      ]),
    ),
  );
}

/** The cache as the version before migration 13 left it: what 13 and later added taken away. */
function asVersion12(store: Store): void {
  asVersion15(store);
  store.db.exec(`
    ALTER TABLE members DROP COLUMN probes;
    ALTER TABLE multipacks DROP COLUMN before_used;
    ALTER TABLE multipacks DROP COLUMN before_added;
    ALTER TABLE multipacks DROP COLUMN before_through;
    DROP TABLE ledger_acked;
    ALTER TABLE visits DROP COLUMN site;
    ALTER TABLE visits DROP COLUMN undone;
    ALTER TABLE visits DROP COLUMN local;
    ALTER TABLE presence DROP COLUMN event_id;
    ALTER TABLE presence DROP COLUMN local;
  `);
  store.db.pragma("user_version = 12");
}

describe("migration 13: visits and presence from every gateway", () => {
  test("keeps every decision of an existing cache, and marks its own visits and movements", ({
    store: t,
  }) => {
    importExamples(t.store);
    importInputs(t.store, [
      {
        name: "more.yaml",
        value: {
          limits: [{ id: "gym-1-a-day", amount: 1, period: "day", areas: ["gym"] }],
          members: [1, 2, 3].map((i) => ({
            id: `m-s${i}`,
            cards: [{ number: `80${i}` }],
            multipacks: [{ id: `mp-s${i}`, product: "gymflex", purchasedAt: "2027-03-20T10:00:00+01:00" }],
          })),
        },
      },
    ]);
    const own = [
      scan(t.store, scanReq("0001234567", "pool"), at("2027-03-22T09:00"), "gw-1"),
      scan(t.store, scanReq("7654321", "pool"), at("2027-03-22T09:05"), "gw-1"),
      scan(t.store, scanReq("803", "gym"), at("2027-03-22T09:06"), "gw-1"),
      scan(t.store, scanReq("801", "studio"), at("2027-03-22T19:00"), "gw-1"),
      scan(t.store, scanReq("802", "studio"), at("2027-03-22T19:01"), "gw-1"),
    ];
    const exits = [
      scan(t.store, scanReq("0001234567", "pool", "out"), at("2027-03-22T09:30"), "gw-1"),
      scan(t.store, scanReq("803", "gym", "out"), at("2027-03-22T09:07"), "gw-1"),
    ];
    const before = decisions(t.store);
    // The grid is worth comparing: it holds refusals by the rules the migrated rows feed.
    expect([...new Set(before.map((d) => d.reason))]).toEqual(
      expect.arrayContaining(["ok", "exit", "reentry", "anti_passback", "area_full", "limit_reached"]),
    );
    asVersion12(t.store);

    const store = t.reopen();
    expect(store.db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(decisions(store)).toEqual(before);
    // The example's imported usage entry made the central's visit; the grants here are this gateway's own.
    expect(
      unpacked(store).db.prepare("SELECT id, local, undone, site FROM visits ORDER BY at").all(),
    ).toEqual([
      { id: "central:b1", local: 0, undone: 0, site: null },
      ...own.map((e) => ({ id: e.id, local: 1, undone: 0, site: null })),
    ]);
    expect(
      store.db.prepare("SELECT member_id, area, event_id, local FROM presence ORDER BY member_id").all(),
    ).toEqual([
      { member_id: "m-anna", area: "pool", event_id: exits[0]?.id, local: 1 },
      { member_id: "m-bruno", area: "pool", event_id: own[1]?.id, local: 1 },
      { member_id: "m-s1", area: "studio", event_id: own[3]?.id, local: 1 },
      { member_id: "m-s2", area: "studio", event_id: own[4]?.id, local: 1 },
      { member_id: "m-s3", area: "gym", event_id: exits[1]?.id, local: 1 },
    ]);
  });
});
