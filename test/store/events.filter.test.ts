import Database from "better-sqlite3";
import { describe, expect, vi } from "vitest";
import { scan } from "../../gateway/decisions.js";
import type { DecisionRequest } from "../../gateway/engine/types.js";
import { Store } from "../../gateway/store/db.js";
import {
  type EventQuery,
  eventsBetween,
  lastEventSeq,
  listAllEvents,
  listEvents,
} from "../../gateway/store/events.js";
import { MIGRATIONS, migrate } from "../../gateway/store/migrations.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";

const req = (card: string, area: string, readerId: string | null, direction: "in" | "out" = "in") =>
  ({ card, area, direction, readerId }) satisfies DecisionRequest;

/**
 * Five recorded decisions: Anna (card 0001234567) in and refused again at pool-in, Bruno at the
 * gym by area, an unknown card at pool-in, Anna out at pool-out.
 */
const it = test.extend("fiveEvents", ({ exampleStore: s }) => {
  scan(s, req("0001234567", "pool", "pool-in"), at("2027-03-22T10:00"), "gw-1");
  scan(s, req("1234567", "pool", "pool-in"), at("2027-03-22T10:30"), "gw-1");
  scan(s, req("7654321", "gym", null), at("2027-03-22T10:40"), "gw-1");
  scan(s, req("0009999", "pool", "pool-in"), at("2027-03-22T10:50"), "gw-1");
  scan(s, req("1234567", "pool", "pool-out", "out"), at("2027-03-22T11:00"), "gw-1");
  return s;
});

const seqs = (store: Store, query: EventQuery) => listEvents(store, query).map((e) => e.seq);

describe("events filters (cli.md): each alone, then combined with AND", () => {
  it("shows the five events as recorded, oldest first", ({ fiveEvents: store }) => {
    expect(listEvents(store).map((e) => [e.seq, e.reason, e.card, e.readerId])).toEqual([
      [1, "ok", "1234567", "pool-in"],
      [2, "anti_passback", "1234567", "pool-in"],
      [3, "ok", "7654321", null],
      [4, "unknown_card", "9999", "pool-in"],
      [5, "exit", "1234567", "pool-out"],
    ]);
  });

  it.for<[string, EventQuery, number[]]>([
    ["R1: --card compares the canonical number", { card: "1234567" }, [1, 2, 5]],
    ["--member", { memberId: "m-anna" }, [1, 2, 5]],
    ["--reader", { readerId: "pool-in" }, [1, 2, 4]],
    ["--reason", { reason: "anti_passback" }, [2]],
    ["--since is inclusive", { since: at("2027-03-22T10:40") }, [3, 4, 5]],
    ["--until is exclusive", { until: at("2027-03-22T10:40") }, [1, 2]],
    ["--card and --reader", { card: "1234567", readerId: "pool-in" }, [1, 2]],
    ["--member and --reason", { memberId: "m-anna", reason: "ok" }, [1]],
    [
      "--reader, --since and --until",
      { readerId: "pool-in", since: at("2027-03-22T10:30"), until: at("2027-03-22T11:00") },
      [2, 4],
    ],
    ["filters that exclude each other", { card: "7654321", readerId: "pool-in" }, []],
    ["--limit: the oldest N", { limit: 2 }, [1, 2]],
    ["--last: the newest N, oldest first", { last: 2 }, [4, 5]],
    ["--last with a filter", { memberId: "m-anna", last: 2 }, [2, 5]],
    ["--limit 0", { limit: 0 }, []],
  ])("%s", ([_name, query, expected], { fiveEvents: store }) => {
    expect(seqs(store, query)).toEqual(expected);
  });

  it("orders by the instant, so a decision recorded for an earlier time is listed there; --last too", ({
    fiveEvents: store,
  }) => {
    scan(store, req("7654321", "gym", null), at("2027-03-22T09:00"), "gw-1");
    expect(seqs(store, {})).toEqual([6, 1, 2, 3, 4, 5]);
    expect(seqs(store, { card: "7654321" })).toEqual([6, 3]);
    expect(seqs(store, { last: 3 })).toEqual([3, 4, 5]);
  });

  it("lists for --follow the matching events of a seq range, in recording order", ({ fiveEvents: store }) => {
    expect(lastEventSeq(store)).toBe(5);
    expect(eventsBetween(store, { readerId: "pool-in" }, 1, 4).map((e) => e.seq)).toEqual([2, 4]);
    expect(eventsBetween(store, {}, 5, 5)).toEqual([]);
  });
});

/** The query plan of the statement `run` prepares last. */
function planOf(store: Store, run: () => unknown, params: () => unknown[]): string {
  const prepare = vi.spyOn(store, "prepare");
  run();
  const sql = prepare.mock.calls.at(-1)?.[0] as string;
  prepare.mockRestore();
  const rows = store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params()) as { detail: string }[];
  return rows.map((r) => r.detail).join("; ");
}

