/**
 * Migration 17 (issue 12: fewer pages per scan): the reason and kind indexes give way to one index
 * of the notable events, and the presence index keeps only entries. A cache written at version 16
 * migrates, and every `accessgw events` filter lists the same events before and after, as a plain
 * filter of the whole history says it should; who is present stays the same.
 */
import { describe, expect, vi } from "vitest";
import { canonicalCard } from "../../config/cardNumber.js";
import { EVENT_KINDS } from "../../config/protocol/events.js";
import { REASON_CODES } from "../../config/protocol/reasons.js";
import { presentMembers } from "../../gateway/console/consoleQueries.js";
import { scan } from "../../gateway/decisions.js";
import type { DecisionRequest } from "../../gateway/engine/types.js";
import type { Store } from "../../gateway/store/db.js";
import { type EventQuery, listAllEvents, recordEvent, type StoredEvent } from "../../gateway/store/events.js";
import { countPresent } from "../../gateway/store/facts.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { asVersion16 } from "../helpers/packedRows.js";
import { ANNA, BRUNO } from "./memberDocs.js";
import { importExamples } from "./storeHelpers.js";

const req = (card: string, area: string, readerId: string | null, direction: "in" | "out" = "in") =>
  ({ card, area, direction, readerId }) satisfies DecisionRequest;

/** Grants of each routine kind, denies, a staff admit, and door, alarm and command events. */
function record(s: Store): void {
  const steps: [DecisionRequest, string][] = [
    [req(ANNA, "pool", "pool-in"), "2027-03-22T09:00"],
    [req(ANNA, "pool", "pool-in"), "2027-03-22T09:05"],
    [req(ANNA, "pool", "pool-out", "out"), "2027-03-22T09:40"],
    [req(ANNA, "pool", "pool-in"), "2027-03-22T09:50"],
    [req(BRUNO, "gym", "gym-in"), "2027-03-22T10:00"],
    [req("5550999", "pool", "pool-in"), "2027-03-22T10:10"],
    [req(BRUNO, "pool", "pool-in"), "2027-03-22T10:20"],
    [req(BRUNO, "gym", null, "out"), "2027-03-22T11:00"],
  ];
  for (const [r, when] of steps) scan(s, r, at(when), "gw-1");
  scan(s, req(BRUNO, "pool", "pool-in"), at("2027-03-22T11:10"), "gw-1", {
    free: true,
    staff: { operator: "Giulia", staffReason: "lost wristband" },
  });
  const base = { at: "2027-03-22T12:00:00.000Z", door: "pool-gate", operator: null };
  recordEvent(s, "gw-1", {
    ...base,
    kind: "door",
    mode: "emergency",
    source: "fire",
    until: null,
    reason: "fire",
  });
  recordEvent(s, "gw-1", {
    ...base,
    kind: "alarm",
    alarm: "held_open",
    input: "pool-contact",
    state: "raised",
  });
  recordEvent(s, "gw-1", {
    kind: "command",
    at: "2027-03-22T12:30:00.000Z",
    commandId: "c-1",
    verb: "emergency",
    args: { on: true },
    operator: "Giulia",
    reason: "fire drill",
    origin: "local",
    ok: true,
    error: null,
    eventId: null,
  });
}

/** Every filter alone, some together, with time ranges and counts. */
function queries(events: StoredEvent[]): EventQuery[] {
  const decisions = events.filter((e) => e.kind === "decision");
  const readers = [...new Set(decisions.flatMap((e) => (e.readerId === null ? [] : [e.readerId])))];
  const alone: EventQuery[] = [
    ...REASON_CODES.map((reason) => ({ reason })),
    ...EVENT_KINDS.map((kind) => ({ kind })),
    ...readers.map((readerId) => ({ readerId })),
    { card: canonicalCard(ANNA) },
    { memberId: "m-bruno" },
    {},
  ];
  const since = at("2027-03-22T09:45");
  const until = at("2027-03-22T12:15");
  return alone.flatMap((q) => [
    q,
    { ...q, since },
    { ...q, until },
    { ...q, last: 2 },
    { ...q, limit: 1 },
    { ...q, kind: "decision" },
    { ...q, readerId: "pool-in", since },
  ]);
}

