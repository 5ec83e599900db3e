/**
 * The reference central with the real gateway sync client on a real Mosquitto: a gateway with an
 * empty cache gets the config and a snapshot and decides with them; edits of the members file reach
 * it; its scans reach the central once, are acked (the outbox empties) and come back inside the
 * member documents, so two gateways see each other's usage (sync.md "Credits across gateways"); a
 * failed door pulse's refund gets there too; a gateway that was away catches up by replay; events
 * published while the central is away wait at the broker for it.
 */
import { writeFileSync } from "node:fs";
import { describe, expect, vi } from "vitest";
import { stringify } from "yaml";
import { isDecision } from "../../config/protocol/events.js";
import { explain, memberBalance, scan } from "../../gateway/decisions.js";
import { syncState } from "../../gateway/store/db.js";
import { outboxDepth } from "../../gateway/store/outbox.js";
import { recordRelayFailure } from "../../gateway/store/relayFailure.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { exampleDoc } from "../helpers/examples.js";
import { scanReq, type TestStore } from "../store/storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const MONDAY_18 = at("2027-03-22T18:00");
/** Carla's trial week has begun. */
const FRIDAY_13 = at("2027-03-26T13:00");
const wait = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 20 });

type MembersDoc = { members: Record<string, unknown>[] };

const it = test
  /** A site folder with the worked example's files, and a central for it on its own topic prefix. */
  .extend(
    "site",
    ({ central }) =>
      (prefix: string) =>
        central(prefix, { partMembers: 2, watchIntervalMs: 50 }),
  )
  /** A gateway with an empty cache (or `t`) running the real sync client. */
  .extend(
    "syncedGateway",
    ({ newStore, syncClient }) =>
      (prefix: string, id: string, t: TestStore = newStore(), clientId?: string) => {
        const client = syncClient({
          store: t.store,
          gatewayId: id,
          prefix,
          sync: { ackTimeoutMs: 300 },
          ...(clientId === undefined ? {} : { mqtt: { clientId } }),
        });
        return { t, store: t.store, client };
      },
  );

const remainingAt = (store: TestStore["store"], member: string, mp: string) =>
  memberBalance(store, { member }, MONDAY_10 + 60_000).multipacks.find((m) => m.multipackId === mp)
    ?.creditsRemaining;

