/**
 * sync.md "Sites with several gateways" at the reference central, on its real SQLite store: each
 * grant with a member folded into the member's published `visits` and `presence`; undone grants
 * (relay failure, no passage: D2) marked undone for good and taken out of presence; the file's own
 * usage entries as visits; a store from before the fold folded once when it is opened again; a
 * chain's relayed events giving visits with their site and no presence.
 */

import { describe, expect } from "vitest";
import { CentralStore } from "../../central/centralStore.js";
import { storedEvents, storeEvents } from "../../central/eventIntake.js";
import { knownIds, publishedPresence, publishedVisits } from "../../central/memberDocs.js";
import { changesAt, memberDoc } from "../../central/memberStore.js";
import { reconcile } from "../../central/reconcile.js";
import { storeRelayedEvents } from "../../central/relayIntake.js";
import { Member } from "../../config/members.js";
import type { DecisionEvent } from "../../config/protocol/events.js";
import { test } from "../harness/index.js";
import { parsedDecision } from "../helpers/annaDecision.js";
import { exampleSources } from "../helpers/centralSources.js";

const LIMITS = { partMembers: 500, partBytes: 262_144 };
const T9 = "2027-03-22T09:00:00+01:00";
const T10 = "2027-03-22T10:00:00+01:00";
const T11 = "2027-03-22T11:00:00+01:00";

/** The worked example's files, the central's store on them, and the files taken in (rev 1). */
const it = test.extend("setup", ({ exampleFiles: { siteFile, membersFile, data }, defer }) => () => {
  let store = CentralStore.open(data);
  defer(() => store.close());
  const load = () => {
    return exampleSources(store, siteFile, membersFile);
  };
  const sync = () => reconcile(store, load(), LIMITS);
  sync();
  const known = knownIds(load().config);
  return {
    get store() {
      return store;
    },
    sync,
    known,
    take: (g: string, events: DecisionEvent[]) => storeEvents(store, g, events, 1_000, known, LIMITS),
    relay: (site: string, events: DecisionEvent[]) =>
      storeRelayedEvents(store, site, events, 1_000, known, LIMITS),
    doc: (id = "m-anna") => memberDoc(store, id),
    reopen: () => {
      store.close();
      store = CentralStore.open(data);
    },
  };
});

/** A decision of gateway `g` (Anna's free pool entry unless `more` says otherwise), as the central parses it. */
function grant(g: string, seq: number, more: Partial<DecisionEvent> = {}): DecisionEvent {
  return parsedDecision(g, seq, { at: T9, ...more }) as DecisionEvent;
}

/** The visit a grant of `grant` gives, as published. */
function visitOf(id: string, more: Record<string, unknown> = {}) {
  return {
    id,
    site: "rome-center",
    at: T9,
    area: "pool",
    accessType: "pool-offpeak",
    multipack: "mp-anna-swim",
    product: "swim10",
    credits: 0,
    undone: false,
    ...more,
  };
}

