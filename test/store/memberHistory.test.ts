/**
 * sync.md "Sites with several gateways": the visits in member documents (every gateway of the site,
 * and for a chain its other sites) merged into the cache and decided with (R5, R7, R8, R20).
 */
import { describe, expect } from "vitest";
import { Member } from "../../config/members.js";
import { explain, scan } from "../../gateway/decisions.js";
import { loadVisits } from "../../gateway/store/facts.js";
import { recordRelayFailure } from "../../gateway/store/relayFailure.js";
import { applyMembers } from "../../gateway/store/syncMembers.js";
import { test } from "../harness/index.js";
import { ANNA, apply, BRUNO, bruno, decided, iso, row, T, visit, visitIds } from "./memberDocs.js";
import { importInputs, scanReq } from "./storeHelpers.js";

/** The worked example with one more limit: one pool visit a day, whoever made it and wherever. */
const it = test.extend("poolOnceADay", ({ exampleStore: store }) => {
  importInputs(store, [
    {
      name: "limits.yaml",
      value: { limits: [{ id: "pool-1-a-day", amount: 1, period: "day", areas: ["pool"] }] },
    },
  ]);
  return store;
});

describe("visits from member documents", () => {
  it("R8: a free visit at the site's other gateway makes a 1-a-day pool limit deny here", ({
    poolOnceADay: store,
  }) => {
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("grant ok");
    apply(store, bruno({ visits: [visit("gw-2:7", "09:00")] }));
    expect(scan(store, scanReq(BRUNO, "pool"), T("10:00"), "gw-1")).toMatchObject({
      decision: "deny",
      reason: "limit_reached",
    });
  });

  it("R7: a daily allowance used at the other gateway: the pool visit here is paid by swim10", ({
    exampleStore: store,
  }) => {
    expect(explain(store, scanReq(BRUNO, "pool"), T("10:00"))).toMatchObject({
      multipackId: "mp-bruno-flex",
    });
    apply(store, bruno({ visits: [visit("gw-2:7", "09:00")] }));
    expect(explain(store, scanReq(BRUNO, "pool"), T("10:00"))).toMatchObject({
      decision: "grant",
      multipackId: "mp-bruno-swim",
      creditsDeducted: 1,
    });
  });

  it("sync.md: the document's visits replace the central's ones; this gateway's own visit is kept until a document lists it", ({
    poolOnceADay: store,
  }) => {
    // The example's ledger usage entry made a visit when it was imported (an older central's way).
    expect(visitIds(store)).toEqual(["central:b1"]);
    const own = scan(store, scanReq(BRUNO, "gym"), T("08:00"), "gw-1");
    apply(store, bruno({ visits: [visit("gw-2:7", "09:00")] }));
    // central:b1 is not listed any more: gone; gw-1's own visit is not echoed yet: kept.
    expect(visitIds(store)).toEqual([own.id, "gw-2:7"]);
    expect(row(store, "SELECT local FROM visits WHERE id = ?", own.id)).toEqual({ local: 1 });

    apply(store, bruno({ visits: [visit(own.id, "08:00", { area: "gym", accessType: "gym-all" })] }));
    expect(visitIds(store)).toEqual([own.id]);
    expect(row(store, "SELECT local, site FROM visits WHERE id = ?", own.id)).toEqual({
      local: 0,
      site: null,
    });
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("grant ok");

    // Echoed once, it is the central's: a document that no longer lists it drops it.
    apply(store, bruno({ visits: [] }));
    expect(visitIds(store)).toEqual([]);
  });

  it("R5, R16: a charged visit at the other gateway, listed with its usage entry, counts once and anchors the interval here", ({
    exampleStore: store,
  }) => {
    const anna = Member.parse({
      id: "m-anna",
      cards: [{ number: ANNA }],
      multipacks: [
        {
          id: "mp-anna-swim",
          product: "swim10",
          purchasedAt: "2027-03-01T18:00:00+01:00",
          ledger: [{ id: "gw-2:8", amount: 1, at: iso("09:00"), area: "pool", accessType: "pool-offpeak" }],
        },
      ],
      visits: [visit("gw-2:8", "09:00", { multipack: "mp-anna-swim", product: "swim10", credits: 1 })],
    });
    apply(store, anna);
    expect(loadVisits(store, "m-anna", 0, "rome-center")).toEqual([
      expect.objectContaining({ id: "gw-2:8", multipackId: "mp-anna-swim", credits: 1, site: "rome-center" }),
    ]);
    // R5: the charged entry at gw-2 anchors swim10's 90-minute interval here too.
    expect(explain(store, scanReq(ANNA, "pool"), T("10:00"))).toMatchObject({
      reason: "reentry",
      creditsDeducted: 0,
    });
  });

  it("R5, R20: a charged visit at another site of the chain, in an area of the same id, anchors no re-entry here", ({
    exampleStore: store,
  }) => {
    const turin = visit("turin:8", "09:30", {
      site: "turin-lingotto",
      multipack: "mp-anna-swim",
      product: "swim10",
      credits: 1,
    });
    const anna = Member.parse({
      id: "m-anna",
      cards: [{ number: ANNA }],
      multipacks: [
        {
          id: "mp-anna-swim",
          product: "swim10",
          purchasedAt: "2027-03-01T18:00:00+01:00",
          ledger: [{ id: "turin:8", amount: 1, at: turin.at, area: "pool", accessType: "pool-offpeak" }],
        },
      ],
      visits: [turin],
    });
    apply(store, anna);
    expect(explain(store, scanReq(ANNA, "pool"), T("10:00"))).toMatchObject({
      reason: "ok",
      creditsDeducted: 1,
    });
  });

  it("sync.md: undone is sticky: a document marking a visit undone frees the limit, and a later copy without the mark changes nothing", ({
    poolOnceADay: store,
  }) => {
    apply(store, bruno({ visits: [visit("gw-2:7", "09:00")] }));
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("deny limit_reached");
    apply(store, bruno({ visits: [visit("gw-2:7", "09:00", { undone: true })] }));
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("grant ok");
    apply(store, bruno({ visits: [visit("gw-2:7", "09:00")] }));
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("grant ok");
    expect(row(store, "SELECT undone FROM visits WHERE id = 'gw-2:7'")).toEqual({ undone: 1 });
  });

  it("sync.md, D2: an own grant undone here stays undone when a stale document lists its visit as not undone", ({
    poolOnceADay: store,
  }) => {
    const own = scan(store, scanReq(BRUNO, "pool"), T("09:00"), "gw-1");
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("deny limit_reached");
    recordRelayFailure(store, own, T("09:00") + 1500);
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("grant ok");
    apply(store, bruno({ visits: [visit(own.id, "09:00")] }));
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("grant ok");
    expect(row(store, "SELECT undone, local FROM visits WHERE id = ?", own.id)).toEqual({
      undone: 1,
      local: 0,
    });
  });

  it("R20: a visit at another site of the chain is stored with its site and counted by an away limit here, its areas not refused", ({
    exampleStore: store,
  }) => {
    importInputs(store, [
      {
        name: "limits.yaml",
        value: { limits: [{ id: "away-1-a-month", amount: 1, period: "month", at: "away" }] },
      },
    ]);
    const turin = visit("turin:41", "08:00", {
      site: "turin-lingotto",
      area: "spa",
      accessType: "spa-all",
      multipack: "mp-bruno-swim",
      product: "swim10",
      credits: 1,
    });
    const doc = bruno({ homeSite: "milan-north", visits: [turin] });
    // The charged visit's usage entry names Turin's area and access type, unknown at rome-center.
    doc.multipacks[1]?.ledger.push({
      id: "turin:41",
      amount: 1,
      at: turin.at,
      area: "spa",
      accessType: "spa-all",
    });
    apply(store, doc);
    expect(row(store, "SELECT site FROM visits WHERE id = 'turin:41'")).toEqual({ site: "turin-lingotto" });
    expect(loadVisits(store, "m-bruno", 0, "rome-center").map((v) => v.site)).toEqual(["turin-lingotto"]);
    expect(decided(store, BRUNO, "gym", "10:00")).toBe("deny limit_reached");
    // At his home club the away limit does not apply.
    apply(store, { ...doc, homeSite: "rome-center" });
    expect(decided(store, BRUNO, "gym", "10:00")).toBe("grant ok");
  });

  it("a usage entry naming an area unknown here is still refused without a visit of another site for it", ({
    exampleStore: store,
  }) => {
    const doc = bruno({ visits: [] });
    doc.multipacks[1]?.ledger.push({ id: "x:1", amount: 1, at: iso("08:00"), area: "spa" });
    const out = applyMembers(store, [doc], [], { name: "changes" });
    expect(out.problems).toEqual([
      'changes: members[0] (m-bruno).multipacks[1] (mp-bruno-swim).ledger[1] (x:1).area: unknown area "spa"',
    ]);
  });

  it("an older central's document (no visits) behaves as before: usage entries make visits, own visits stay", ({
    poolOnceADay: store,
  }) => {
    const own = scan(store, scanReq(BRUNO, "gym"), T("08:00"), "gw-1");
    const doc = bruno();
    doc.multipacks[1]?.ledger.push({
      id: "gw-2:9",
      amount: 1,
      at: iso("09:00"),
      area: "pool",
      accessType: "pool-offpeak",
    });
    apply(store, doc);
    expect(visitIds(store)).toEqual(["central:b1", own.id, "gw-2:9"]);
    // R5: within swim10's 90 minutes it is a re-entry; after them the day's pool visit is used.
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("grant reentry");
    expect(decided(store, BRUNO, "pool", "11:00")).toBe("deny limit_reached");
  });

  it("R8: a visit of this site in an area this gateway does not know yet is kept and counted by a limit on every area", ({
    exampleStore: store,
  }) => {
    importInputs(store, [
      { name: "limits.yaml", value: { limits: [{ id: "2-a-day", amount: 2, period: "day" }] } },
    ]);
    apply(
      store,
      bruno({
        visits: [
          visit("gw-2:30", "08:00", { area: "sauna", accessType: "sauna-all" }),
          visit("gw-2:31", "09:00"),
        ],
      }),
    );
    expect(visitIds(store)).toEqual(["gw-2:30", "gw-2:31"]);
    expect(decided(store, BRUNO, "gym", "10:00")).toBe("deny limit_reached");
  });

  it("sync.md: a multipack the document drops keeps the visits the document still lists", ({
    poolOnceADay: store,
  }) => {
    const charged = visit("gw-2:8", "09:00", { multipack: "mp-bruno-swim", product: "swim10", credits: 1 });
    const doc = bruno({ visits: [charged] });
    doc.multipacks[1]?.ledger.push({ id: "gw-2:8", amount: 1, at: charged.at, area: "pool" });
    apply(store, doc);
    apply(store, { ...doc, multipacks: doc.multipacks.slice(0, 1) });
    expect(row(store, "SELECT count(*) AS n FROM multipacks WHERE id = 'mp-bruno-swim'")).toEqual({ n: 0 });
    expect(visitIds(store)).toEqual(["gw-2:8"]);
    expect(decided(store, BRUNO, "pool", "11:00")).toBe("deny limit_reached");
  });

  it("accessgw import of a file with visits merges them as a sync does", ({ poolOnceADay: store }) => {
    const doc = bruno({ visits: [visit("gw-2:7", "09:00")] });
    importInputs(store, [{ name: "members.yaml", value: { members: [doc] } }]);
    expect(visitIds(store)).toEqual(["gw-2:7"]);
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("deny limit_reached");
  });
});
