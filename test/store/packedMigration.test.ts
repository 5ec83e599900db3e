/**
 * Migration 16 (issue 12 §3) on a cache written at version 15: every ledger entry and visit packed,
 * the tables of rows dropped, and every decision, balance and published entry the same as before.
 */
import { describe, expect } from "vitest";
import { explain, memberBalance, scan } from "../../gateway/decisions.js";
import type { Decision } from "../../gateway/engine/types.js";
import type { Store } from "../../gateway/store/db.js";
import { MIGRATIONS } from "../../gateway/store/migrations.js";
import { pendingEvents } from "../../gateway/store/outbox.js";
import { recordRelayFailure } from "../../gateway/store/relayFailure.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { asVersion15, unpacked } from "../helpers/packedRows.js";
import { ANNA, apply, BRUNO, bruno, iso, visit } from "./memberDocs.js";
import { importExamples, importInputs, scanReq } from "./storeHelpers.js";

const CARDS = [ANNA, BRUNO, "5550001", "801", "802"];
const AREAS = ["gym", "pool", "studio"];
const TIMES = ["2027-03-22T09:10", "2027-03-22T10:30", "2027-03-22T19:30", "2027-03-23T09:00"].map((t) =>
  at(t),
);

/** Every decision of the grid, as explain gives it. */
function decisions(store: Store): Decision[] {
  return TIMES.flatMap((now) =>
    CARDS.flatMap((card) => AREAS.map((area) => explain(store, scanReq(card, area), now))),
  );
}

/** What the cache holds and says: balances, the outbox's entries, the ledger and visits as rows. */
function state(store: Store) {
  const now = at("2027-03-22T20:00");
  unpacked(store);
  return {
    balances: CARDS.map((card) => memberBalance(store, { card }, now)),
    published: pendingEvents(store),
    ledger: store.db.prepare("SELECT * FROM ledger ORDER BY multipack_id, id").all(),
    visits: store.db.prepare("SELECT * FROM visits ORDER BY member_id, at, id").all(),
  };
}

describe("migration 16: the ledger and visits packed", () => {
  test("R16, R5, R7, R8: keeps every decision, balance and unacked entry of a cache made at version 15", ({
    store: t,
  }) => {
    importExamples(t.store);
    importInputs(t.store, [
      {
        name: "more.yaml",
        value: {
          limits: [{ id: "gym-1-a-day", amount: 1, period: "day", areas: ["gym"] }],
          members: [1, 2].map((i) => ({
            id: `m-s${i}`,
            cards: [{ number: `80${i}` }],
            multipacks: [
              // 801 pays for the pool with swim10; 802 has the free gym too (its daily limit).
              ...(i === 2
                ? [{ id: "mp-f2", product: "gymflex", purchasedAt: "2027-03-20T10:00:00+01:00" }]
                : []),
              {
                id: `mp-s${i}`,
                product: "swim10",
                purchasedAt: "2027-03-01T10:00:00+01:00",
                ledger: [
                  { id: `srv:${i}:é:1`, amount: 1, at: "2027-03-20T09:00:00.250Z", area: "pool" },
                  {
                    id: `srv:${i}:é:2`,
                    amount: 1,
                    at: "2027-03-21T09:00:00Z",
                    area: "pool",
                    accessType: "pool-offpeak",
                  },
                  { id: `srv:${i}:r`, amount: -1, at: "2027-03-21T10:00:00Z", kind: "refund" },
                  { id: `srv:${i}:a`, amount: 5, at: "2027-03-21T11:00:00Z", kind: "addition" },
                ],
              },
            ],
          })),
        },
      },
    ]);
    // Bruno's document lists visits at another gateway of the site, one of them undone there.
    apply(
      t.store,
      bruno({
        visits: [visit("gw-2:5", "08:00"), visit("gw-2:7", "08:30", { undone: true })],
        presence: [{ area: "pool", direction: "in", at: iso("08:00"), eventId: "gw-2:5" }],
      }),
    );
    scan(t.store, scanReq(ANNA, "pool"), at("2027-03-22T09:00"), "gw-1");
    const failed = scan(t.store, scanReq("801", "pool"), at("2027-03-22T09:05"), "gw-1");
    recordRelayFailure(t.store, failed, at("2027-03-22T09:06"));
    scan(t.store, scanReq("802", "gym"), at("2027-03-22T09:07"), "gw-1");
    const before = decisions(t.store);
    expect([...new Set(before.map((d) => d.reason))]).toEqual(
      expect.arrayContaining(["ok", "limit_reached"]),
    );
    const held = state(t.store);
    expect(held.visits.length).toBeGreaterThanOrEqual(6);
    expect(held.published.flatMap((e) => ("ledger" in e ? e.ledger : []))).toHaveLength(3);
    asVersion15(t.store);

    const store = t.reopen();
    expect(store.db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(
      store.db.prepare("SELECT name FROM sqlite_master WHERE name IN ('ledger', 'visits')").pluck().all(),
    ).toEqual([]);
    expect(decisions(store)).toEqual(before);
    expect(state(store)).toEqual(held);
  });
});