/** What a query lists, by a plain filter of every event (oldest first) rather than by SQL. */
function expected(all: StoredEvent[], q: EventQuery): string[] {
  const decision = (e: StoredEvent) => (e.kind === "decision" ? e : undefined);
  const rows = all.filter(
    (e) =>
      (q.since === undefined || Date.parse(e.at) >= q.since) &&
      (q.until === undefined || Date.parse(e.at) < q.until) &&
      (q.card === undefined || decision(e)?.card === q.card) &&
      (q.memberId === undefined || decision(e)?.memberId === q.memberId) &&
      (q.readerId === undefined || decision(e)?.readerId === q.readerId) &&
      (q.reason === undefined || decision(e)?.reason === q.reason) &&
      (q.kind === undefined || e.kind === q.kind),
  );
  const some = q.last !== undefined ? rows.slice(-q.last) : rows.slice(0, q.limit ?? rows.length);
  return some.map((e) => e.id);
}

/** R12: who is in each area, and the count area_full judges by, during the recorded day. */
const present = (s: Store) =>
  ["gym", "pool"].map((area) => ({
    members: presentMembers(s, area, at("2027-03-22T00:00"), at("2027-03-22T23:00")).map((m) => m.id),
    count: countPresent(s, area, at("2027-03-22T00:00"), at("2027-03-22T23:00"), "nobody"),
  }));

const listed = (s: Store, qs: EventQuery[]) => qs.map((q) => listAllEvents(s, q).map((e) => e.id));
const indexes = (s: Store) =>
  s.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name")
    .pluck()
    .all();

describe("migration 17: one index for the notable events, the members present", () => {
  test("a version-16 cache migrates, and every events filter lists the same events", ({ store: t }) => {
    importExamples(t.store);
    record(t.store);
    const all = listAllEvents(t.store);
    // The history holds what the filters tell apart: routine grants, notable ones, denies, kinds.
    expect(new Set(all.map((e) => (e.kind === "decision" ? e.reason : e.kind)))).toEqual(
      new Set([
        "ok",
        "reentry",
        "exit",
        "anti_passback",
        "unknown_card",
        "staff_override",
        "door",
        "alarm",
        "command",
      ]),
    );
    // The cache as version 16 left it.
    asVersion16(t.store);
    const qs = queries(all);
    const before = listed(t.store, qs);
    const presentBefore = present(t.store);
    const store = t.reopen();
    expect(store.db.pragma("user_version", { simple: true })).toBe(18);
    expect(indexes(store)).toEqual([
      "events_at",
      "events_card",
      "events_member",
      "events_notable",
      "events_pulse_pending",
      "events_reader",
      "sqlite_autoindex_events_1",
    ]);
    expect(
      store.db
        .prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'presence' AND type = 'index'")
        .pluck()
        .all(),
    ).toEqual(["presence_in"]);
    expect(present(store)).toEqual(presentBefore);
    expect(presentBefore.flatMap((p) => p.members)).not.toEqual([]);
    const after = listed(store, qs);
    expect(after).toEqual(before);
    expect(after).toEqual(qs.map((q) => expected(all, q)));
    // Not a grid of empty answers: each reason and kind of the history is found by its filter.
    for (const e of all) {
      const q = e.kind === "decision" ? { reason: e.reason } : { kind: e.kind };
      expect(listAllEvents(store, q).map((x) => x.id)).toContain(e.id);
    }
  });

  test("R12: who is present (area_full, the console) is read from the entries' index alone", ({
    exampleStore: s,
  }) => {
    const plans: string[] = [];
    const prepare = vi.spyOn(s, "prepare");
    countPresent(s, "pool", 0, 1, "nobody");
    presentMembers(s, "pool", 0, 1);
    for (const [sql] of prepare.mock.calls) {
      // Area, from, to, and the member left out of the count: as many as the statement takes.
      const params = ["pool", 0, 1, "nobody"].slice(0, sql.split("?").length - 1);
      const rows = s.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
      plans.push(rows[0]?.detail ?? "");
    }
    prepare.mockRestore();
    expect(plans).toEqual([
      expect.stringMatching(
        /^SEARCH presence USING COVERING INDEX presence_in \(area=\? AND last_at>\? AND last_at<\?\)$/,
      ),
      expect.stringMatching(
        /^SEARCH p USING COVERING INDEX presence_in \(area=\? AND last_at>\? AND last_at<\?\)$/,
      ),
    ]);
  });
});
