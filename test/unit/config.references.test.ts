import { describe, expect, it } from "vitest";
import { loadDataFiles } from "../../config/dataFile.js";
import {
  member,
  membersFile,
  onlyProblem,
  pack,
  problemsOf,
  type SiteDoc,
  siteDoc,
  storedSite,
} from "./configTestData.js";

/** The example site with one change, under the name site.yaml, validated with nothing stored. */
function siteWith(change: (doc: SiteDoc) => void): { name: string; value: SiteDoc } {
  const doc = siteDoc();
  change(doc);
  return { name: "site.yaml", value: doc };
}

describe("unknown references in member data", () => {
  it("names file, record path and field for an unknown product", () => {
    const list = [member({ id: "m-0" }), member({ id: "m-1", cards: [] }), member({ id: "m-2", cards: [] })];
    list.push(member({ id: "m-3", cards: [], multipacks: [pack({ product: "pool-11" })] }));
    expect(onlyProblem([membersFile(list)])).toBe(
      'members.yaml: members[3] (m-3).multipacks[0] (mp-1).product: unknown product "pool-11"',
    );
  });

  it("refuses an unknown card model held by a member", () => {
    const m = member({ cardModels: [{ model: "fin-2026", validFrom: "2027-01-01" }] });
    expect(onlyProblem([membersFile([m])])).toBe(
      'members.yaml: members[0] (m-1).cardModels[0] (fin-2026).model: unknown card model "fin-2026"',
    );
  });

  it("refuses a booking in an unknown area", () => {
    const b = {
      id: "b-1",
      area: "sauna",
      start: "2027-03-22T18:00:00+01:00",
      end: "2027-03-22T19:00:00+01:00",
    };
    expect(onlyProblem([membersFile([member({ bookings: [b] })])])).toBe(
      'members.yaml: members[0] (m-1).bookings[0] (b-1).area: unknown area "sauna"',
    );
  });

  it("R16: refuses a ledger entry naming an unknown area or access type", () => {
    const e = { id: "c:1", amount: 1, at: "2027-03-02T10:00:00Z", area: "sauna", accessType: "sauna-any" };
    expect(problemsOf([membersFile([member({ multipacks: [pack({ ledger: [e] })] })])])).toEqual([
      'members.yaml: members[0] (m-1).multipacks[0] (mp-1).ledger[0] (c:1).area: unknown area "sauna"',
      'members.yaml: members[0] (m-1).multipacks[0] (mp-1).ledger[0] (c:1).accessType: unknown access type "sauna-any"',
    ]);
  });

  it("accepts references to records declared in another file of the same import", () => {
    const product = { id: "pool-11", credits: 11, items: [{ accessType: "pool-offpeak", credits: 1 }] };
    const files = loadDataFiles(
      [
        { name: "products.yaml", value: { products: [product] } },
        membersFile([member({ multipacks: [pack({ product: "pool-11" })] })]),
      ],
      storedSite(),
    );
    expect(files.map((f) => f.name)).toEqual(["products.yaml", "members.yaml"]);
  });

  it("refuses a multipack id that already belongs to another stored member", () => {
    const owner = (id: string) => (id === "mp-1" ? "m-other" : undefined);
    expect(() =>
      loadDataFiles([membersFile([member({ multipacks: [pack()] })])], storedSite(), owner),
    ).toThrow(
      'members.yaml: members[0] (m-1).multipacks[0] (mp-1).id: multipack "mp-1" already belongs to member "m-other"',
    );
  });
});

