/**
 * The reference central's store without MQTT: files to revisions (config rev, changes revs,
 * tombstones), hello answers (snapshot, replay, in step; parts by count and bytes), events stored once
 * by id, the watermark that never passes a gap, and gateways' ledger entries folded into the
 * published member documents (R16).
 */

import { writeFileSync } from "node:fs";
import { describe, expect } from "vitest";
import { stringify } from "yaml";
import { CentralStore } from "../../central/centralStore.js";
import { storedEvents, storeEvents } from "../../central/eventIntake.js";
import { advanceWatermark, raiseWatermark, watermark } from "../../central/gatewayStore.js";
import { buildAnswer } from "../../central/helloAnswer.js";
import { creditsRemaining, knownIds } from "../../central/memberDocs.js";
import { changesAt, memberDoc } from "../../central/memberStore.js";
import { planAnswer } from "../../central/messages.js";
import { reconcile } from "../../central/reconcile.js";
import type { Member } from "../../config/members.js";
import { type EventLedgerEntry, isDecision, type SyncEvent } from "../../config/protocol/events.js";
import { SyncMessage } from "../../config/protocol/payloads.js";
import { test } from "../harness/index.js";
import { parsedDecision } from "../helpers/annaDecision.js";
import { exampleSources } from "../helpers/centralSources.js";
import { exampleDoc } from "../helpers/examples.js";

const LIMITS = { partMembers: 500, partBytes: 262_144 };

type MembersDoc = { members: Record<string, unknown>[] };

/** A data folder with the worked example's files and the central's store on it. */
const it = test.extend("setup", ({ exampleFiles: { siteFile, membersFile, data }, defer }) => () => {
  const store = CentralStore.open(data);
  defer(() => store.close());
  const load = () => {
    return exampleSources(store, siteFile, membersFile);
  };
  return {
    store,
    siteFile,
    membersFile,
    load,
    sync: (limits = LIMITS) => reconcile(store, load(), limits),
    writeMembers: (doc: MembersDoc) => writeFileSync(membersFile, stringify(doc)),
    config: () => load().config,
  };
});

const AT = "2027-03-22T09:00:00.000Z";

/** A ledger entry as an event carries it. */
function usage(id: string, multipackId = "mp-anna-swim", amount = 1) {
  return {
    id,
    multipackId,
    amount,
    at: AT,
    area: "pool",
    accessType: "pool-offpeak",
    kind: "usage" as const,
  };
}

/** One event of gateway `g`, validated with the schema the central applies to what arrives. */
function event(g: string, seq: number, ledger: EventLedgerEntry[] = [], more: Partial<SyncEvent> = {}) {
  return parsedDecision(g, seq, {
    at: AT,
    creditsDeducted: ledger.length > 0 ? 1 : 0,
    creditsRemaining: 9,
    ledger,
    ...more,
  });
}

/** Every row of every table, for before/after comparisons. */
function dump(store: CentralStore): Record<string, unknown[]> {
  const tables = store.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all() as {
    name: string;
  }[];
  return Object.fromEntries(
    tables.map(({ name }) => [name, store.db.prepare(`SELECT * FROM "${name}"`).all()]),
  );
}

function parts(store: CentralStore, lastRev: number, limits = LIMITS) {
  const answer = buildAnswer(store, planAnswer(lastRev, store.siteRev(), 10_000), limits);
  const texts = Array.from({ length: answer.parts }, (_, i) => answer.part(i + 1));
  return { answer, texts, messages: texts.map((t) => SyncMessage.parse(JSON.parse(t))) };
}

