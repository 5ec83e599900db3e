import fc from "fast-check";
import { describe, expect } from "vitest";
import { AccessGwError } from "../../config/errors.js";
import { importFiles } from "../../gateway/store/importer.js";
import { it } from "../harness/index.js";
import { exampleDoc, exampleText } from "../helpers/examples.js";
import { membersData } from "./memberArbitrary.js";
import { dump, freshStore, importExamples, importInputs } from "./storeHelpers.js";

type Doc = { members: Record<string, unknown>[] };

/** The error an import is refused with. */
function refusal(run: () => unknown): AccessGwError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(AccessGwError);
    return err as AccessGwError;
  }
  throw new Error("the import was accepted");
}

const renamedAnna = () => {
  const doc = exampleDoc<Doc>("members.yaml");
  (doc.members[0] as { name: string }).name = "Anna Renamed";
  return { name: "good.yaml", value: doc };
};

describe("import is all or nothing", () => {
  it("a set of files where one is bad changes nothing stored, and every problem is listed", ({
    exampleStore: store,
  }) => {
    const before = dump(store);
    const bad = {
      name: "bad.yaml",
      value: {
        members: [
          {
            id: "m-new",
            multipacks: [{ id: "mp-new", product: "pool-11", purchasedAt: "2027-03-01T10:00:00Z" }],
          },
          {
            id: "m-new2",
            bookings: [
              { id: "b", area: "sauna", start: "2027-03-01T10:00:00Z", end: "2027-03-01T11:00:00Z" },
            ],
          },
        ],
      },
    };
    const err = refusal(() => importInputs(store, [renamedAnna(), bad]));
    expect(err.code).toBe("DATA_INVALID");
    expect(err.problems).toEqual([
      'bad.yaml: members[0] (m-new).multipacks[0] (mp-new).product: unknown product "pool-11"',
      'bad.yaml: members[1] (m-new2).bookings[0] (b).area: unknown area "sauna"',
    ]);
    expect(dump(store)).toEqual(before);
  });

  it("a YAML syntax error in the last file keeps the site and members of the others out", ({ store: t }) => {
    const before = dump(t.store);
    const inputs = [
      { name: "site.yaml", text: exampleText("site.yaml") },
      { name: "members.yaml", text: exampleText("members.yaml") },
      { name: "broken.yaml", text: "members:\n  - id: [\n" },
    ];
    expect(refusal(() => importInputs(t.store, inputs)).problems[0]).toMatch(
      /^broken\.yaml \(line \d+, column \d+\)/,
    );
    expect(dump(t.store)).toEqual(before);
    expect(t.store.siteConfig()).toBeNull();
  });

  it("a failure while writing rolls back the files already written in that import", ({
    exampleStore: store,
  }) => {
    const before = dump(store);
    // A database-level failure on the last member of the second file.
    store.db.exec(
      "CREATE TRIGGER fail_member BEFORE INSERT ON members WHEN NEW.id = 'm-boom' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
    );
    const withTrigger = dump(store);
    const boom = { name: "boom.yaml", value: { members: [{ id: "m-ok" }, { id: "m-boom" }] } };
    expect(() => importInputs(store, [renamedAnna(), boom])).toThrow("disk on fire");
    expect(dump(store)).toEqual(withTrigger);
    store.db.exec("DROP TRIGGER fail_member");
    expect(dump(store)).toEqual(before);
    expect(store.siteConfig()?.site.id).toBe("rome-center");
  });
});

describe("upsert by id", () => {
  it("updates members, cards and multipacks in place instead of adding rows", ({ exampleStore: store }) => {
    const doc = exampleDoc<Doc>("members.yaml");
    const anna = doc.members[0] as { name: string; cards: unknown[]; multipacks: { status: string }[] };
    anna.name = "Anna B.";
    anna.cards = [{ number: "0001234567", status: "blocked" }, { number: "42" }];
    (anna.multipacks[0] as { status: string }).status = "stored";
    importInputs(store, [{ name: "members.yaml", value: { members: [anna] } }]);
    const db = store.db;
    expect(db.prepare("SELECT count(*) AS n FROM members").get()).toEqual({ n: 4 });
    expect(db.prepare("SELECT name FROM members WHERE id = 'm-anna'").get()).toEqual({ name: "Anna B." });
    expect(
      db.prepare("SELECT canonical, status FROM cards WHERE member_id = 'm-anna' ORDER BY canonical").all(),
    ).toEqual([
      { canonical: "1234567", status: "blocked" },
      { canonical: "42", status: "active" },
    ]);
    expect(db.prepare("SELECT status FROM multipacks WHERE id = 'mp-anna-swim'").get()).toEqual({
      status: "stored",
    });
  });

  it("replaces a member's cards whole: a card left out of the new data no longer opens doors", ({
    exampleStore: store,
  }) => {
    importInputs(store, [
      { name: "m.yaml", value: { members: [{ id: "m-anna", cards: [{ number: "999" }] }] } },
    ]);
    const cards = store.db.prepare("SELECT canonical FROM cards WHERE member_id = 'm-anna'").all();
    expect(cards).toEqual([{ canonical: "999" }]);
    // A member file that leaves out a multipack does not delete it (upsert, never deletion).
    expect(store.db.prepare("SELECT count(*) AS n FROM multipacks WHERE member_id = 'm-anna'").get()).toEqual(
      { n: 1 },
    );
  });

  it("upserts site records by id and the next read sees the new configuration", ({ exampleStore: store }) => {
    expect(store.siteConfig()?.products.find((p) => p.id === "swim10")?.credits).toBe(10);
    const swim12 = { id: "swim10", credits: 12, items: [{ accessType: "pool-offpeak", credits: 1 }] };
    importInputs(store, [{ name: "p.yaml", value: { products: [swim12] } }]);
    const products = store.siteConfig()?.products ?? [];
    expect(products.map((p) => p.id)).toEqual(["gymflex", "swim10", "trial"]);
    expect(products.find((p) => p.id === "swim10")?.credits).toBe(12);
  });

  it("reports what it changed", ({ store: t }) => {
    expect(importExamples(t.store)).toEqual({
      files: 2,
      site: true,
      areas: 3,
      accessTypes: 4,
      products: 3,
      limits: 1,
      cardModels: 0,
      members: 4,
      multipacks: 5,
      ledgerAdded: 1,
      ledgerKnown: 0,
    });
  });
});

describe("re-importing the same files", () => {
  it("R16: changes nothing the second time", ({ exampleStore: store }) => {
    const once = dump(store);
    const summary = importExamples(store);
    expect(dump(store)).toEqual(once);
    expect(summary).toMatchObject({ ledgerAdded: 0, ledgerKnown: 1 });
  });

  it("R16: changes nothing the second time, whatever the member data (property)", () => {
    fc.assert(
      fc.property(membersData, (list) => {
        const run = freshStore();
        try {
          importInputs(run.store, [{ name: "site.yaml", text: exampleText("site.yaml") }]);
          const input = [{ name: "members.yaml", value: { members: list } }];
          importInputs(run.store, input);
          const once = dump(run.store);
          importInputs(run.store, input);
          expect(dump(run.store)).toEqual(once);
        } finally {
          run.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it("importFiles alone is idempotent for already validated files", ({ exampleStore: store }) => {
    const files = [{ name: "site.yaml", data: { site: store.siteConfig()?.site } }];
    const once = dump(store);
    importFiles(store, files);
    expect(dump(store)).toEqual(once);
  });
});
