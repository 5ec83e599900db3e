import fc from "fast-check";
import { describe, expect } from "vitest";
import { Member } from "../../config/members.js";
import { memberBalance, scan } from "../../gateway/decisions.js";
import {
  markSynced,
  type Store,
  setConfigRejected,
  setConfigRev,
  syncState,
} from "../../gateway/store/db.js";
import { isDecisionEvent } from "../../gateway/store/events.js";
import { findCard } from "../../gateway/store/facts.js";
import { ackUpTo, outboxDepth, pendingEvents } from "../../gateway/store/outbox.js";
import {
  applyChanges,
  applySyncPart,
  finishSyncAnswer,
  type SyncPart,
  syncAnswer,
} from "../../gateway/store/syncApply.js";
import { applyMembers, applyMembersChunked } from "../../gateway/store/syncMembers.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { exampleText } from "../helpers/examples.js";
import { unpacked } from "../helpers/packedRows.js";
import { membersData } from "./memberArbitrary.js";
import { dump, importInputs, scanReq } from "./storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const ANNA_CARD = "1234567";

type Entry = { id: string; amount: number; at: string; area?: string };

/** Anna's document as the central would send it; `swim` is her swim10 ledger (undefined: no multipack). */
function anna(opts: { card?: string; status?: string; swim?: Entry[]; blocks?: boolean } = {}): Member {
  return Member.parse({
    id: "m-anna",
    name: "Anna",
    cards: [{ number: opts.card ?? "0001234567", status: opts.status ?? "active" }],
    multipacks:
      opts.swim === undefined
        ? []
        : [
            {
              id: "mp-anna-swim",
              product: "swim10",
              purchasedAt: "2027-03-01T18:00:00+01:00",
              ledger: opts.swim,
            },
          ],
    blocks: opts.blocks ? [{ reason: "debt", from: "2027-03-01" }] : [],
  });
}

const simple = (id: string, card: string): Member => Member.parse({ id, cards: [{ number: card }] });

function balance(store: Store, multipackId = "mp-anna-swim"): string {
  const mp = memberBalance(store, { member: "m-anna" }, MONDAY_10).multipacks.find(
    (m) => m.multipackId === multipackId,
  );
  return `${mp?.creditsRemaining}/${mp?.creditsTotal}`;
}

const memberIds = (store: Store) => store.db.prepare("SELECT id FROM members ORDER BY id").pluck().all();
const central = (id: string, amount: number): Entry => ({
  id,
  amount,
  at: "2027-03-02T09:00:00Z",
  area: "pool",
});

