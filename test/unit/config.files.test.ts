import { describe, expect, it } from "vitest";
import { loadDataFiles, parseText } from "../../config/dataFile.js";
import { AccessGwError } from "../../config/errors.js";
import { EXAMPLES, exampleText } from "../helpers/examples.js";
import { member, onlyProblem, problemsOf, storedSite } from "./configTestData.js";

describe("YAML files", () => {
  it("names the file, line and column of a syntax error", () => {
    const text = "members:\n  - id: m-1\n    cards: [{ number: 1\n";
    expect(onlyProblem([{ name: "members.yaml", text }])).toMatch(
      /^members\.yaml \(line 4, column 1\): Flow map in block collection must be sufficiently indented/,
    );
  });

  it("names the line of a bad indentation", () => {
    const text = "members:\n  - id: m-1\n name: Ada\n";
    expect(onlyProblem([{ name: "members.yaml", text }])).toMatch(/^members\.yaml \(line 3, column \d+\): /);
  });

  it("refuses a key given twice in one mapping, with its line", () => {
    const text = "members:\n  - id: m-1\n    name: Ada\n    name: Bea\n";
    expect(onlyProblem([{ name: "members.yaml", text }])).toMatch(
      /^members\.yaml \(line 4, column 5\): Map keys must be unique/,
    );
  });

  it.each([
    ["nothing", ""],
    ["only a comment and blank lines", "# members follow\n\n"],
  ])("refuses a file holding %s as an empty file, saying what was expected", (_what, text) => {
    expect(onlyProblem([{ name: "empty.yaml", text }])).toBe(
      "empty.yaml: empty file: expected site configuration and/or members (site, areas, accessTypes, products, limits, cardModels, members)",
    );
  });

  it("refuses a file that cannot be read, naming it", () => {
    expect(onlyProblem([{ name: `${EXAMPLES}missing.yaml` }])).toBe(
      `${EXAMPLES}missing.yaml: cannot read the file (ENOENT)`,
    );
  });

  it("reports a syntax error in one file together with field errors in another", () => {
    const bad = { name: "a.yaml", text: "members: [\n" };
    const typo = { name: "b.yaml", value: { members: [member({ nmae: "Ada" })] } };
    const problems = problemsOf([bad, typo]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^a\.yaml \(line \d+, column \d+\): /);
    expect(problems[1]).toBe('b.yaml: members[0] (m-1): unknown field "nmae" (did you mean "name"?)');
  });
});

describe("JSON files", () => {
  it("loads a .json file holding the same shapes", () => {
    const text = JSON.stringify({ members: [member()] });
    const [file] = loadDataFiles([{ name: "members.json", text }], storedSite());
    expect(file?.data.members?.[0]?.id).toBe("m-1");
  });

  it("names the file, line and column of a JSON syntax error", () => {
    const text = '{ "members": [ { "id": "m-1" }, ] }';
    expect(onlyProblem([{ name: "members.json", text }])).toMatch(
      /^members\.json \(line 1, column 33\): not valid JSON: Unexpected RIGHT_BRACKET/,
    );
  });

  it("parses .json strictly as JSON, even with an upper-case extension", () => {
    expect(parseText("MEMBERS.JSON", "members:\n  - id: m-1\n").problems).toHaveLength(1);
    expect(parseText("members.yaml", '{ "members": [] }').value).toEqual({ members: [] });
  });

  it("names the record path and field of a bad value in a JSON file", () => {
    const text = JSON.stringify({ members: [member({ cards: [{ number: "7", status: "stolen" }] })] });
    expect(onlyProblem([{ name: "m.json", text }])).toBe(
      'm.json: members[0] (m-1).cards[0].status: Invalid option: expected one of "active"|"blocked"|"lost" (found "stolen")',
    );
  });
});