describe("unknown references in the site configuration", () => {
  it("refuses an access type in an unknown area", () => {
    const input = siteWith((d) => {
      d.accessTypes.push({
        id: "spa-any",
        areas: ["spa"],
        windows: [{ days: ["mon"], from: "08:00", to: "20:00" }],
      });
    });
    expect(onlyProblem([input], null)).toBe(
      'site.yaml: accessTypes[4] (spa-any).areas[0]: unknown area "spa"',
    );
  });

  it("refuses a product item with an unknown access type", () => {
    const input = siteWith((d) => {
      d.products.push({ id: "spa5", credits: 5, items: [{ accessType: "spa-any", credits: 1 }] });
    });
    expect(onlyProblem([input], null)).toBe(
      'site.yaml: products[3] (spa5).items[0] (spa-any).accessType: unknown access type "spa-any"',
    );
  });

  it("refuses a product card model that is not declared when card models are declared", () => {
    const input = siteWith((d) => {
      d.cardModels = [{ id: "fin-2027" }];
      d.products.push({
        id: "fed",
        credits: 5,
        cardModels: ["fin-2026"],
        items: [{ accessType: "gym-all", credits: 1 }],
      });
    });
    expect(onlyProblem([input], null)).toBe(
      'site.yaml: products[3] (fed).cardModels[0]: unknown card model "fin-2026"',
    );
  });

  it("refuses a limit over unknown access types, areas and products, naming each", () => {
    const input = siteWith((d) => {
      d.limits = [
        { id: "l", amount: 1, period: "day", accessTypes: ["spa-any"], areas: ["spa"], products: ["spa5"] },
      ];
    });
    expect(problemsOf([input], null)).toEqual([
      'site.yaml: limits[0] (l).accessTypes[0]: unknown access type "spa-any"',
      'site.yaml: limits[0] (l).areas[0]: unknown area "spa"',
      'site.yaml: limits[0] (l).products[0]: unknown product "spa5"',
    ]);
  });

  it("R3: refuses a product for an access type requiring a card model when it lists none", () => {
    const input = siteWith((d) => {
      d.accessTypes.push({
        id: "fed-pool",
        areas: ["pool"],
        windows: [{ days: ["mon"], from: "08:00", to: "10:00" }],
        requiresCardModel: true,
      });
      d.products.push({ id: "fed", credits: 5, items: [{ accessType: "fed-pool", credits: 1 }] });
    });
    expect(onlyProblem([input], null)).toBe(
      'site.yaml: products[3] (fed).cardModels: access type "fed-pool" requires a card model but the product lists none',
    );
  });

  it("R12: refuses timed anti-passback without minutes", () => {
    const input = siteWith((d) => {
      d.areas.push({ id: "spa", antiPassback: { mode: "timed" } });
    });
    expect(onlyProblem([input], null)).toBe(
      'site.yaml: areas[3] (spa).antiPassback.minutes: missing (required when mode is "timed")',
    );
  });
});