describe("the reference central with the gateway's sync client", () => {
  it("commissions an empty gateway: config, a snapshot in parts, then decisions; the scan comes back acked and echoed", async ({
    site,
    syncedGateway,
  }) => {
    const s = site("c1/v1");
    const central = s.make();
    await central.start();
    await central.whenSubscribed();
    const g = syncedGateway("c1/v1", "gw-a");

    // Two members per message: the four members of the file took revisions 1 and 2.
    expect(central.siteRev()).toBe(2);
    await wait(() => expect(syncState(g.store).lastRev).toBe(2));
    expect(syncState(g.store).configRev).toBe(1);
    await wait(() => expect(central.counters()).toMatchObject({ snapshots: 1, partsSent: 2 }));
    const anna = explain(g.store, scanReq("0001234567", "pool"), MONDAY_10);
    expect(anna).toMatchObject({ decision: "grant", reason: "ok", memberId: "m-anna", creditsDeducted: 1 });
    expect(explain(g.store, scanReq("5550002", "gym"), MONDAY_10).reason).toBe("card_blocked");

    const e = scan(g.store, scanReq("0001234567", "pool"), MONDAY_10, "gw-a");
    g.client.poke();
    await wait(() => expect(outboxDepth(g.store)).toBe(0));
    expect(
      central
        .events("gw-a")
        .filter(isDecision)
        .map((x) => [x.id, x.decision, x.creditsDeducted]),
    ).toEqual([["gw-a:1", "grant", 1]]);
    expect(central.watermark("gw-a")).toBe(1);
    expect(central.memberDoc("m-anna")?.multipacks[0]?.ledger.map((l) => [l.id, l.amount])).toEqual([
      ["gw-a:1", 1],
    ]);
    expect(central.remaining("mp-anna-swim")).toBe(9);
    expect(remainingAt(g.store, "m-anna", "mp-anna-swim")).toBe(9);
    // The echo is the next revision; the gateway applies it and the merge by id changes nothing.
    await wait(() => expect(syncState(g.store).lastRev).toBe(central.siteRev()));
    expect(central.siteRev()).toBe(3);
    expect(remainingAt(g.store, "m-anna", "mp-anna-swim")).toBe(9);

    // The door did not open: the event comes again with its refund; the central folds it once.
    recordRelayFailure(g.store, e, MONDAY_10 + 5000);
    g.client.poke();
    await wait(() => expect(central.remaining("mp-anna-swim")).toBe(10));
    await wait(() => expect(outboxDepth(g.store)).toBe(0));
    expect(central.events("gw-a")).toHaveLength(1);
    expect(central.events("gw-a").filter(isDecision)[0]?.relayFailed).toBe(true);
    expect(remainingAt(g.store, "m-anna", "mp-anna-swim")).toBe(10);
  });

  it("brings edits of the members file to the gateway: a block, then a member removed", async ({
    site,
    syncedGateway,
  }) => {
    const s = site("c2/v1");
    const central = s.make();
    await central.start();
    await central.whenSubscribed();
    const g = syncedGateway("c2/v1", "gw-b");
    await wait(() => expect(syncState(g.store).lastRev).toBe(2));
    expect(explain(g.store, scanReq("5550001", "gym"), FRIDAY_13)).toMatchObject({ decision: "grant" });

    const doc = exampleDoc<MembersDoc>("members.yaml");
    const carla = doc.members.find((m) => m.id === "m-carla") as Record<string, unknown>;
    carla.blocks = [{ reason: "debt", from: "2027-03-01", message: "Please see reception" }];
    s.writeMembers(doc);
    await wait(() =>
      expect(explain(g.store, scanReq("5550001", "gym"), FRIDAY_13)).toMatchObject({
        decision: "deny",
        reason: "member_blocked",
      }),
    );
    s.writeMembers({ members: doc.members.filter((m) => m.id !== "m-bruno") });
    await wait(() =>
      expect(explain(g.store, scanReq("7654321", "gym"), MONDAY_10).reason).toBe("unknown_card"),
    );
    expect(syncState(g.store).lastRev).toBe(4);
    await wait(() => expect(central.counters()).toMatchObject({ reloadsAccepted: 2, changesPublished: 4 }));

    // An edit the gateways would refuse is refused here: nothing is published.
    writeFileSync(
      s.membersFile,
      "members: [{ id: m-x, multipacks: [{ id: mp-x, product: nope, purchasedAt: 2027-03-01T10:00:00Z }] }]\n",
    );
    await wait(() => expect(central.counters().reloadsRefused).toBe(1));
    expect(central.siteRev()).toBe(4);
    expect(explain(g.store, scanReq("0001234567", "pool"), MONDAY_10).decision).toBe("grant");
  });

  it("renames a product in both files without the gateway refusing the config or the members", async ({
    site,
    syncedGateway,
  }) => {
    const s = site("c5/v1");
    const central = s.make();
    await central.start();
    await central.whenSubscribed();
    const g = syncedGateway("c5/v1", "gw-d");
    await wait(() => expect(syncState(g.store).lastRev).toBe(2));

    const conf = exampleDoc<{ products: { id: string }[] }>("site.yaml");
    conf.products = conf.products.map((p) => (p.id === "trial" ? { ...p, id: "trial-week" } : p));
    writeFileSync(s.siteFile, stringify(conf));
    const doc = exampleDoc<MembersDoc>("members.yaml");
    const carla = doc.members.find((m) => m.id === "m-carla") as { multipacks: { product: string }[] };
    (carla.multipacks[0] as { product: string }).product = "trial-week";
    s.writeMembers(doc);

    await wait(() => expect(g.store.siteConfig()?.products.map((p) => p.id)).not.toContain("trial"));
    await wait(() => expect(syncState(g.store).configRev).toBe(central.configRev()));
    expect(syncState(g.store).configRejected).toBeNull();
    expect(explain(g.store, scanReq("5550001", "gym"), FRIDAY_13)).toMatchObject({
      decision: "grant",
      productId: "trial-week",
    });
    // The union of both configs went first, then the members, then the new config.
    expect(central.configRev()).toBe(3);
  });

  it("relays one gateway's usage to another, and replays what a gateway missed while away", async ({
    site,
    syncedGateway,
  }) => {
    const s = site("c3/v1");
    const central = s.make();
    await central.start();
    await central.whenSubscribed();
    const a = syncedGateway("c3/v1", "gw-a");
    const b = syncedGateway("c3/v1", "gw-b");
    await wait(() => expect([syncState(a.store).lastRev, syncState(b.store).lastRev]).toEqual([2, 2]));

    // Bruno swims at peak time on gateway a: 2 credits of the 2 he had left.
    const swim = scan(a.store, scanReq("7654321", "pool"), MONDAY_18, "gw-a");
    expect(swim).toMatchObject({ decision: "grant", multipackId: "mp-bruno-swim", creditsDeducted: 2 });
    a.client.poke();
    await wait(() => expect(remainingAt(b.store, "m-bruno", "mp-bruno-swim")).toBe(0));
    expect(central.remaining("mp-bruno-swim")).toBe(0);
    // On gateway b he is inside by a's turnstile (R11 across the site's gateways). Out by b, in again
    // a quarter of an hour later it is the same visit (R5, anchored by the echoed entry); two hours
    // later the credits are gone.
    expect(explain(b.store, scanReq("7654321", "pool"), MONDAY_18 + 15 * 60_000).reason).toBe(
      "anti_passback",
    );
    scan(b.store, scanReq("7654321", "pool", "out"), MONDAY_18 + 10 * 60_000, "gw-b");
    expect(explain(b.store, scanReq("7654321", "pool"), MONDAY_18 + 15 * 60_000).reason).toBe("reentry");
    expect(explain(b.store, scanReq("7654321", "pool"), MONDAY_18 + 120 * 60_000).reason).toBe("no_credits");
    // The exit reaches the central (his presence, the next revision) and comes back to b.
    b.client.poke();
    await wait(() => expect(outboxDepth(b.store)).toBe(0));
    await wait(() => expect(syncState(b.store).lastRev).toBe(central.siteRev()));
    const rev = central.siteRev();

    // Gateway b goes away; an edit is made; back, it asks from its revision and gets a replay.
    await b.client.stop();
    const doc = exampleDoc<MembersDoc>("members.yaml");
    s.writeMembers({ members: doc.members.filter((m) => m.id !== "m-carla") });
    await wait(() => expect(central.siteRev()).toBe(rev + 1));
    const replaysBefore = central.counters().replays;
    // (A new broker session, so nothing it missed is queued for it: what it gets is the replay.)
    const b2 = syncedGateway("c3/v1", "gw-b", b.t, "gw-b-again");
    await wait(() => expect(syncState(b2.store).lastRev).toBe(rev + 1));
    expect(central.counters().replays).toBe(replaysBefore + 1);
    expect(explain(b2.store, scanReq("5550001", "gym"), FRIDAY_13).reason).toBe("unknown_card");
    expect(remainingAt(b2.store, "m-bruno", "mp-bruno-swim")).toBe(0);
  });

  it("gets events that were published while it was away: the broker kept them for its session", async ({
    site,
    syncedGateway,
  }) => {
    const s = site("c4/v1");
    const first = s.make();
    await first.start();
    await first.whenSubscribed();
    const g = syncedGateway("c4/v1", "gw-c");
    await wait(() => expect(syncState(g.store).lastRev).toBe(2));
    await first.stop();

    scan(g.store, scanReq("0001234567", "pool"), MONDAY_10, "gw-c");
    scan(g.store, scanReq("5550001", "gym"), MONDAY_10, "gw-c");
    g.client.poke();
    await wait(() => expect(g.client.publisher.counters().eventsPublished).toBeGreaterThanOrEqual(2));
    expect(outboxDepth(g.store)).toBe(2);

    const again = s.make();
    await again.start();
    await wait(() => expect(outboxDepth(g.store)).toBe(0));
    expect(again.events("gw-c").map((e) => e.seq)).toEqual([1, 2]);
    expect(again.watermark("gw-c")).toBe(2);
    expect(again.remaining("mp-anna-swim")).toBe(9);
  });
});
