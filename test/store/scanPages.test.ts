/**
 * Issue 12 (scan p99 at 5M): what a decision's commit writes to the WAL, page by page. Every page
 * is written and fsynced in the scan's commit (synchronous=FULL), so each one named here is paid
 * at the reader. On the worked example every table and index is one leaf page, so the list is
 * exact; on a large cache a page split adds an interior page now and then.
 */
import { describe, expect } from "vitest";
import { scan } from "../../gateway/decisions.js";
import type { DecisionRequest } from "../../gateway/engine/types.js";
import type { Store } from "../../gateway/store/db.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { walPagesOf } from "../helpers/walPages.js";
import { ANNA } from "./memberDocs.js";

/** What every decision writes: its event row, the event's indexes, its seq and its outbox row. */
const EVENT = [
  "events",
  "events_at",
  "events_card",
  "events_member",
  "events_reader",
  "outbox",
  "sqlite_autoindex_events_1",
  "sqlite_sequence",
];

const pool = (card: string, direction: "in" | "out" = "in"): DecisionRequest => ({
  card,
  area: "pool",
  direction,
  readerId: direction === "in" ? "pool-in" : "pool-out",
});

/** The example store after Anna's first grant, so the gateway id and the codes are stored. */
const it = test.extend("scanned", ({ exampleStore: s }) => {
  scan(s, pool(ANNA), at("2027-03-22T08:00"), "gw-1");
  scan(s, pool(ANNA, "out"), at("2027-03-22T08:30"), "gw-1");
  return s;
});

/** The pages of the decision's commit, and its reason. */
function pagesOf(s: Store, req: DecisionRequest, when: string): { pages: string[]; reason: string } {
  let reason = "";
  const pages = walPagesOf(s, () => {
    reason = scan(s, req, at(when), "gw-1").reason;
  });
  return { pages, reason };
}

describe("the pages a decision writes (issue 12: scan p99)", () => {
  it("R14, R5, R12: a charged grant writes its event, the ledger and visit packs, the running totals and the presence: 13 pages", ({
    scanned: s,
  }) => {
    expect(pagesOf(s, pool(ANNA), "2027-03-22T10:00")).toEqual({
      pages: [...EVENT, "ledger_packs", "multipacks", "presence", "presence_in", "visit_packs"].sort(),
      reason: "ok",
    });
  });

  it("R12: an exit writes its event and the presence: 10 pages, none for the reason index", ({
    scanned: s,
  }) => {
    scan(s, pool(ANNA), at("2027-03-22T10:00"), "gw-1");
    expect(pagesOf(s, pool(ANNA, "out"), "2027-03-22T10:30")).toEqual({
      pages: [...EVENT, "presence", "presence_in"].sort(),
      reason: "exit",
    });
  });

  it("R12: a member coming back in adds one presence index page, however many members are in or out", ({
    scanned: s,
  }) => {
    // Other members' movements fill several pages of the presence index, out and in.
    const insert = s.db.prepare(
      "INSERT INTO presence (member_id, area, last_direction, last_at, local) VALUES (?, 'pool', ?, ?, 0)",
    );
    for (let i = 0; i < 3000; i++)
      insert.run(`m-${String(i).padStart(5, "0")}`, i % 2 === 0 ? "in" : "out", at("2027-03-22T07:00") + i);
    const { pages, reason } = pagesOf(s, pool(ANNA), "2027-03-22T10:00");
    expect(reason).toBe("ok");
    expect(pages.filter((p) => p.startsWith("presence"))).toEqual(["presence", "presence_in"]);
  });

  it("R14: a deny writes its event and its place in the notable events' index: 9 pages", ({ scanned: s }) => {
    expect(pagesOf(s, pool("5550999"), "2027-03-22T10:00")).toEqual({
      pages: [...EVENT, "events_notable"].sort(),
      reason: "unknown_card",
    });
  });

  it("R11: an anti-passback deny writes no presence, pack or running total", ({ scanned: s }) => {
    scan(s, pool(ANNA), at("2027-03-22T10:00"), "gw-1");
    expect(pagesOf(s, pool(ANNA), "2027-03-22T10:01")).toEqual({
      pages: [...EVENT, "events_notable"].sort(),
      reason: "anti_passback",
    });
  });
});
