/**
 * sync.md "Features" and "History horizon" at the central: documents shaped by what a gateway (or
 * every gateway of a site) said in its hello, and configurations withheld from gateways that would
 * decide them wrong.
 */
import { describe, expect, it } from "vitest";
import { configRefusers, docShaper, gatewayCapability, siteCapability } from "../../central/docShape.js";
import type { SiteConfigDoc } from "../../central/memberDocs.js";
import { Member } from "../../config/members.js";
import { HelloMessage, SiteConfigDocument } from "../../config/protocol/payloads.js";
import { at } from "../helpers/build.js";
import { exampleDoc } from "../helpers/examples.js";

const CONFIG: SiteConfigDoc = SiteConfigDocument.parse(exampleDoc("site.yaml"));
const NOW = at("2027-03-26T12:00");

function hello(gatewayId: string, more: { features?: string[]; historyDays?: number | null } = {}) {
  return HelloMessage.parse({
    gatewayId,
    siteId: "rome-center",
    lastRev: 0,
    configRev: 0,
    version: "1.0.0",
    outbox: { firstSeq: null, lastSeq: null },
    ...more,
  });
}

/** Ada with a swim10 pack used over March, a gymflex pack, two visits and a presence. */
const ADA = Member.parse({
  id: "m-ada",
  multipacks: [
    {
      id: "mp-swim",
      product: "swim10",
      purchasedAt: "2027-02-28T09:00:00+01:00",
      ledger: [
        { id: "c:1", amount: 2, at: "2027-03-02T10:00:00Z" },
        { id: "c:2", amount: 5, at: "2027-03-03T10:00:00Z", kind: "addition" },
        { id: "c:3", amount: -1, at: "2027-03-04T10:00:00Z", kind: "refund" },
        { id: "c:4", amount: 1, at: "2027-03-05T10:00:00Z", kind: "deduction" },
        { id: "gw-1:7", amount: 1, at: "2027-03-25T10:00:00+01:00", area: "pool" },
      ],
    },
    { id: "mp-flex", product: "gymflex", purchasedAt: "2027-03-01T09:00:00+01:00" },
  ],
  visits: [
    {
      id: "gw-1:3",
      site: "rome-center",
      at: "2027-03-10T10:00:00+01:00",
      area: "gym",
      accessType: "gym-all",
      multipack: "mp-flex",
      product: "gymflex",
      credits: 0,
    },
    {
      id: "gw-1:7",
      site: "rome-center",
      at: "2027-03-25T10:00:00+01:00",
      area: "pool",
      accessType: "pool-offpeak",
      multipack: "mp-swim",
      product: "swim10",
      credits: 1,
    },
  ],
  presence: [{ area: "pool", direction: "in", at: "2027-03-25T10:00:00+01:00", eventId: "gw-1:7" }],
});

const shaped = (cap: ReturnType<typeof gatewayCapability>, config = CONFIG) =>
  JSON.parse(docShaper(cap, config, NOW)(JSON.stringify(ADA))) as Member;

