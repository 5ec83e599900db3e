/**
 * Member documents from the central with `visits` and `presence` (sync.md "Sites with several
 * gateways"), for the merge tests: the worked example's Bruno and Anna at rome-center on Monday
 * 22 March 2027; this gateway is gw-1, the other gateway of the site gw-2.
 */
import { expect } from "vitest";
import { Member, type Presence, type Visit } from "../../config/members.js";
import { explain } from "../../gateway/decisions.js";
import type { Store } from "../../gateway/store/db.js";
import { loadVisits } from "../../gateway/store/facts.js";
import { applyMembers } from "../../gateway/store/syncMembers.js";
import { at } from "../helpers/build.js";
import { unpacked } from "../helpers/packedRows.js";
import { scanReq } from "./storeHelpers.js";

/** Bruno's card. */
export const BRUNO = "7654321";
/** Anna's card. */
export const ANNA = "0001234567";
/** An instant on Monday 22 March 2027, Rome time. */
export const T = (hhmm: string) => at(`2027-03-22T${hhmm}`);
/** That instant as a document writes it. */
export const iso = (hhmm: string) => new Date(T(hhmm)).toISOString();

/** A visit as a member document lists it: Bruno's free pool visit through gymflex, unless `over`. */
export function visit(id: string, hhmm: string, over: Partial<Visit> = {}): Visit {
  return {
    id,
    site: "rome-center",
    at: iso(hhmm),
    area: "pool",
    accessType: "pool-offpeak",
    multipack: "mp-bruno-flex",
    product: "gymflex",
    credits: 0,
    undone: false,
    ...over,
  };
}

/** A movement as a member document lists it. */
export function moved(area: string, direction: "in" | "out", hhmm: string, eventId: string): Presence {
  return { area, direction, at: iso(hhmm), eventId };
}

/** Bruno's document as the central publishes it (the worked example), with what `extra` adds. */
export function bruno(extra: Record<string, unknown> = {}): Member {
  return Member.parse({
    id: "m-bruno",
    name: "Bruno",
    cards: [{ number: BRUNO }],
    multipacks: [
      { id: "mp-bruno-flex", product: "gymflex", purchasedAt: "2027-03-20T10:00:00+01:00" },
      {
        id: "mp-bruno-swim",
        product: "swim10",
        purchasedAt: "2027-02-10T10:00:00+01:00",
        ledger: [{ id: "central:b1", amount: 8, at: "2027-03-01T10:00:00Z", area: "pool" }],
      },
    ],
    ...extra,
  });
}

/** Applies member documents as a sync change does; fails the test when they are refused. */
export function apply(store: Store, ...docs: Member[]): void {
  const out = applyMembers(store, docs, [], { name: "changes" });
  expect(out.problems).toEqual([]);
}

/** "decision reason" of an explain at `hhmm`. */
export const decided = (
  store: Store,
  card: string,
  area: string,
  hhmm: string,
  direction: "in" | "out" = "in",
) => {
  const d = explain(store, scanReq(card, area, direction), T(hhmm));
  return `${d.decision} ${d.reason}`;
};
/** The ids of the member's counted visits. */
export const visitIds = (store: Store, member = "m-bruno") =>
  loadVisits(store, member, 0, "rome-center").map((v) => v.id);
/** One row of a query. */
export const row = (store: Store, sql: string, ...params: unknown[]) =>
  unpacked(store)
    .db.prepare(sql)
    .get(...params);