describe("duplicate ids", () => {
  it("refuses a member id twice in one file", () => {
    expect(onlyProblem([membersFile([member(), member({ cards: [] })])])).toBe(
      'members.yaml: members[1] (m-1).id: duplicate member id "m-1" (first at members.yaml: members[0] (m-1).id)',
    );
  });

  it("refuses a member id twice across the files of one import", () => {
    const files = [membersFile([member()], "a.yaml"), membersFile([member({ cards: [] })], "b.yaml")];
    expect(onlyProblem(files)).toBe(
      'b.yaml: members[0] (m-1).id: duplicate member id "m-1" (first at a.yaml: members[0] (m-1).id)',
    );
  });

  it("R1: refuses one card number twice, compared canonically", () => {
    const list = [member({ id: "m-1", cards: [{ number: "0004215834" }] })];
    list.push(member({ id: "m-2", cards: [{ number: 4215834 }] }));
    expect(onlyProblem([membersFile(list)])).toBe(
      'members.yaml: members[1] (m-2).cards[0] (…5834).number: duplicate card number "4215834" (first at members.yaml: members[0] (m-1).cards[0] (…5834).number)',
    );
  });

  it("refuses a multipack id held by two members of one import", () => {
    const files = [
      membersFile([member({ multipacks: [pack()] })], "a.yaml"),
      membersFile([member({ id: "m-2", cards: [], multipacks: [pack()] })], "b.yaml"),
    ];
    expect(onlyProblem(files)).toBe(
      'b.yaml: members[0] (m-2).multipacks[0] (mp-1).id: duplicate multipack id "mp-1" (first at a.yaml: members[0] (m-1).multipacks[0] (mp-1).id)',
    );
  });

  it("R16: refuses a ledger entry id twice in one import", () => {
    const e = { id: "c:1", amount: 1, at: "2027-03-02T10:00:00Z" };
    const m = member({ multipacks: [pack({ ledger: [e, { ...e, amount: 2 }] })] });
    expect(onlyProblem([membersFile([m])])).toBe(
      'members.yaml: members[0] (m-1).multipacks[0] (mp-1).ledger[1] (c:1).id: duplicate ledger entry id "c:1" (first at members.yaml: members[0] (m-1).multipacks[0] (mp-1).ledger[0] (c:1).id)',
    );
  });

  it("refuses a booking id twice", () => {
    const b = {
      id: "b-1",
      area: "studio",
      start: "2027-03-22T18:00:00+01:00",
      end: "2027-03-22T19:00:00+01:00",
    };
    const list = [member({ bookings: [b] }), member({ id: "m-2", cards: [], bookings: [b] })];
    expect(onlyProblem([membersFile(list)])).toBe(
      'members.yaml: members[1] (m-2).bookings[0] (b-1).id: duplicate booking id "b-1" (first at members.yaml: members[0] (m-1).bookings[0] (b-1).id)',
    );
  });

  it("refuses an area id twice in one file", () => {
    const input = siteWith((d) => {
      d.areas.push({ id: "gym" });
    });
    expect(onlyProblem([input], null)).toBe(
      'site.yaml: areas[3] (gym).id: duplicate area id "gym" (first at site.yaml: areas[0] (gym))',
    );
  });

  it("refuses a product id declared in two files of one import", () => {
    const again = { id: "swim10", credits: 12, items: [{ accessType: "pool-offpeak", credits: 1 }] };
    const files = [
      { name: "site.yaml", value: siteDoc() },
      { name: "more.yaml", value: { products: [again] } },
    ];
    expect(onlyProblem(files, null)).toBe(
      'more.yaml: products[0] (swim10).id: duplicate product id "swim10" (first at site.yaml: products[0] (swim10))',
    );
  });

  it("accepts an id that is only stored already: an import upserts by id", () => {
    const again = { id: "swim10", credits: 12, items: [{ accessType: "pool-offpeak", credits: 1 }] };
    expect(loadDataFiles([{ name: "more.yaml", value: { products: [again] } }], storedSite())).toHaveLength(
      1,
    );
  });
});

describe("member data without a site", () => {
  it("refuses members when no site is stored and the import brings none", () => {
    expect(onlyProblem([membersFile([member()])], null)).toBe(
      "members.yaml: site: missing (no site is stored yet: the first import needs a site section)",
    );
  });

  it("accepts members imported together with the site that defines their products", () => {
    const m = member({ multipacks: [pack()] });
    const files = loadDataFiles([membersFile([m]), { name: "site.yaml", value: siteDoc() }], null);
    expect(files).toHaveLength(2);
  });
});

describe("multiple errors", () => {
  it("reports every reference problem of every file at once", () => {
    const a = membersFile([member({ multipacks: [pack({ product: "p1" })] })], "a.yaml");
    const b = membersFile(
      [member({ id: "m-2", cards: [], multipacks: [pack({ product: "p2" })] })],
      "b.yaml",
    );
    expect(problemsOf([a, b])).toEqual([
      'a.yaml: members[0] (m-1).multipacks[0] (mp-1).product: unknown product "p1"',
      'b.yaml: members[0] (m-2).multipacks[0] (mp-1).id: duplicate multipack id "mp-1" (first at a.yaml: members[0] (m-1).multipacks[0] (mp-1).id)',
      'b.yaml: members[0] (m-2).multipacks[0] (mp-1).product: unknown product "p2"',
    ]);
  });

  it("reports every field problem of every file at once, and says nothing was imported", () => {
    const a = membersFile([member({ nmae: "Ada", cards: [{ number: "1", status: "stolen" }] })], "a.yaml");
    const b = { name: "b.json", text: JSON.stringify({ members: [{ id: "m 2" }] }) };
    let message = "";
    try {
      loadDataFiles([a, b], storedSite());
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split("\n")).toEqual([
      "refused, nothing was imported (3 problems):",
      '  a.yaml: members[0] (m-1).cards[0].status: Invalid option: expected one of "active"|"blocked"|"lost" (found "stolen")',
      '  a.yaml: members[0] (m-1): unknown field "nmae" (did you mean "name"?)',
      '  b.json: members[0] ("m 2").id: expected an id of letters, digits and . _ : @ - (found "m 2")',
    ]);
  });
});
