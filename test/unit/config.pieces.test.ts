import { describe, expect, it } from "vitest";
import { loadDataFiles } from "../../config/dataFile.js";
import { MAX_LISTED_PROBLEMS } from "../../config/dataPieces.js";
import { checkGatewayConfig } from "../../config/gateway.js";
import { member, onlyProblem, problemsOf, storedSite } from "./configTestData.js";

const yamlMember = (id: string, card: string) => `  - id: ${id}\n    cards: [{ number: "${card}" }]\n`;

describe("a key given twice in a JSON file", () => {
  it("is refused in a member, naming the file, line, column, record and key", () => {
    const text = '{"members": [\n  {"id": "m-1", "cards": [{"number": "100", "number": "200"}]}\n]}';
    expect(onlyProblem([{ name: "members.json", text }])).toBe(
      'members.json (line 2, column 45): members[0].cards[0]: key "number" is given twice',
    );
  });

  it("is refused at the top level", () => {
    const text = `{"members": [], "members": [${JSON.stringify(member())}]}`;
    expect(onlyProblem([{ name: "members.json", text }])).toBe(
      'members.json (line 1, column 17): (top level): key "members" is given twice',
    );
  });

  it("is refused in a gateway configuration written as JSON", () => {
    const check = checkGatewayConfig("gateway.json", '{"gateway": {"id": "gw-1", "id": "gw-2"}}');
    expect(check.problems).toEqual(['gateway.json (line 1, column 28): gateway: key "id" is given twice']);
  });

  it("is not a repeated value: the same value under two keys, or in two objects, is fine", () => {
    const text = JSON.stringify({
      members: [member({ id: "m-1", name: "m-1" }), member({ id: "m-2", cards: [] })],
    });
    expect(loadDataFiles([{ name: "members.json", text }], storedSite())[0]?.data.members).toHaveLength(2);
  });
});

describe("YAML members read one at a time", () => {
  it("keep their order and indexes, with comments and blank lines between them", () => {
    const text = `members:\n${yamlMember("m-1", "1")}\n  # the second\n${yamlMember("m-2", "2")}  -\n`;
    const problems = problemsOf([{ name: "members.yaml", text }]);
    expect(problems).toEqual(["members.yaml: members[2]: Invalid input: expected object, received null"]);
  });

  it("resolve an alias to an anchor of an earlier member or section", () => {
    const text = [
      "site: { id: rome-center, timezone: &tz Europe/Rome }",
      "members:",
      "  - id: m-1",
      "    multipacks: [{ id: mp-1, product: swim10, purchasedAt: &bought '2027-03-01T18:00:00+01:00' }]",
      "    cards: &cards [{ number: '100' }]",
      "  - id: m-2",
      "    name: *tz",
      "    multipacks: [{ id: mp-2, product: swim10, purchasedAt: *bought }]",
      "",
    ].join("\n");
    const [file] = loadDataFiles([{ name: "members.yaml", text }], storedSite());
    expect(file?.data.members?.[1]?.name).toBe("Europe/Rome");
    expect(file?.data.members?.[1]?.multipacks[0]?.purchasedAt).toBe("2027-03-01T18:00:00+01:00");
  });

  it("refuse an alias to an anchor that is nowhere before it", () => {
    const text = `members:\n${yamlMember("m-1", "1")}  - id: m-2\n    name: *nowhere\n`;
    expect(onlyProblem([{ name: "members.yaml", text }])).toBe(
      "members.yaml (line 4, column 3): Unresolved alias (the anchor must be set before the alias): nowhere",
    );
  });

  it("refuse a top-level section given twice, as a key twice in any mapping", () => {
    const text = `members:\n${yamlMember("m-1", "1")}members:\n${yamlMember("m-2", "2")}`;
    expect(onlyProblem([{ name: "members.yaml", text }])).toBe(
      "members.yaml (line 4, column 1): Map keys must be unique",
    );
  });

  it("refuse a second document in the file", () => {
    const text = `members:\n${yamlMember("m-1", "1")}---\nmembers: []\n`;
    expect(onlyProblem([{ name: "members.yaml", text }])).toMatch(
      /^members\.yaml \(line 4, column 1\): the file holds more than one YAML document/,
    );
  });

  it("name a syntax error inside a later member with its line", () => {
    const text = `members:\n${yamlMember("m-1", "1")}${yamlMember("m-2", "2")}  - id: m-3\n    cards: [{ number: 1\n`;
    expect(onlyProblem([{ name: "members.yaml", text }])).toMatch(/^members\.yaml \(line 8, column 1\): /);
  });

  it("are the same in flow style, read whole", () => {
    const text = `{ members: [ { id: m-1, cards: [{ number: "1" }] }, { id: m-2, nmae: x } ] }`;
    expect(onlyProblem([{ name: "members.yaml", text }])).toBe(
      'members.yaml: members[1] (m-2): unknown field "nmae" (did you mean "name"?)',
    );
  });

  it(`list the first ${MAX_LISTED_PROBLEMS} problems and count the rest`, () => {
    const list = Array.from({ length: MAX_LISTED_PROBLEMS + 5 }, (_, i) => `  - { id: "m ${i}" }\n`).join("");
    const problems = problemsOf([{ name: "members.yaml", text: `members:\n${list}` }]);
    expect(problems).toHaveLength(MAX_LISTED_PROBLEMS + 1);
    expect(problems.at(-1)).toBe("… and 5 more problems");
  });
});

describe("the root of a data file", () => {
  it("names a top-level key that is not a scalar as an unknown field", () => {
    expect(problemsOf([{ name: "members.yaml", text: "? [a, b]\n: 1\n" }])[0]).toBe(
      'members.yaml: (top level): unknown field "[ a, b ]"',
    );
  });

  it.each([
    ["a list", "- id: m-1\n"],
    ["a string", "members\n"],
  ])("is refused when it is %s", (found, text) => {
    expect(onlyProblem([{ name: "members.yaml", text }])).toBe(
      `members.yaml: (top level): expected a mapping of site, areas, accessTypes, products, limits, cardModels, members (found ${found})`,
    );
  });
});