describe("sync.md Features: what a gateway gets", () => {
  it("a gateway without the visits feature gets no visits and no presence, and full ledgers", () => {
    const doc = shaped(gatewayCapability(hello("gw-old", { historyDays: 7 })));
    expect(doc).not.toHaveProperty("visits");
    expect(doc).not.toHaveProperty("presence");
    expect(doc.multipacks[0]?.ledger).toHaveLength(5);
    expect(doc.multipacks[0]).not.toHaveProperty("ledgerBefore");
  });

  it("a gateway with visits but without historyHorizon gets every visit and full ledgers", () => {
    const doc = shaped(gatewayCapability(hello("gw-v", { features: ["visits"], historyDays: 7 })));
    expect(doc.visits?.map((v) => v.id)).toEqual(["gw-1:3", "gw-1:7"]);
    expect(doc.presence).toHaveLength(1);
    expect(doc.multipacks[0]?.ledger).toHaveLength(5);
  });

  it("R16: with historyHorizon and historyDays, older entries fold into ledgerBefore and older visits go", () => {
    const doc = shaped(
      gatewayCapability(hello("gw-new", { features: ["visits", "historyHorizon"], historyDays: 7 })),
    );
    // The horizon starts at local midnight seven days back: 2027-03-19 in Rome.
    expect(doc.multipacks[0]).toMatchObject({
      ledger: [{ id: "gw-1:7" }],
      // Additions apart; usage 2, refund −1 and deduction 1 in used.
      ledgerBefore: { used: 2, added: 5, through: "2027-03-18T23:00:00.000Z" },
    });
    expect(doc.multipacks[1]).not.toHaveProperty("ledgerBefore");
    expect(doc.visits?.map((v) => v.id)).toEqual(["gw-1:7"]);
  });

  it("R16: remaining credits are the same in the folded document as in the full one", () => {
    const remaining = (m: Member) => {
      const mp = m.multipacks[0];
      let r = 10 + (mp?.ledgerBefore?.added ?? 0) - (mp?.ledgerBefore?.used ?? 0);
      for (const e of mp?.ledger ?? []) r += e.kind === "addition" ? e.amount : -e.amount;
      return r;
    };
    const folded = shaped(
      gatewayCapability(hello("gw-new", { features: ["historyHorizon"], historyDays: 7 })),
    );
    expect(remaining(folded)).toBe(remaining(ADA));
  });

  it("keeps the full ledger of a pack valid from its first use (the first use is in it, R2)", () => {
    const config = {
      ...CONFIG,
      products: CONFIG.products.map((p) =>
        p.id === "swim10" ? { ...p, validity: { fromFirstUse: { months: 3 } } } : p,
      ),
    };
    const doc = shaped(
      gatewayCapability(hello("gw-new", { features: ["historyHorizon"], historyDays: 7 })),
      config as SiteConfigDoc,
    );
    expect(doc.multipacks[0]?.ledger).toHaveLength(5);
  });

  it("a gateway stating no horizon (null) gets everything; a document with nothing to shape goes as it is", () => {
    const doc = shaped(
      gatewayCapability(hello("gw-all", { features: ["visits", "historyHorizon"], historyDays: null })),
    );
    expect(doc.multipacks[0]?.ledger).toHaveLength(5);
    const plain = '{"id":"m-x","cards":[],"multipacks":[]}';
    expect(docShaper(gatewayCapability(hello("gw-old")), CONFIG, NOW)(plain)).toBe(plain);
  });
});

describe("sync.md Features: a site's changes go to its least capable gateway", () => {
  it("intersects the features and takes the longest horizon; one without a horizon needs all history", () => {
    const cap = siteCapability([
      hello("a", { features: ["visits", "historyHorizon", "homeSite"], historyDays: 7 }),
      hello("b", { features: ["historyHorizon", "homeSite"], historyDays: 31 }),
    ]);
    expect([...cap.features].sort()).toEqual(["historyHorizon", "homeSite"]);
    expect(cap.historyDays).toBe(31);
    expect(siteCapability([hello("a", { historyDays: 7 }), hello("b")]).historyDays).toBeNull();
    expect(siteCapability([])).toEqual({ features: new Set(), historyDays: null });
  });
});

describe("R20 and sync.md Features: a configuration with limits[].at", () => {
  const homeOnly = SiteConfigDocument.parse({
    ...exampleDoc<{ limits: unknown[] }>("site.yaml"),
    limits: [{ id: "home-pool", amount: 1, period: "day", at: "home" }],
  });

  it("names the gateways without homeSite, and none when the config has no at: home | away", () => {
    const hellos = [
      hello("gw-1", { features: ["homeSite"] }),
      hello("gw-2", { features: ["commands"] }),
      hello("gw-3"),
    ];
    expect(configRefusers(homeOnly, hellos)).toEqual(["gw-2", "gw-3"]);
    expect(configRefusers(CONFIG, hellos)).toEqual([]);
  });
});