describe("sync.md: a member document replaces the stored member, ledgers merge by id", () => {
  it("replaces cards and blocks, adds the central's entries and keeps the entry recorded here", ({
    exampleStore: store,
  }) => {
    scan(store, scanReq(ANNA_CARD, "pool"), MONDAY_10, "gw-1");
    const out = applyMembers(
      store,
      [anna({ card: "999", swim: [central("central:9", 2)], blocks: true })],
      [],
    );
    expect(out).toMatchObject({ applied: true, members: 1, keptMultipacks: [] });
    expect(findCard(store, ANNA_CARD)).toBeNull();
    expect(findCard(store, "999")?.memberId).toBe("m-anna");
    expect(store.db.prepare("SELECT reason FROM blocks WHERE member_id = 'm-anna'").pluck().all()).toEqual([
      "debt",
    ]);
    expect(balance(store)).toBe("7/10");
    expect(
      unpacked(store)
        .db.prepare("SELECT id, origin FROM ledger WHERE multipack_id = 'mp-anna-swim' ORDER BY id")
        .all(),
    ).toEqual([
      { id: "central:9", origin: "sync" },
      { id: "gw-1:1", origin: "local" },
    ]);
  });

  it("D6: a member document's locale is stored, and the next decision speaks it", ({
    exampleStore: store,
  }) => {
    const doc = Member.parse({ ...anna({ swim: [] }), locale: "fr-FR" });
    expect(applyMembers(store, [doc], [])).toMatchObject({ applied: true, members: 1 });
    expect(scan(store, scanReq(ANNA_CARD, "pool"), MONDAY_10, "gw-1").message).toBe(
      "Bienvenue Anna — reste 9/10",
    );
  });

  it("keeps the compiled site configuration cached: members are not part of it", async ({
    exampleStore: store,
  }) => {
    const site = store.siteConfig();
    applyMembers(store, [anna({ card: "999", swim: [] })], []);
    await applyMembersChunked(store, [anna({ card: "998", swim: [] })], [], { chunkSize: 1 });
    expect(store.siteConfig()).toBe(site);
  });

  it("counts the central's echo of an entry recorded here once, however often it comes", ({
    exampleStore: store,
  }) => {
    const e = scan(store, scanReq(ANNA_CARD, "pool"), MONDAY_10, "gw-1");
    const echo = { id: e.id, amount: 1, at: e.at, area: "pool" };
    applyMembers(store, [anna({ swim: [echo] })], []);
    const once = dump(store);
    applyMembers(store, [anna({ swim: [echo] })], []);
    expect(dump(store)).toEqual(once);
    expect(balance(store)).toBe("9/10");
  });

  it("keeps an omitted multipack while it holds unacked entries recorded here, drops it after the ack", ({
    exampleStore: store,
  }) => {
    const e = scan(store, scanReq(ANNA_CARD, "pool"), MONDAY_10, "gw-1");
    expect(applyMembers(store, [anna()], []).keptMultipacks).toEqual(["mp-anna-swim"]);
    expect(balance(store)).toBe("9/10");
    ackUpTo(store, e.seq);
    expect(applyMembers(store, [anna()], []).keptMultipacks).toEqual([]);
    expect(store.db.prepare("SELECT count(*) FROM multipacks WHERE id = 'mp-anna-swim'").pluck().get()).toBe(
      0,
    );
    // The entry recorded here stays, and counts again (once) when the multipack comes back with its echo.
    applyMembers(
      store,
      [anna({ swim: [{ id: e.id, amount: 1, at: e.at, area: "pool" }, central("c:1", 2)] })],
      [],
    );
    expect(balance(store)).toBe("7/10");
  });

  it("refuses the whole payload when one member refers to an unknown product: nothing changes", ({
    exampleStore: store,
  }) => {
    const before = dump(store);
    const bad = Member.parse({
      id: "m-x",
      multipacks: [{ id: "mp-x", product: "nope", purchasedAt: "2027-03-01T18:00:00+01:00" }],
    });
    const out = applyMembers(store, [anna({ card: "999" }), bad], ["m-bruno"], { name: "changes rev 7" });
    expect(out.applied).toBe(false);
    expect(out.problems).toEqual([
      'changes rev 7: members[1] (m-x).multipacks[0] (mp-x).product: unknown product "nope"',
    ]);
    expect(dump(store)).toEqual(before);
  });

  it("deletes a member with cards, multipacks, bookings and blocks; its events and outbox stay", ({
    exampleStore: store,
  }) => {
    const e = scan(store, scanReq(ANNA_CARD, "pool"), MONDAY_10, "gw-1");
    applyMembers(store, [], ["m-anna"]);
    expect(memberIds(store)).not.toContain("m-anna");
    for (const table of ["cards", "multipacks", "bookings", "blocks", "visits", "presence"])
      expect(
        unpacked(store).db.prepare(`SELECT count(*) FROM ${table} WHERE member_id = 'm-anna'`).pluck().get(),
      ).toBe(0);
    expect(outboxDepth(store)).toBe(1);
    expect(
      pendingEvents(store)
        .filter(isDecisionEvent)[0]
        ?.ledger.map((l) => l.id),
    ).toEqual([e.id]);
    expect(scan(store, scanReq(ANNA_CARD, "pool"), MONDAY_10 + 1000, "gw-1").reason).toBe("unknown_card");
  });
});