describe("the central's store", () => {
  it("takes config rev 1 and one changes rev for the first files, and nothing when they are read again", ({
    setup,
  }) => {
    const c = setup();
    const first = c.sync();
    expect(first).toMatchObject({ configChanged: true, configRev: 1, revs: [1], deleted: [] });
    expect(first.changed).toEqual(["m-anna", "m-bruno", "m-carla", "m-dario"]);
    expect(first.before?.rev).toBe(1);
    const rev1 = JSON.parse(changesAt(c.store, 1).json);
    expect(rev1.members.map((m: Member) => m.id)).toEqual(["m-anna", "m-bruno", "m-carla", "m-dario"]);
    const again = c.sync();
    expect(again).toMatchObject({ configChanged: false, configRev: 1, revs: [], changed: [], deleted: [] });
    expect(c.store.siteRev()).toBe(1);
  });

  it("answers a snapshot with every member, a replay with what changed after lastRev (tombstones too), and in step with one empty part", ({
    setup,
  }) => {
    const c = setup();
    c.sync();
    const doc = exampleDoc<MembersDoc>("members.yaml");
    const carla = doc.members.find((m) => m.id === "m-carla") as Record<string, unknown>;
    carla.blocks = [{ reason: "debt", from: "2027-03-01" }];
    c.writeMembers({ members: doc.members.filter((m) => m.id !== "m-dario") });
    expect(c.sync()).toMatchObject({ revs: [2], changed: ["m-carla"], deleted: ["m-dario"] });
    expect(JSON.parse(changesAt(c.store, 2).json)).toMatchObject({
      rev: 2,
      members: [{ id: "m-carla", blocks: [{ reason: "debt" }] }],
      deletedMembers: ["m-dario"],
    });

    const snapshot = parts(c.store, 0);
    expect(snapshot.messages).toHaveLength(1);
    expect(snapshot.messages[0]).toMatchObject({ fromRev: 0, toRev: 2, snapshot: true, part: 1, parts: 1 });
    expect(snapshot.messages[0]?.members.map((m) => m.id)).toEqual(["m-anna", "m-bruno", "m-carla"]);

    const replay = parts(c.store, 1);
    expect(replay.messages).toEqual([
      expect.objectContaining({
        fromRev: 1,
        toRev: 2,
        snapshot: false,
        part: 1,
        parts: 1,
        deletedMembers: ["m-dario"],
      }),
    ]);
    expect(replay.messages[0]?.members.map((m) => m.id)).toEqual(["m-carla"]);

    const inStep = parts(c.store, 2);
    expect(inStep.texts).toEqual([
      '{"fromRev":2,"toRev":2,"snapshot":false,"part":1,"parts":1,"members":[],"deletedMembers":[]}',
    ]);
  });

  it("answers an empty central with one empty snapshot part", ({ setup }) => {
    const c = setup();
    c.writeMembers({ members: [] });
    c.sync();
    expect(parts(c.store, 0).texts).toEqual([
      '{"fromRev":0,"toRev":0,"snapshot":true,"part":1,"parts":1,"members":[],"deletedMembers":[]}',
    ]);
  });

  it("splits answers and changes by member count and by bytes, every member once and each part within the limits", ({
    setup,
  }) => {
    const c = setup();
    const doc = exampleDoc<MembersDoc>("members.yaml");
    const many = Array.from({ length: 23 }, (_, i) => ({
      id: `m-${String(i).padStart(3, "0")}`,
      name: `Member ${i} ${"x".repeat(i * 40)}`,
      cards: [{ number: String(9_000_000 + i) }],
    }));
    c.writeMembers({ members: [...doc.members, ...many] });
    const limits = { partMembers: 5, partBytes: 1500 };
    const first = c.sync(limits);
    expect(first.revs.length).toBeGreaterThan(5);
    for (const rev of first.revs) {
      const text = changesAt(c.store, rev).json;
      const change = JSON.parse(text) as { members: Member[] };
      expect(change.members.length).toBeLessThanOrEqual(5);
      if (change.members.length > 1) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1500);
    }

    for (const l of [
      { partMembers: 5, partBytes: 262_144 },
      { partMembers: 500, partBytes: 1500 },
    ]) {
      const snapshot = parts(c.store, 0, l);
      expect(snapshot.answer.parts).toBeGreaterThan(1);
      for (const [i, m] of snapshot.messages.entries()) {
        expect(m).toMatchObject({
          part: i + 1,
          parts: snapshot.answer.parts,
          snapshot: true,
          toRev: c.store.siteRev(),
        });
        expect(m.members.length).toBeGreaterThanOrEqual(1);
        expect(m.members.length).toBeLessThanOrEqual(l.partMembers);
        if (m.members.length > 1)
          expect(Buffer.byteLength(snapshot.texts[i] as string)).toBeLessThanOrEqual(l.partBytes);
      }
      const ids = snapshot.messages.flatMap((m) => m.members.map((x) => x.id));
      expect(ids).toHaveLength(27);
      expect(new Set(ids).size).toBe(27);
    }
  });

  it("folds a gateway's ledger entry into the published document, bumps the member's rev and lowers remaining credits (R16)", ({
    setup,
  }) => {
    const c = setup();
    c.sync();
    const known = knownIds(c.config());
    const out = storeEvents(c.store, "gw-1", [event("gw-1", 1, [usage("gw-1:1")])], 1000, known, LIMITS);
    expect(out).toMatchObject({ stored: 1, entries: 1, watermark: 1, changed: ["m-anna"], revs: [2] });
    const anna = memberDoc(c.store, "m-anna") as Member;
    expect(anna.multipacks[0]?.ledger).toEqual([
      { id: "gw-1:1", amount: 1, at: AT, area: "pool", accessType: "pool-offpeak", kind: "usage" },
    ]);
    expect(creditsRemaining(anna, "mp-anna-swim", c.config())).toBe(9);
    expect(JSON.parse(changesAt(c.store, 2).json)).toMatchObject({
      rev: 2,
      members: [{ id: "m-anna" }],
      deletedMembers: [],
    });
    // Bruno's file entry (8 used) and one more from a gateway: 10 − 9 = 1.
    storeEvents(c.store, "gw-1", [event("gw-1", 2, [usage("gw-1:2", "mp-bruno-swim")])], 1000, known, LIMITS);
    expect(creditsRemaining(memberDoc(c.store, "m-bruno") as Member, "mp-bruno-swim", c.config())).toBe(1);
    expect(memberDoc(c.store, "m-bruno")?.multipacks[1]?.ledger.map((e) => e.id)).toEqual([
      "central:b1",
      "gw-1:2",
    ]);
  });

  it("stores an event once by id: a second delivery changes nothing and takes no revision", ({ setup }) => {
    const c = setup();
    c.sync();
    const known = knownIds(c.config());
    const batch = [event("gw-1", 1, [usage("gw-1:1")]), event("gw-1", 2)];
    storeEvents(c.store, "gw-1", batch, 1000, known, LIMITS);
    const before = dump(c.store);
    const again = storeEvents(c.store, "gw-1", batch, 2000, known, LIMITS);
    expect(again).toMatchObject({
      stored: 0,
      duplicates: 2,
      entries: 0,
      changed: [],
      revs: [],
      watermark: 2,
    });
    expect(dump(c.store)).toEqual(before);
    expect(storedEvents(c.store, "gw-1").map((e) => e.id)).toEqual(["gw-1:1", "gw-1:2"]);
  });

  it("replaces an event by its relayFailed copy and folds the refund; a late plain copy does not undo it", ({
    setup,
  }) => {
    const c = setup();
    c.sync();
    const known = knownIds(c.config());
    const plain = event("gw-1", 1, [usage("gw-1:1")]);
    storeEvents(c.store, "gw-1", [plain], 1000, known, LIMITS);
    const refund = { ...usage("gw-1:1:refund"), amount: -1, kind: "refund" as const };
    const failed = event("gw-1", 1, [usage("gw-1:1"), refund], { relayFailed: true });
    expect(storeEvents(c.store, "gw-1", [failed], 2000, known, LIMITS)).toMatchObject({
      replaced: 1,
      entries: 1,
      changed: ["m-anna"],
    });
    expect(creditsRemaining(memberDoc(c.store, "m-anna") as Member, "mp-anna-swim", c.config())).toBe(10);
    expect(storeEvents(c.store, "gw-1", [plain], 3000, known, LIMITS)).toMatchObject({
      duplicates: 1,
      replaced: 0,
    });
    expect(storedEvents(c.store, "gw-1").filter(isDecision)[0]?.relayFailed).toBe(true);
  });

  it("D2: replaces a waiting grant by its settled copy (passed false with its refund, or passed true); a late waiting copy does not undo it", ({
    setup,
  }) => {
    const c = setup();
    c.sync();
    const known = knownIds(c.config());
    const waiting = event("gw-1", 1, [usage("gw-1:1")]);
    const passed = event("gw-1", 2, [usage("gw-1:2")]);
    storeEvents(c.store, "gw-1", [waiting, passed], 1000, known, LIMITS);
    const undo = { ...usage("gw-1:1:undo"), amount: -1, kind: "refund" as const };
    const turnedAway = event("gw-1", 1, [usage("gw-1:1"), undo], { passed: false });
    const through = event("gw-1", 2, [usage("gw-1:2")], { passed: true });
    expect(storeEvents(c.store, "gw-1", [turnedAway, through], 2000, known, LIMITS)).toMatchObject({
      replaced: 2,
      entries: 1,
    });
    expect(storeEvents(c.store, "gw-1", [waiting], 3000, known, LIMITS)).toMatchObject({ duplicates: 1 });
    expect(storeEvents(c.store, "gw-1", [through], 3000, known, LIMITS)).toMatchObject({ duplicates: 1 });
    expect(
      storedEvents(c.store, "gw-1")
        .filter(isDecision)
        .map((e) => e.passed),
    ).toEqual([false, true]);
    // Anna paid for the swim she took, and got back the one she turned away from.
    expect(creditsRemaining(memberDoc(c.store, "m-anna") as Member, "mp-anna-swim", c.config())).toBe(9);
  });

  it("never moves the watermark past a gap, and moves it over the gap once the missing event arrives", ({
    setup,
  }) => {
    const c = setup();
    c.sync();
    const known = knownIds(c.config());
    const store = (...seqs: number[]) =>
      storeEvents(
        c.store,
        "gw-1",
        seqs.map((s) => event("gw-1", s)),
        1000,
        known,
        LIMITS,
      ).watermark;
    expect(store(1, 2)).toBe(2);
    expect(store(4, 5)).toBe(2);
    expect(store(3)).toBe(5);
    expect(store(7)).toBe(5);
    // The gateway's hello says everything below 7 was acked (e.g. by the central before this one).
    expect(raiseWatermark(c.store, "gw-1", 7)).toEqual({ before: 5, after: 7 });
    expect(raiseWatermark(c.store, "gw-1", 3)).toEqual({ before: 7, after: 7 });
    expect(advanceWatermark(c.store, "gw-2")).toBe(0);
    expect(watermark(c.store, "gw-2")).toBe(0);
  });

  it("keeps entries for a multipack the files do not have, and folds them in when it appears", ({
    setup,
  }) => {
    const c = setup();
    c.sync();
    const known = knownIds(c.config());
    const out = storeEvents(
      c.store,
      "gw-1",
      [event("gw-1", 1, [usage("gw-1:1", "mp-new")])],
      1000,
      known,
      LIMITS,
    );
    expect(out).toMatchObject({
      stored: 1,
      entries: 1,
      unknownEntries: 1,
      // The grant's visit is published at once; its entry waits for the multipack.
      changed: ["m-anna"],
      revs: [2],
      watermark: 1,
    });
    expect(memberDoc(c.store, "m-anna")?.multipacks.flatMap((m) => m.ledger.map((e) => e.id))).toEqual([]);
    const doc = exampleDoc<MembersDoc>("members.yaml");
    const anna = doc.members.find((m) => m.id === "m-anna") as { multipacks: unknown[] };
    anna.multipacks.push({ id: "mp-new", product: "swim10", purchasedAt: "2027-03-20T10:00:00+01:00" });
    c.writeMembers(doc);
    expect(c.sync()).toMatchObject({ changed: ["m-anna"], revs: [3] });
    expect(memberDoc(c.store, "m-anna")?.multipacks[1]?.ledger.map((e) => e.id)).toEqual(["gw-1:1"]);
    expect(creditsRemaining(memberDoc(c.store, "m-anna") as Member, "mp-new", c.config())).toBe(9);
  });

  it("does not fold an entry twice when the files hold the same id, and leaves out an area the config lacks", ({
    setup,
  }) => {
    const c = setup();
    c.sync();
    const known = knownIds(c.config());
    const out = storeEvents(
      c.store,
      "gw-1",
      [event("gw-1", 1, [{ ...usage("central:b1", "mp-anna-swim") }, { ...usage("gw-1:1"), area: "sauna" }])],
      1000,
      known,
      LIMITS,
    );
    expect(out.changed).toEqual(["m-anna"]);
    // central:b1 is Bruno's entry in the file: echoing it under Anna's pack would make a duplicate id.
    expect(memberDoc(c.store, "m-anna")?.multipacks[0]?.ledger).toEqual([
      { id: "gw-1:1", amount: 1, at: AT, accessType: "pool-offpeak", kind: "usage" },
    ]);
  });

  it("publishes a member removed and given back: its tombstone, then its document", ({ setup }) => {
    const c = setup();
    c.sync();
    const doc = exampleDoc<MembersDoc>("members.yaml");
    c.writeMembers({ members: doc.members.filter((m) => m.id !== "m-anna") });
    expect(c.sync()).toMatchObject({ revs: [2], deleted: ["m-anna"] });
    expect(memberDoc(c.store, "m-anna")).toBeNull();
    c.writeMembers(doc);
    expect(c.sync()).toMatchObject({ revs: [3], changed: ["m-anna"], deleted: [] });
    const replay = parts(c.store, 1).messages[0];
    expect(replay?.deletedMembers).toEqual([]);
    expect(replay?.members.map((m) => m.id)).toEqual(["m-anna"]);
  });

  it("R19: publishes a member's codes from the members file, and their removal as a change", ({ setup }) => {
    const c = setup();
    const doc = exampleDoc<MembersDoc>("members.yaml");
    (doc.members[0] as Record<string, unknown>).codes = ["corp-acme"];
    c.writeMembers(doc);
    c.sync();
    expect(memberDoc(c.store, "m-anna")?.codes).toEqual(["corp-acme"]);
    expect(parts(c.store, 0).messages[0]?.members.find((m) => m.id === "m-anna")?.codes).toEqual([
      "corp-acme",
    ]);
    delete (doc.members[0] as Record<string, unknown>).codes;
    c.writeMembers(doc);
    expect(c.sync()).toMatchObject({ revs: [2], changed: ["m-anna"] });
    expect(memberDoc(c.store, "m-anna")?.codes).toEqual([]);
  });

  it("publishes the union of the old and new config before member changes when an edit removes a product they used", ({
    setup,
  }) => {
    const c = setup();
    c.sync();
    const site = exampleDoc<{ products: { id: string }[] }>("site.yaml");
    const trial = site.products.find((p) => p.id === "trial") as { id: string };
    writeFileSync(
      c.siteFile,
      stringify({
        ...site,
        products: [...site.products.filter((p) => p !== trial), { ...trial, id: "trial2" }],
      }),
    );
    const doc = exampleDoc<MembersDoc>("members.yaml");
    const carla = doc.members.find((m) => m.id === "m-carla") as { multipacks: { product: string }[] };
    (carla.multipacks[0] as { product: string }).product = "trial2";
    c.writeMembers(doc);
    const out = c.sync();
    expect(out).toMatchObject({ configChanged: true, configRev: 3, changed: ["m-carla"], revs: [2] });
    expect(out.before?.rev).toBe(2);
    expect(out.before?.config.products.map((p) => p.id).sort()).toEqual([
      "gymflex",
      "swim10",
      "trial",
      "trial2",
    ]);
    expect(c.store.configRev()).toBe(3);
    expect(
      JSON.parse(c.store.configJson() as string).products.map((p: { id: string }) => p.id),
    ).not.toContain("trial");
  });
});