describe("the central's visits and presence", () => {
  it("sync.md fan-out: publishes a free entry as a visit with this site and the member's presence, as the next revision", ({
    setup,
  }) => {
    const c = setup();
    const out = c.take("gw-1", [grant("gw-1", 1)]);
    expect(out).toMatchObject({ stored: 1, changed: ["m-anna"], revs: [2] });
    expect(c.doc()?.visits).toEqual([visitOf("gw-1:1")]);
    expect(c.doc()?.presence).toEqual([{ area: "pool", direction: "in", at: T9, eventId: "gw-1:1" }]);
    const change = JSON.parse(changesAt(c.store, 2).json);
    expect(change.members[0]).toMatchObject({ id: "m-anna", visits: [{ id: "gw-1:1" }] });
    // A member without any gets both, empty: "the central knows of none", not "it does not say".
    expect(c.doc("m-carla")).toMatchObject({ visits: [], presence: [] });
  });

  it("R5, R7, R8: counts as visits only grants with reason ok going in; every grant with a member moves presence; denies and grants without a member do nothing", ({
    setup,
  }) => {
    const c = setup();
    c.take("gw-1", [
      grant("gw-1", 1, { at: T9 }),
      grant("gw-1", 2, { at: T10, reason: "reentry" }),
      grant("gw-1", 3, { at: T10, area: "gym", decision: "deny", reason: "limit_reached" }),
      grant("gw-1", 4, { at: T11, direction: "out", reason: "exit" }),
      grant("gw-1", 5, { at: T11, area: "gym", memberId: null, reason: "remote_open" }),
      grant("gw-1", 6, { at: T10, area: "gym", creditsDeducted: 2, accessTypeId: "gym-all" }),
    ]);
    expect(c.doc()?.visits).toEqual([
      visitOf("gw-1:1"),
      visitOf("gw-1:6", { at: T10, area: "gym", credits: 2, accessType: "gym-all" }),
    ]);
    expect(c.doc()?.presence).toEqual([
      { area: "gym", direction: "in", at: T10, eventId: "gw-1:6" },
      { area: "pool", direction: "out", at: T11, eventId: "gw-1:4" },
    ]);
  });

  it("D2: marks a visit undone when its relay-failed copy arrives, re-publishes the member, and a late plain copy never counts it again", ({
    setup,
  }) => {
    const c = setup();
    c.take("gw-1", [grant("gw-1", 1)]);
    const undo = c.take("gw-1", [grant("gw-1", 1, { relayFailed: true })]);
    expect(undo).toMatchObject({ replaced: 1, changed: ["m-anna"], revs: [3] });
    expect(c.doc()?.visits).toEqual([visitOf("gw-1:1", { undone: true })]);
    expect(c.doc()?.presence).toEqual([]);
    const late = c.take("gw-1", [grant("gw-1", 1)]);
    expect(late).toMatchObject({ duplicates: 1, changed: [], revs: [] });
    expect(c.doc()?.visits).toEqual([visitOf("gw-1:1", { undone: true })]);
  });

  it("D2: a grant with no passage (passed false) is undone for good; one that passed stays counted", ({
    setup,
  }) => {
    const c = setup();
    c.take("gw-1", [grant("gw-1", 1), grant("gw-1", 2, { at: T10 })]);
    c.take("gw-1", [grant("gw-1", 1, { passed: false }), grant("gw-1", 2, { at: T10, passed: true })]);
    // A copy from before the outcome comes late: neither outcome moves.
    c.take("gw-1", [grant("gw-1", 1, { passed: null }), grant("gw-1", 2, { at: T10, passed: false })]);
    expect(c.doc()?.visits).toEqual([visitOf("gw-1:1", { undone: true }), visitOf("gw-1:2", { at: T10 })]);
    expect(c.doc()?.presence).toEqual([{ area: "pool", direction: "in", at: T10, eventId: "gw-1:2" }]);
  });

  it("R12: presence falls back to the movement before an undone one, and to none when that is undone too", ({
    setup,
  }) => {
    const c = setup();
    c.take("gw-1", [grant("gw-1", 1, { at: T9 })]);
    c.take("gw-2", [grant("gw-2", 1, { at: T10, direction: "out", reason: "exit" })]);
    expect(c.doc()?.presence).toEqual([{ area: "pool", direction: "out", at: T10, eventId: "gw-2:1" }]);
    c.take("gw-2", [grant("gw-2", 1, { at: T10, direction: "out", reason: "exit", passed: false })]);
    expect(c.doc()?.presence).toEqual([{ area: "pool", direction: "in", at: T9, eventId: "gw-1:1" }]);
    c.take("gw-1", [grant("gw-1", 1, { at: T9, relayFailed: true })]);
    expect(c.doc()?.presence).toEqual([]);
  });

  it("R16: a charged visit and its ledger entry share the event id, and the entry is still merged once by id", ({
    setup,
  }) => {
    const c = setup();
    const entry = {
      id: "gw-1:1",
      multipackId: "mp-anna-swim",
      amount: 1,
      at: T9,
      area: "pool",
      accessType: "pool-offpeak",
      kind: "usage" as const,
    };
    const charged = grant("gw-1", 1, { creditsDeducted: 1, ledger: [entry] });
    expect(c.take("gw-1", [charged])).toMatchObject({ entries: 1, changed: ["m-anna"] });
    expect(c.take("gw-1", [charged])).toMatchObject({ entries: 0, duplicates: 1, changed: [] });
    expect(c.doc()?.multipacks[0]?.ledger.map((e) => e.id)).toEqual(["gw-1:1"]);
    expect(c.doc()?.visits).toEqual([visitOf("gw-1:1", { credits: 1 })]);
  });

  it("publishes the file's usage entries with an area as visits of this site (the gateway counts them so)", ({
    setup,
  }) => {
    const c = setup();
    expect(c.doc("m-bruno")?.visits).toEqual([
      {
        id: "central:b1",
        site: "rome-center",
        at: "2027-03-01T10:00:00Z",
        area: "pool",
        accessType: null,
        multipack: "mp-bruno-swim",
        product: "swim10",
        credits: 8,
        undone: false,
      },
    ]);
  });

  it("folds the stored events of a store from before the fold once when it is opened again, and re-publishes every member", ({
    setup,
  }) => {
    const c = setup();
    c.take("gw-1", [grant("gw-1", 1), grant("gw-1", 2, { at: T10, relayFailed: true })]);
    // The store as an accessgw before migration 3 left it: no movements, documents without visits.
    c.store.db.exec("DROP TABLE movements");
    c.store.db.exec("UPDATE members SET doc = json_remove(doc, '$.visits', '$.presence')");
    c.store.db.pragma("user_version = 2");
    c.reopen();
    expect(c.doc()).not.toHaveProperty("visits");
    const rev = c.store.siteRev();
    const out = c.sync();
    expect(out.changed).toEqual(["m-anna", "m-bruno", "m-carla", "m-dario"]);
    expect(out.revs).toEqual([rev + 1]);
    expect(c.doc()?.visits).toEqual([visitOf("gw-1:1"), visitOf("gw-1:2", { at: T10, undone: true })]);
    expect(c.doc()?.presence).toEqual([{ area: "pool", direction: "in", at: T9, eventId: "gw-1:1" }]);
    expect(c.sync()).toMatchObject({ changed: [], revs: [] });
  });
});