describe("sync state", () => {
  it("starts at revision 0, keeps config revisions, rejections and the last sync across a restart", ({
    store: t,
    exampleStore: store,
  }) => {
    expect(syncState(store)).toEqual({ lastRev: 0, configRev: 0, lastSyncAt: null, configRejected: null });
    setConfigRev(store, 12, 1000);
    setConfigRejected(store, 13, ["config: areas[0].id: missing"]);
    markSynced(store, 2000);
    const expected = {
      lastRev: 0,
      configRev: 12,
      lastSyncAt: 2000,
      configRejected: { rev: 13, problems: ["config: areas[0].id: missing"] },
    };
    expect(syncState(store)).toEqual(expected);
    expect(syncState(t.reopen())).toEqual(expected);
    setConfigRev(t.store, 13, 3000);
    expect(syncState(t.store)).toMatchObject({ configRev: 13, configRejected: null, lastSyncAt: 3000 });
  });
});

describe("sync.md changes: in revision order, duplicates ignored, gaps reported", () => {
  it("applies rev 1, ignores it again, reports rev 3 as a gap, then applies rev 2", ({
    exampleStore: store,
  }) => {
    const change = (rev: number) => ({ rev, members: [anna({ card: `${900 + rev}` })], deletedMembers: [] });
    expect(applyChanges(store, change(1), { now: 5 }).status).toBe("applied");
    expect(applyChanges(store, change(1)).status).toBe("duplicate");
    expect(applyChanges(store, change(3)).status).toBe("gap");
    expect(findCard(store, "901")).not.toBeNull();
    expect(applyChanges(store, change(2), { now: 6 }).status).toBe("applied");
    expect(findCard(store, "902")).not.toBeNull();
    expect(syncState(store)).toMatchObject({ lastRev: 2, lastSyncAt: 6 });
  });

  it("refuses a change with a bad member and keeps the revision, so the next change is a gap", ({
    exampleStore: store,
  }) => {
    const bad = Member.parse({
      id: "m-x",
      bookings: [{ id: "b", area: "moon", start: "2027-03-01T10:00:00Z", end: "2027-03-01T11:00:00Z" }],
    });
    const out = applyChanges(store, { rev: 1, members: [bad], deletedMembers: [] });
    expect(out).toMatchObject({
      status: "rejected",
      problems: ['changes rev 1: members[0] (m-x).bookings[0] (b).area: unknown area "moon"'],
    });
    expect(syncState(store).lastRev).toBe(0);
    expect(applyChanges(store, { rev: 2, members: [], deletedMembers: [] }).status).toBe("gap");
  });
});

const part = (p: Partial<SyncPart> & { part: number; members: Member[] }): SyncPart => ({
  fromRev: 0,
  toRev: 10,
  snapshot: true,
  parts: 2,
  deletedMembers: [],
  ...p,
});