describe("the example files", () => {
  it("load from disk with nothing stored, site and members together", () => {
    const files = loadDataFiles(
      [{ name: `${EXAMPLES}site.yaml` }, { name: `${EXAMPLES}members.yaml` }],
      null,
    );
    expect(files.map((f) => f.data.members?.length ?? f.data.products?.length)).toEqual([3, 4]);
    expect(files[1]?.data.members?.map((m) => m.id)).toEqual(["m-anna", "m-bruno", "m-carla", "m-dario"]);
  });

  it("load members alone once the site is stored", () => {
    const files = loadDataFiles([{ name: "members.yaml", text: exampleText("members.yaml") }], storedSite());
    expect(files).toHaveLength(1);
  });

  it("refuse members alone when no site is stored", () => {
    expect(onlyProblem([{ name: "members.yaml", text: exampleText("members.yaml") }], null)).toBe(
      "members.yaml: site: missing (no site is stored yet: the first import needs a site section)",
    );
  });
});

describe("defaults applied by the schemas", () => {
  const [siteFile, membersFile] = loadDataFiles(
    [
      { name: "site.yaml", text: exampleText("site.yaml") },
      { name: "members.yaml", text: exampleText("members.yaml") },
    ],
    null,
  );
  const site = siteFile?.data;
  const members = membersFile?.data.members ?? [];

  it("R9: the tie-break is fifo unless the site says otherwise", () => {
    expect(site?.site?.tieBreak).toBe("fifo");
  });

  it("R9: an item's priority defaults to 1", () => {
    const text = "products:\n  - { id: p, credits: 1, items: [{ accessType: gym-all, credits: 1 }] }\n";
    const [file] = loadDataFiles([{ name: "p.yaml", text }], storedSite());
    expect(file?.data.products?.[0]?.items[0]?.priority).toBe(1);
  });

  it("R2: a multipack's status defaults to active, with no suspensions and an empty ledger", () => {
    const text =
      "members:\n  - { id: m-9, multipacks: [{ id: mp-9, product: swim10, purchasedAt: '2027-03-01T10:00:00Z' }] }\n";
    const [file] = loadDataFiles([{ name: "m.yaml", text }], storedSite());
    expect(file?.data.members?.[0]?.multipacks[0]).toEqual({
      id: "mp-9",
      product: "swim10",
      purchasedAt: "2027-03-01T10:00:00Z",
      status: "active",
      suspensions: [],
      ledger: [],
    });
  });

  it("R1: a card's status defaults to active and a numeric card number becomes text", () => {
    const [file] = loadDataFiles(
      [{ name: "m.json", value: { members: [member({ cards: [{ number: 42 }] })] } }],
      storedSite(),
    );
    expect(file?.data.members?.[0]?.cards).toEqual([{ number: "42", status: "active" }]);
  });

  it("R5, R10: the site's deduction interval defaults to 0 and bookings open 30 minutes early", () => {
    expect(site?.site?.deductionIntervalMinutes).toBe(0);
    expect(site?.site?.bookingEarlyMinutes).toBe(30);
  });

  it("R3, R7, R8: requiresCardModel is false, rollover false, empty limit scopes are all", () => {
    expect(site?.accessTypes?.every((t) => t.requiresCardModel === false)).toBe(true);
    const gymflex = site?.products?.find((p) => p.id === "gymflex");
    expect(gymflex?.items[1]?.allowance).toEqual({ count: 1, period: "day", rollover: false });
    expect(site?.limits?.[0]).toMatchObject({ accessTypes: [], products: [], areas: ["studio"] });
  });

  it("members get empty cards, card models, bookings and blocks when absent", () => {
    expect(members.find((m) => m.id === "m-anna")).toMatchObject({
      cardModels: [],
      bookings: [],
      blocks: [],
    });
  });
});

describe("the refusal", () => {
  it("is one AccessGwError with code DATA_INVALID, bad input, listing each problem", () => {
    let caught: unknown;
    try {
      loadDataFiles([{ name: "a.yaml", value: { members: [member({ id: "" })] } }], storedSite());
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AccessGwError);
    const err = caught as AccessGwError;
    expect(err.code).toBe("DATA_INVALID");
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(
      /^refused, nothing was imported \(\d+ problems?\):\n {2}a\.yaml: members\[0\]\.id: /,
    );
  });
});
