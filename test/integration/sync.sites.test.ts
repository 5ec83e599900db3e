/**
 * sync.md "Sites with several gateways": two and three gateway daemons of one site with the
 * reference central on a real Mosquitto (test/harness/site.ts, the site of test/fixtures/lido).
 * Every scan goes through a simulated serial reader at one gateway; what another gateway makes of
 * it is seen in that gateway's own decisions. Each step waits until the central has acked the
 * events and every online gateway has applied the central's revision (`settled`), never a fixed
 * time.
 */
import { describe, expect, vi } from "vitest";
import type { SiteGateway } from "../../bench/siteRig.js";
import { listEvents } from "../../gateway/store/events.js";
import { it } from "../harness/index.js";
import { lidoMembers } from "../harness/site.js";

const ANNA = "1001";
const BRUNO = "1002";
const CARLA = "1003";
const DARIO = "1004";
const ELENA = "1005";
const HOUR = 3_600_000;

/** The members file with a second card for Anna and Bruno: both documents change. */
function withSecondCards(yaml: string): string {
  return yaml
    .replace(
      '[{ number: "1001", status: active }]',
      '[{ number: "1001", status: active }, { number: "2001", status: active }]',
    )
    .replace(
      '[{ number: "1002", status: active }]',
      '[{ number: "1002", status: active }, { number: "2002", status: active }]',
    );
}

const waitUntil = (probe: () => boolean) =>
  vi.waitFor(() => expect(probe()).toBe(true), { timeout: 5000, interval: 10 });

/** Decision and reason: what a member is told. */
const told = (e: { decision: string; reason: string }) => [e.decision, e.reason];

describe("a site with two gateways and the reference central", () => {
  it("R5/R16: a charged visit at A is seen at B: the credit is used there, and B lets her back in within the interval for free", async ({
    gatewaySite,
  }) => {
    const site = await gatewaySite({ prefix: "sites1/v1" });
    const { a, b } = site;

    const swim = await a.scan(ANNA, "pool");
    expect([swim.decision, swim.creditsDeducted]).toEqual(["grant", 1]);
    expect(told(await a.scan(ANNA, "pool", "out"))).toEqual(["grant", "exit"]);
    await site.settled();
    expect(b.credits("m-anna")).toBe(9);

    // R5: the entry at A anchors the 90-minute interval at B too.
    const back = await b.scan(ANNA, "pool");
    expect([back.decision, back.reason, back.creditsDeducted]).toEqual(["grant", "reentry", 0]);
    expect(told(await b.scan(ANNA, "pool", "out"))).toEqual(["grant", "exit"]);
    site.clock.advance(2 * HOUR);
    const later = await b.scan(ANNA, "pool");
    expect([later.decision, later.creditsDeducted]).toEqual(["grant", 1]);
    await site.settled();
    expect(a.credits("m-anna")).toBe(8);
    expect(b.credits("m-anna")).toBe(8);
  });

  it("R8: a free sauna visit at A uses up 'once a day' at B", async ({ gatewaySite }) => {
    const site = await gatewaySite({ prefix: "sites2/v1" });
    const { a, b } = site;

    const first = await a.scan(BRUNO, "sauna");
    expect([first.decision, first.creditsDeducted]).toEqual(["grant", 0]);
    await site.settled();
    expect(told(await b.scan(BRUNO, "sauna"))).toEqual(["deny", "limit_reached"]);
    // Another member's day is untouched.
    expect(told(await b.scan(CARLA, "sauna"))).toEqual(["grant", "ok"]);
  });

  it("R11/R12: in by A, he cannot enter again by B; out by B, he can enter by A", async ({ gatewaySite }) => {
    const site = await gatewaySite({ prefix: "sites3/v1" });
    const { a, b } = site;

    expect((await a.scan(BRUNO, "pool")).decision).toBe("grant");
    await site.settled();
    expect(told(await b.scan(BRUNO, "pool"))).toEqual(["deny", "anti_passback"]);
    expect(told(await b.scan(BRUNO, "pool", "out"))).toEqual(["grant", "exit"]);
    await site.settled();
    // A minute on: the same card at A's reader again at the same instant would be a repeated read.
    site.clock.advance(60_000);
    expect((await a.scan(BRUNO, "pool")).decision).toBe("grant");
  });

  it("R12: the studio's capacity counts members who came in by either gateway", async ({ gatewaySite }) => {
    const site = await gatewaySite({ prefix: "sites4/v1" });
    const { a, b } = site;

    expect((await a.scan(CARLA, "studio")).decision).toBe("grant");
    expect((await b.scan(DARIO, "studio")).decision).toBe("grant");
    await site.settled();
    expect(told(await a.scan(ELENA, "studio"))).toEqual(["deny", "area_full"]);
    expect(told(await b.scan(ELENA, "studio"))).toEqual(["deny", "area_full"]);
    // Carla leaves by B: there is room again at A.
    expect(told(await b.scan(CARLA, "studio", "out"))).toEqual(["grant", "exit"]);
    await site.settled();
    site.clock.advance(60_000);
    expect((await a.scan(ELENA, "studio")).decision).toBe("grant");
  });

  it("sync.md Undo: a relay failure at A takes the visit back at B, where the limit no longer denies", async ({
    gatewaySite,
    shelly,
  }) => {
    const relayA = await shelly("shelly-gw-a");
    await shelly("shelly-gw-b");
    const site = await gatewaySite({ prefix: "sites5/v1", doors: true });
    const { a, b } = site;

    // A grants the sauna; its relay holds the pulse while the visit travels to B.
    relayA.hold = true;
    const grant = await a.scan(BRUNO, "sauna");
    expect(grant.decision).toBe("grant");
    await site.settled(1500);
    expect(told(b.explain(BRUNO, "sauna"))).toEqual(["deny", "limit_reached"]);

    // The door did not open: A undoes the grant, and B hears of it.
    const pulse = relayA.held[0];
    if (!pulse) throw new Error("the Shelly got no pulse");
    await relayA.refuse(pulse);
    await waitUntil(() => listEvents(a.store).find((e) => e.id === grant.id)?.relayFailed === true);
    await site.settled();
    expect(told(b.explain(BRUNO, "sauna"))).toEqual(["grant", "ok"]);
    expect(told(await b.scan(BRUNO, "sauna"))).toEqual(["grant", "ok"]);
  });

  it("a gateway off the central for a day while the other records visits rejoins and converges: same visits, same decisions", async ({
    gatewaySite,
  }) => {
    const site = await gatewaySite({ prefix: "sites6/v1" });
    const { a, b } = site;

    b.uplink.cut();
    await waitUntil(() => b.daemon?.status().sync?.state !== "open");
    // A day passes without the central at B: the next day's visits are what must converge.
    site.clock.advance(24 * HOUR);
    // A: Bruno's sauna, Anna's swim (charged), Carla into the pool. B, cut off: Dario's sauna.
    expect((await a.scan(BRUNO, "sauna")).decision).toBe("grant");
    expect((await a.scan(ANNA, "pool")).creditsDeducted).toBe(1);
    expect(told(await a.scan(ANNA, "pool", "out"))).toEqual(["grant", "exit"]);
    expect((await a.scan(CARLA, "pool")).decision).toBe("grant");
    expect((await b.scan(DARIO, "sauna")).decision).toBe("grant");
    // B decides from what it knew: Bruno's sauna is still free there.
    expect(told(b.explain(BRUNO, "sauna"))).toEqual(["grant", "ok"]);
    // A's events are at the central and back at A; B, cut off, hears nothing of them.
    await site.settled();
    expect([a.credits("m-anna"), b.credits("m-anna")]).toEqual([9, 10]);
    site.clock.advance(HOUR);

    b.uplink.mend();
    await site.settled(15_000);
    const asked = [
      [BRUNO, "sauna"],
      [DARIO, "sauna"],
      [CARLA, "pool"],
      [ANNA, "pool"],
      [ELENA, "sauna"],
    ] as const;
    const decisions = (g: SiteGateway) =>
      asked.map(([card, area]) => {
        const d = g.explain(card, area);
        return [card, area, d.decision, d.reason, d.creditsDeducted];
      });
    expect(decisions(b)).toEqual(decisions(a));
    for (const g of [a, b]) expect(g.credits("m-anna")).toBe(9);
    expect(decisions(a)).toEqual([
      [BRUNO, "sauna", "deny", "limit_reached", 0],
      [DARIO, "sauna", "deny", "limit_reached", 0],
      [CARLA, "pool", "deny", "anti_passback", 0],
      // 70 minutes after her swim at A: a re-entry (R5), wherever she scans.
      [ANNA, "pool", "grant", "reentry", 0],
      [ELENA, "sauna", "grant", "ok", 0],
    ]);
  });
});

