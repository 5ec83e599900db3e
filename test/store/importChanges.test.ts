import { describe, expect } from "vitest";
import { ChangeSet, MAX_LISTED_CHANGES, reportLines } from "../../gateway/store/changeSet.js";
import type { Store } from "../../gateway/store/db.js";
import { importDataFiles } from "../../gateway/store/fileImport.js";
import { diffSiteConfig } from "../../gateway/store/recordDiff.js";
import { it } from "../harness/index.js";
import { exampleDoc } from "../helpers/examples.js";

type Doc = Record<string, unknown>;
type SiteDoc = { site: Doc; areas: Doc[]; accessTypes: Doc[]; products: Doc[]; limits: Doc[] };
type MembersDoc = { members: Doc[] };

const site = () => exampleDoc<SiteDoc>("site.yaml");
const members = () => exampleDoc<MembersDoc>("members.yaml");
const byId = <T extends Doc>(list: T[], id: string) => list.find((r) => r.id === id) as T;

/** Imports documents and returns the lines `accessgw import` prints under its summary. */
async function changed(store: Store, ...docs: object[]): Promise<string[]> {
  const summary = await importDataFiles(
    store,
    docs.map((value, i) => ({ name: `f${i}.yaml`, value })),
  );
  return reportLines(summary.changes ?? { listed: [], counts: {}, notListed: 0 });
}

describe("import says what changed, by id (issue 10 §7)", () => {
  it("lists what a first import added, and nothing changed when the same files come again", async ({
    store: t,
  }) => {
    const first = await changed(t.store, site(), members());
    expect(first).toContain("site rome-center added");
    expect(first).toContain("access type pool-peak added");
    expect(first).toContain("member m-dario added");
    expect(await changed(t.store, site(), members())).toEqual(["nothing changed"]);
  });

  it("names a window added and removed, an item's priority and an area's capacity", async ({ store: t }) => {
    await changed(t.store, site(), members());
    const doc = site();
    const peak = byId(doc.accessTypes, "pool-peak");
    peak.windows = [{ days: ["tue"], from: "07:00", to: "09:00" }];
    const items = byId(doc.products, "swim10").items as Doc[];
    (items[1] as Doc).priority = 2;
    byId(doc.areas, "pool").capacity = 40;
    expect(await changed(t.store, doc)).toEqual([
      "area pool: capacity (none) → 40",
      "access type pool-peak: window tue 07:00–09:00 added",
      "access type pool-peak: window mon,tue,wed,thu,fri 17:00–21:00 removed",
      "product swim10: item pool-peak priority 1 → 2",
    ]);
  });

  it("names a member's block added and lifted, a card added and removed (last 4 digits), a multipack added and changed", async ({
    store: t,
  }) => {
    await changed(t.store, site(), members());
    const doc = members();
    const dario = byId(doc.members, "m-dario");
    dario.blocks = [{ reason: "debt", from: "2027-03-01", message: "Please see reception" }];
    dario.cards = [{ number: "0009998887" }];
    const packs = dario.multipacks as Doc[];
    (packs[0] as Doc).validUntil = "2027-12-31";
    packs.push({ id: "mp-dario-swim", product: "swim10", purchasedAt: "2027-03-02T10:00:00+01:00" });
    expect(await changed(t.store, { members: [dario] })).toEqual([
      "member m-dario: card …8887 added",
      "member m-dario: card …0002 removed",
      "member m-dario: multipack mp-dario-flex validUntil (none) → 2027-12-31",
      "member m-dario: multipack mp-dario-swim added",
      "member m-dario: block debt from 2027-03-01 added",
    ]);
    dario.blocks = [];
    expect(await changed(t.store, { members: [dario] })).toEqual([
      "member m-dario: block debt from 2027-03-01 removed",
    ]);
  });

  it("gives the same changes as structured records for --json", async ({ store: t }) => {
    await changed(t.store, site(), members());
    const doc = site();
    ((byId(doc.products, "swim10").items as Doc[])[1] as Doc).priority = 2;
    const summary = await importDataFiles(t.store, [{ name: "site.yaml", value: doc }]);
    expect(summary.changes).toEqual({
      listed: [
        {
          kind: "products",
          id: "swim10",
          op: "changed",
          part: "item",
          key: "pool-peak",
          field: "priority",
          from: 1,
          to: 2,
        },
      ],
      counts: { products: { added: 0, removed: 0, changed: 1 } },
      notListed: 0,
    });
  });

  it(`lists the first ${MAX_LISTED_CHANGES} changes of a big import and counts all of them`, async ({
    store: t,
  }) => {
    await changed(t.store, site());
    const many = Array.from({ length: MAX_LISTED_CHANGES + 50 }, (_, i) => ({ id: `m-${i}` }));
    const lines = await changed(t.store, { members: many });
    expect(lines).toHaveLength(MAX_LISTED_CHANGES + 1);
    expect(lines.at(-1)).toBe(`… and 50 more changes (members: ${MAX_LISTED_CHANGES + 50} added)`);
  });

  it("says nothing changed for an import that only repeats known ledger entries (R16)", async ({
    store: t,
  }) => {
    await changed(t.store, site(), members());
    const again = await importDataFiles(t.store, [{ name: "members.yaml", value: members() }]);
    expect(again).toMatchObject({ members: 4, ledgerAdded: 0, ledgerKnown: 1 });
    expect(again.changes).toEqual({ listed: [], counts: {}, notListed: 0 });
  });
});

describe("a synced config's changes (sync.md config: applied whole)", () => {
  it("names records the new config leaves out as removed", async ({ store: t }) => {
    await changed(t.store, site());
    const before = t.store.siteConfig();
    const after = structuredClone(before);
    if (!after || !before) throw new Error("no site stored");
    after.limits = [];
    after.site = { ...after.site, timezone: "Europe/Berlin" };
    const changes = new ChangeSet();
    diffSiteConfig(before, after, changes);
    expect(reportLines(changes.report())).toEqual([
      "site rome-center: timezone Europe/Rome → Europe/Berlin",
      "limit studio-3-a-week removed",
    ]);
  });
});