describe("sync.md sync answers: part by part, snapshot deletion at the end", () => {
  it("deletes the members no part named only after the last part, and takes the answer's revision", async ({
    exampleStore: store,
  }) => {
    expect(await applySyncPart(store, part({ part: 1, members: [anna()] }))).toEqual({
      status: "applied",
      problems: [],
    });
    expect(memberIds(store)).toEqual(["m-anna", "m-bruno", "m-carla", "m-dario"]);
    expect(syncState(store).lastRev).toBe(0);
    const last = await applySyncPart(store, part({ part: 2, members: [simple("m-bruno", "7654321")] }), {
      now: 9,
      chunkSize: 1,
    });
    expect(last.status).toBe("complete");
    expect(memberIds(store)).toEqual(["m-anna", "m-bruno"]);
    expect(syncState(store)).toMatchObject({ lastRev: 10, lastSyncAt: 9 });
    expect(syncAnswer(store)).toBeNull();
  });

  it("continues a snapshot after a restart in the middle of it", async ({
    store: t,
    exampleStore: store,
  }) => {
    await applySyncPart(store, part({ part: 1, members: [anna()] }));
    const reopened = t.reopen();
    expect(syncAnswer(reopened)).toEqual({
      fromRev: 0,
      toRev: 10,
      snapshot: true,
      parts: 2,
      received: 1,
      sweptTo: null,
    });
    expect((await applySyncPart(reopened, part({ part: 2, members: [] }))).status).toBe("complete");
    expect(memberIds(reopened)).toEqual(["m-anna"]);
  });

  it("finishes at start-up a snapshot whose last part committed just before a crash", async ({
    store: t,
    exampleStore: store,
  }) => {
    await applySyncPart(store, part({ part: 1, members: [anna()] }));
    // The crash point: part 2's last chunk committed (part recorded), the deletions not yet run.
    store.db.prepare("INSERT INTO sync_answer_parts (part) VALUES (2)").run();
    const reopened = t.reopen();
    expect(await finishSyncAnswer(reopened, { now: 7 })).toBe(true);
    expect(memberIds(reopened)).toEqual(["m-anna"]);
    expect(syncState(reopened)).toMatchObject({ lastRev: 10, lastSyncAt: 7 });
    expect(await finishSyncAnswer(reopened)).toBe(false);
  });

  it("resumes the snapshot's deletions where a crash stopped them, without deleting what was named", async ({
    store: t,
    exampleStore: store,
  }) => {
    const many = Array.from({ length: 250 }, (_, i) => simple(`m-${String(i).padStart(3, "0")}`, `9${i}`));
    await applySyncPart(store, part({ part: 1, members: [anna(), ...many] }));
    store.db.prepare("INSERT INTO sync_answer_parts (part) VALUES (2)").run();
    // A crash after the sweep's first page: its names are forgotten, the page reached is kept.
    const firstPage = (
      store.prepare("SELECT id FROM members ORDER BY id LIMIT 100").pluck().all() as string[]
    ).at(-1) as string;
    store.db.prepare("DELETE FROM sync_named WHERE member_id <= ?").run(firstPage);
    store.db.prepare("UPDATE sync_answer SET swept_to = ?").run(firstPage);
    const reopened = t.reopen();
    expect(await finishSyncAnswer(reopened, { now: 7 })).toBe(true);
    // The example members no part named are gone; every named one stays.
    expect(memberIds(reopened)).toEqual(["m-anna", ...many.map((m) => m.id)].sort());
    expect(reopened.prepare("SELECT count(*) FROM sync_named").pluck().get()).toBe(0);
  });

  it("accepts parts out of order and repeated", async ({ exampleStore: store }) => {
    expect((await applySyncPart(store, part({ part: 2, members: [anna()] }))).status).toBe("applied");
    expect((await applySyncPart(store, part({ part: 2, members: [anna()] }))).status).toBe("applied");
    expect(
      (await applySyncPart(store, part({ part: 1, members: [simple("m-carla", "5550001")] }))).status,
    ).toBe("complete");
    expect(memberIds(store)).toEqual(["m-anna", "m-carla"]);
  });

  it("lets a new answer with another toRev discard an unfinished one", async ({ exampleStore: store }) => {
    await applySyncPart(store, part({ part: 1, members: [anna()] }));
    const other = part({ part: 1, parts: 1, toRev: 11, members: [simple("m-dario", "5550002")] });
    expect((await applySyncPart(store, other)).status).toBe("complete");
    // Anna was named by the discarded answer only.
    expect(memberIds(store)).toEqual(["m-dario"]);
    expect(syncState(store).lastRev).toBe(11);
  });

  it("applies changes answers from the applied revision, and reports older ones and gaps", async ({
    exampleStore: store,
  }) => {
    const changes = (fromRev: number, toRev: number) =>
      part({ part: 1, parts: 1, fromRev, toRev, snapshot: false, members: [], deletedMembers: ["m-carla"] });
    expect((await applySyncPart(store, changes(0, 5))).status).toBe("complete");
    expect(memberIds(store)).toEqual(["m-anna", "m-bruno", "m-dario"]);
    // The same revision again: the central says this gateway is in step.
    expect((await applySyncPart(store, changes(0, 5))).status).toBe("current");
    expect((await applySyncPart(store, changes(5, 5))).status).toBe("current");
    expect((await applySyncPart(store, changes(0, 4))).status).toBe("duplicate");
    expect((await applySyncPart(store, changes(7, 9))).status).toBe("gap");
    expect(syncState(store).lastRev).toBe(5);
  });

  it("treats a change covered by the answer being applied as a duplicate", async ({
    exampleStore: store,
  }) => {
    await applySyncPart(store, part({ part: 1, members: [anna({ card: "777" })] }));
    expect(applyChanges(store, { rev: 1, members: [anna({ card: "111" })], deletedMembers: [] }).status).toBe(
      "duplicate",
    );
    expect(findCard(store, "777")).not.toBeNull();
  });

  it("rejects a part of a bad shape without touching anything", async ({ exampleStore: store }) => {
    const before = dump(store);
    expect((await applySyncPart(store, part({ part: 3, members: [] }))).status).toBe("rejected");
    expect(dump(store)).toEqual(before);
  });
});