describe("events filters read through indexes, never the whole table", () => {
  it.for<[string, EventQuery, unknown[], RegExp]>([
    ["--card", { card: "1" }, ["1", -1], /SEARCH events USING INDEX events_card \(card=\?\)/],
    ["--member", { memberId: "m" }, ["m", -1], /SEARCH events USING INDEX events_member \(member_id=\?\)/],
    ["--reader", { readerId: "r" }, ["r", -1], /SEARCH events USING INDEX events_reader \(reader_id=\?\)/],
    [
      "--reason of a deny: the notable events' index",
      { reason: "anti_passback" },
      ["anti_passback", -1],
      /^SEARCH events USING INDEX events_notable \(kind=\? AND reason=\?\)$/,
    ],
    [
      "--reason of a deny --since",
      { reason: "no_credits", since: 1 },
      [1, "no_credits", -1],
      /^SEARCH events USING INDEX events_notable \(kind=\? AND reason=\? AND at>\?\)$/,
    ],
    [
      "--reason of a staff grant: the notable events' index",
      { reason: "staff_override" },
      ["staff_override", -1],
      /^SEARCH events USING INDEX events_notable \(kind=\? AND reason=\?\)$/,
    ],
    [
      "--reason of a routine grant: the time index, where most events match",
      { reason: "ok" },
      ["ok", -1],
      /^SCAN events USING INDEX events_at$/,
    ],
    ["--since", { since: 1 }, [1, -1], /SEARCH events USING INDEX events_at \(at>\?\)/],
    [
      "--card --since",
      { card: "1", since: 1 },
      [1, "1", -1],
      /USING INDEX events_card \(card=\? AND at>\?\)/,
    ],
    [
      "--card --reason --since: the card's index, not the reason's",
      { card: "1", reason: "exit", since: 1 },
      [1, "1", "exit", -1],
      /^SEARCH events USING INDEX events_card \(card=\? AND at>\?\)$/,
    ],
    [
      "--member --reader: the member's index, not the reader's",
      { memberId: "m", readerId: "r" },
      ["m", "r", -1],
      /^SEARCH events USING INDEX events_member \(member_id=\?\)$/,
    ],
    [
      "--card --last (only the N rows read are sorted back)",
      { card: "1", last: 5 },
      ["1", 5],
      /^CO-ROUTINE .*; SEARCH events USING INDEX events_card \(card=\?\); SCAN .*; USE TEMP B-TREE FOR ORDER BY$/,
    ],
    ["no filter", {}, [-1], /SCAN events USING INDEX events_at/],
    [
      "--kind (D7)",
      { kind: "alarm" },
      ["alarm", -1],
      /^SEARCH events USING INDEX events_notable \(kind=\? AND reason=\?\)$/,
    ],
    [
      "--kind --since",
      { kind: "door", since: 1 },
      [1, "door", -1],
      /^SEARCH events USING INDEX events_notable \(kind=\? AND reason=\? AND at>\?\)$/,
    ],
    [
      "--kind decision: the time index, where nearly every event matches",
      { kind: "decision" },
      ["decision", -1],
      /^SCAN events USING INDEX events_at$/,
    ],
    [
      "--reader --kind: the reader's index, not the kind's",
      { readerId: "r", kind: "decision" },
      ["r", "decision", -1],
      /^SEARCH events USING INDEX events_reader \(reader_id=\?\)$/,
    ],
  ])("%s", ([_name, query, params, plan], { fiveEvents: store }) => {
    const detail = planOf(
      store,
      () => listAllEvents(store, query),
      () => params,
    );
    expect(detail).toMatch(plan);
    // The order comes from the index: no sort of everything that matched.
    if (query.last === undefined) expect(detail).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });

  it("--follow reads only new rows by their seq, whatever the filter", ({ fiveEvents: store }) => {
    const detail = planOf(
      store,
      () => eventsBetween(store, { card: "1", readerId: "r" }, 1, 2),
      () => [1, 2, "1", "r"],
    );
    expect(detail).toMatch(/^SEARCH events USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)$/);
  });
});

describe("the event filters migration (5): events recorded before it get their card and reader columns", () => {
  it("fills them from each event's document, so the filters find old events too", ({ folder: { dir } }) => {
    const db = new Database(`${dir}/accessgw.db`);
    for (const m of MIGRATIONS.filter((m) => m.version <= 3)) db.exec(m.sql);
    db.pragma("user_version = 3");
    const doc = { seq: 1, card: "1234567", readerId: "pool-in", memberId: "m-anna", reason: "ok" };
    db.prepare(
      "INSERT INTO events (seq, id, at, member_id, decision, reason, doc) VALUES (1, 'gw:1', 0, 'm-anna', 'grant', 'ok', ?)",
    ).run(JSON.stringify(doc));
    migrate(db);
    expect(db.prepare("SELECT card, reader_id FROM events").all()).toEqual([
      { card: "1234567", reader_id: "pool-in" },
    ]);
    db.close();
    const store = Store.open(dir);
    expect(seqs(store, { card: "1234567", readerId: "pool-in" })).toEqual([1]);
    store.close();
  });
});
