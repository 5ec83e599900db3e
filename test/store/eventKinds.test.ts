/**
 * doors.md D7 in the store: every event has a kind; door, alarm and command events are recorded
 * and queued for the central like decisions, listed and filtered by kind, and never match a reason
 * filter; a decision recorded before D7 reads with its new fields null.
 */
import { describe, expect } from "vitest";
import { EventsMessage } from "../../config/protocol/payloads.js";
import { scan } from "../../gateway/decisions.js";
import {
  eventFromDoc,
  listAllEvents,
  listEvents,
  recordDecision,
  recordEvent,
} from "../../gateway/store/events.js";
import { pendingEvents } from "../../gateway/store/outbox.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { scanReq } from "./storeHelpers.js";

const AT = "2027-03-22T12:00:00.000Z";

/** A grant, then a door, an alarm and a command event. */
const it = test.extend("mixed", ({ exampleStore: s }) => {
  scan(s, scanReq("1234567", "pool"), at("2027-03-22T10:00"), "gw-1");
  recordEvent(s, "gw-1", {
    kind: "door",
    at: AT,
    door: "pool-gate",
    mode: "emergency",
    source: "fire",
    until: null,
    operator: null,
    reason: "fire input fire-panel active",
  });
  recordEvent(s, "gw-1", {
    kind: "alarm",
    at: AT,
    alarm: "held_open",
    door: "pool-gate",
    input: "pool-contact",
    state: "raised",
  });
  recordEvent(s, "gw-1", {
    kind: "command",
    at: AT,
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
  return s;
});

describe("D7: events of every kind", () => {
  it("records a decision with kind, passed, operator and staffReason (null for a scan)", ({
    mixed: store,
  }) => {
    expect(listEvents(store)).toHaveLength(1);
    expect(listEvents(store)[0]).toMatchObject({
      kind: "decision",
      id: "gw-1:1",
      passed: null,
      operator: null,
      staffReason: null,
    });
  });

  it("records door, alarm and command events with gateway-wide ids, in seq order, all queued for the central", ({
    mixed: store,
  }) => {
    expect(listAllEvents(store).map((e) => [e.id, e.kind])).toEqual([
      ["gw-1:1", "decision"],
      ["gw-1:2", "door"],
      ["gw-1:3", "alarm"],
      ["gw-1:4", "command"],
    ]);
    const outbox = pendingEvents(store);
    expect(outbox.map((e) => e.kind)).toEqual(["decision", "door", "alarm", "command"]);
    // What goes out is the contract's: the batch passes the schema the central checks.
    expect(EventsMessage.safeParse({ gatewayId: "gw-1", events: outbox }).success).toBe(true);
    expect(outbox[1]).not.toHaveProperty("ledger");
  });

  it("filters by kind, and a reason filter never matches a door event (its mode emergency is also a reason code)", ({
    mixed: store,
  }) => {
    expect(listAllEvents(store, { kind: "alarm" }).map((e) => e.seq)).toEqual([3]);
    expect(listAllEvents(store, { kind: "decision" }).map((e) => e.seq)).toEqual([1]);
    expect(listAllEvents(store, { reason: "emergency" })).toEqual([]);
    expect(
      listAllEvents(store, { since: Date.parse(AT), until: Date.parse(AT) + 1 }).map((e) => e.seq),
    ).toEqual([2, 3, 4]);
  });

  it("records who admitted by hand and why on a decision (D5)", ({ exampleStore: store }) => {
    const [grant] = listEvents(store);
    expect(grant).toBeUndefined();
    scan(store, scanReq("1234567", "pool"), at("2027-03-22T10:00"), "gw-1");
    const first = listEvents(store)[0];
    if (!first) throw new Error("no event");
    const {
      kind: _k,
      id: _i,
      seq: _s,
      relayFailed: _r,
      passed: _p,
      operator: _o,
      staffReason: _w,
      ...decision
    } = first;
    const e = recordDecision(store, { ...decision, reason: "staff_override", creditsDeducted: 0 }, "gw-1", {
      staff: { operator: "Giulia", staffReason: "card left at home" },
    });
    expect(e).toMatchObject({
      kind: "decision",
      operator: "Giulia",
      staffReason: "card left at home",
      seq: 2,
    });
    expect(listEvents(store, { reason: "staff_override" }).map((x) => x.operator)).toEqual(["Giulia"]);
  });
});

describe("D7: a decision recorded before event kinds", () => {
  it("reads as a decision with passed, operator and staffReason null", () => {
    const old = { id: "gw-1:7", seq: 7, decision: "grant", reason: "ok", relayFailed: false };
    expect(eventFromDoc(JSON.stringify(old))).toEqual({
      kind: "decision",
      ...old,
      passed: null,
      operator: null,
      staffReason: null,
    });
  });

  it("is accepted by the central in a batch without kind (an older gateway)", () => {
    const event = {
      id: "gw-1:1",
      seq: 1,
      decision: "grant",
      reason: "ok",
      at: AT,
      card: "1234567",
      memberId: "m-anna",
      area: "pool",
      direction: "in",
      readerId: "pool-in",
      multipackId: null,
      productId: null,
      accessTypeId: null,
      creditsDeducted: 0,
      creditsRemaining: null,
      creditsTotal: null,
      message: "Welcome",
      trace: [],
      relayFailed: false,
      ledger: [],
    };
    const parsed = EventsMessage.parse({ gatewayId: "gw-1", events: [event] });
    expect(parsed.events[0]).toMatchObject({
      kind: "decision",
      passed: null,
      operator: null,
      staffReason: null,
    });
  });
});