describe("chunked apply: scans keep being decided between chunks", () => {
  it("decides scans between chunks and sees the old or the new member, never a half one", async ({
    exampleStore: store,
  }) => {
    const members = [
      ...Array.from({ length: 6 }, (_, i) => simple(`m-new-${i}`, `80${i}`)),
      anna({ status: "blocked" }),
      ...Array.from({ length: 6 }, (_, i) => simple(`m-more-${i}`, `90${i}`)),
    ];
    const seen: string[] = [];
    let now = MONDAY_10;
    let ticks = 0;
    let done = false;
    const tick = () => {
      ticks++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const out = await applyMembersChunked(store, members, [], {
      chunkSize: 2,
      onProgress: () => {
        now += 200 * 60_000;
        const d = scan(store, scanReq(ANNA_CARD, "pool"), now, "gw-1");
        // Old Anna: an active card and her swim10 pack. New Anna: a blocked card and no pack.
        seen.push(d.decision === "grant" ? `grant ${d.multipackId}` : `${d.decision} ${d.reason}`);
        expect(d.multipackId === "mp-anna-swim" || d.reason === "card_blocked").toBe(true);
        // Out again, so the next entry is not refused by anti-passback.
        scan(store, scanReq(ANNA_CARD, "pool", "out"), now + 60_000, "gw-1");
      },
    });
    done = true;
    expect(out.applied).toBe(true);
    expect(seen).toEqual([
      "grant mp-anna-swim",
      "grant mp-anna-swim",
      "grant mp-anna-swim",
      "deny card_blocked",
      "deny card_blocked",
      "deny card_blocked",
      "deny card_blocked",
    ]);
    expect(ticks).toBeGreaterThan(0);
    // Anna's document omitted her pack, but it holds unacked local entries: kept (see applyMembers).
    expect(out.keptMultipacks).toEqual(["mp-anna-swim"]);
  });
});

describe("property: a part applied twice is applied once", () => {
  it("leaves the same cache after applying the same snapshot part once or twice", async ({ newStore }) => {
    await fc.assert(
      fc.asyncProperty(membersData, async (data) => {
        const t = newStore();
        importInputs(t.store, [{ name: "site.yaml", text: exampleText("site.yaml") }]);
        const p = part({ part: 1, members: data.map((m) => Member.parse(m)) });
        await applySyncPart(t.store, p, { chunkSize: 3 });
        const once = dump(t.store);
        await applySyncPart(t.store, p, { chunkSize: 3 });
        const twice = dump(t.store);
        t.close();
        expect(twice).toEqual(once);
      }),
      { numRuns: 25 },
    );
  });
});