describe("events relayed from a chain's other sites", () => {
  const entry = (id: string) => ({
    id,
    multipackId: "mp-anna-swim",
    amount: 1,
    at: T10,
    area: "pool",
    accessType: "pool-offpeak",
    kind: "usage" as const,
  });

  it("R20: gives visits with their site and no presence, merges their ledger entries by id, and keeps them out of this site's events", ({
    setup,
  }) => {
    const c = setup();
    c.take("gw-1", [grant("gw-1", 1)]);
    const milan = grant("gw-m1", 7, { at: T10, creditsDeducted: 1, ledger: [entry("gw-m1:7")] });
    const out = c.relay("milan-north", [milan]);
    expect(out).toMatchObject({ stored: 1, entries: 1, conflicts: [], changed: ["m-anna"], revs: [3] });
    expect(c.doc()?.visits).toEqual([
      visitOf("gw-1:1"),
      visitOf("gw-m1:7", { site: "milan-north", at: T10, credits: 1 }),
    ]);
    // Areas are per site: Milan's pool says nothing about who is in Rome's.
    expect(c.doc()?.presence).toEqual([{ area: "pool", direction: "in", at: T9, eventId: "gw-1:1" }]);
    expect(c.doc()?.multipacks[0]?.ledger.map((e) => e.id)).toEqual(["gw-m1:7"]);
    expect(c.relay("milan-north", [milan])).toMatchObject({
      stored: 0,
      duplicates: 1,
      entries: 0,
      changed: [],
    });
    expect(c.doc()?.multipacks[0]?.ledger.map((e) => e.id)).toEqual(["gw-m1:7"]);
    // Relayed events are the members' history, not this site's events, and move no watermark.
    expect(storedEvents(c.store).map((e) => e.id)).toEqual(["gw-1:1"]);
    expect(c.store.db.prepare("SELECT count(*) FROM gateways WHERE id = 'gw-m1'").pluck().get()).toBe(0);
  });

  it("D2: a relayed undo marks the visit undone for good, and re-publishes the member", ({ setup }) => {
    const c = setup();
    c.relay("milan-north", [grant("gw-m1", 7, { at: T10 })]);
    const undo = c.relay("milan-north", [grant("gw-m1", 7, { at: T10, relayFailed: true })]);
    expect(undo).toMatchObject({ replaced: 1, changed: ["m-anna"] });
    c.relay("milan-north", [grant("gw-m1", 7, { at: T10 })]);
    expect(c.doc()?.visits).toEqual([visitOf("gw-m1:7", { site: "milan-north", at: T10, undone: true })]);
  });

  it("refuses events said to come from this very site, and another event under a gateway and seq it holds", ({
    setup,
  }) => {
    const c = setup();
    expect(() => c.relay("rome-center", [grant("gw-m1", 1)])).toThrow(/another site/);
    c.relay("milan-north", [grant("gw-m1", 1)]);
    // Its id says seq 9, its seq says 1: the event held under gw-m1 seq 1 stays, this one is refused.
    const clash = { ...grant("gw-m1", 1, { at: T10 }), id: "gw-m1:9" } as DecisionEvent;
    const out = c.relay("milan-north", [clash, grant("gw-m1", 2, { at: T11 })]);
    expect(out).toMatchObject({ stored: 1, conflicts: ["gw-m1:9"] });
    expect(c.doc()?.visits?.map((v) => v.id)).toEqual(["gw-m1:1", "gw-m1:2"]);
  });
});

describe("a members file that lists visits and presence itself", () => {
  it("keeps its visits under ids the central does not know, replaces the others by the derived ones, undone sticky either way", () => {
    const base = Member.parse({
      id: "m-anna",
      visits: [
        visitOf("bo:1", { site: "milan-north", at: T9 }),
        visitOf("gw-1:1", { undone: true }),
        visitOf("gw-1:2", { at: T10, credits: 3 }),
      ],
    });
    const derived = [visitOf("gw-1:1"), visitOf("gw-1:2", { at: T10 })];
    expect(publishedVisits(base, derived, "rome-center")).toEqual([
      visitOf("bo:1", { site: "milan-north" }),
      visitOf("gw-1:1", { undone: true }),
      visitOf("gw-1:2", { at: T10 }),
    ]);
  });

  it("R12: per area the later of the file's movement and the derived one, in areas the config has only", () => {
    const at = (area: string, time: string, eventId: string) => ({
      area,
      direction: "in" as const,
      at: time,
      eventId,
    });
    const file = [at("gym", T11, "bo:7"), at("pool", T9, "bo:8"), at("sauna", T9, "bo:9")];
    const derived = [at("gym", T10, "gw-1:3"), at("pool", T10, "gw-1:4")];
    expect(publishedPresence(file, derived, new Set(["gym", "pool"]))).toEqual([
      at("gym", T11, "bo:7"),
      at("pool", T10, "gw-1:4"),
    ]);
  });
});