describe("a single gateway with a central that sends full ledgers and no visits", () => {
  it("works as before: its own visits, movements and charges still count after the central's documents replace the member", async ({
    gatewaySite,
  }) => {
    const site = await gatewaySite({ prefix: "sites7/v1", gateways: 1, olderCentral: true });
    const { a } = site;

    expect((await a.scan(BRUNO, "sauna")).decision).toBe("grant");
    expect((await a.scan(BRUNO, "pool")).decision).toBe("grant");
    expect((await a.scan(ANNA, "pool")).creditsDeducted).toBe(1);
    expect(told(await a.scan(ANNA, "pool", "out"))).toEqual(["grant", "exit"]);
    await site.settled();
    // The central re-published Anna (her ledger entry); now Anna and Bruno get a second card each.
    const before = site.central.siteRev();
    site.writeMembers(withSecondCards(lidoMembers()));
    await site.central.reload();
    await site.settled();
    expect(site.central.siteRev()).toBeGreaterThan(before);
    expect(site.central.memberDoc("m-bruno")?.cards).toHaveLength(2);
    // The documents came through: Bruno's new card opens the gym.
    expect(told(a.explain("2002", "gym"))).toEqual(["grant", "ok"]);

    // R16: her credit counted once; R5: back within the interval for free (past R17's 2 s).
    site.clock.advance(60_000);
    expect(a.credits("m-anna")).toBe(9);
    expect((await a.scan(ANNA, "pool")).reason).toBe("reentry");
    // R8 and R11 from the gateway's own history.
    expect(told(await a.scan(BRUNO, "sauna"))).toEqual(["deny", "limit_reached"]);
    expect(told(await a.scan(BRUNO, "pool"))).toEqual(["deny", "anti_passback"]);
  });
});

describe("a site with three gateways", () => {
  it("R16, R8: a visit at A is in force at B and at C, charged or free", async ({ gatewaySite }) => {
    const site = await gatewaySite({ prefix: "sites8/v1", gateways: 3 });
    const { a, b, c } = site;

    expect((await a.scan(ANNA, "pool")).creditsDeducted).toBe(1);
    expect((await a.scan(BRUNO, "sauna")).decision).toBe("grant");
    await site.settled();
    expect([b.credits("m-anna"), c.credits("m-anna")]).toEqual([9, 9]);
    expect(told(await b.scan(BRUNO, "sauna"))).toEqual(["deny", "limit_reached"]);
    expect(told(await c.scan(BRUNO, "sauna"))).toEqual(["deny", "limit_reached"]);
  });
});
