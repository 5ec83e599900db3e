import { describe, expect, it } from "vitest";
import { loadDataFiles } from "../../config/dataFile.js";
import { member, membersFile, onlyProblem, type SiteDoc, siteDoc, storedSite } from "./configTestData.js";

/** The example site whose product `gymflex` has its studio item for corp-acme members only. */
function corporateSite(requires: unknown = ["corp-acme"]): { name: string; value: SiteDoc } {
  const doc = siteDoc();
  const flex = doc.products.find((p) => p.id === "gymflex") as { items: Record<string, unknown>[] };
  const studio = flex.items.find((i) => i.accessType === "studio-all") as Record<string, unknown>;
  studio.requiresMemberCode = requires;
  return { name: "site.yaml", value: doc };
}

describe("R19: member codes in data files", () => {
  it("R19: accepts member codes and an item's requiresMemberCode, codes being free text", () => {
    const files = loadDataFiles(
      [
        corporateSite(["corp-acme", "Student 2027/28"]),
        membersFile([member({ codes: ["Student 2027/28"] })]),
      ],
      null,
    );
    const flex = files[0]?.data.products?.find((p) => p.id === "gymflex");
    expect(flex?.items.find((i) => i.accessType === "studio-all")?.requiresMemberCode).toEqual([
      "corp-acme",
      "Student 2027/28",
    ]);
    expect(files[1]?.data.members?.[0]?.codes).toEqual(["Student 2027/28"]);
  });

  it("R19: a member without codes holds none", () => {
    const files = loadDataFiles([membersFile([member()])], storedSite());
    expect(files[0]?.data.members?.[0]?.codes).toEqual([]);
  });

  it.each([
    [
      [],
      "site.yaml: products[1] (gymflex).items[2] (studio-all).requiresMemberCode: list at least one code, or leave requiresMemberCode out",
    ],
    [
      [""],
      'site.yaml: products[1] (gymflex).items[2] (studio-all).requiresMemberCode[0]: empty member code (found "")',
    ],
    [
      ["corp-acme "],
      'site.yaml: products[1] (gymflex).items[2] (studio-all).requiresMemberCode[0]: no spaces before or after a member code (found "corp-acme ")',
    ],
  ])("R19: refuses requiresMemberCode %j", (requires, problem) => {
    expect(onlyProblem([corporateSite(requires)], null)).toBe(problem);
  });

  it("R19: refuses a member code with spaces around it, naming the member and the code", () => {
    expect(onlyProblem([membersFile([member({ codes: ["ok", " student"] })])])).toBe(
      'members.yaml: members[0] (m-1).codes[1]: no spaces before or after a member code (found " student")',
    );
  });

  it("R19: a code nobody holds, or a member code no item asks for, is no problem (codes are free text)", () => {
    expect(() =>
      loadDataFiles([corporateSite(["nobody-has-this"]), membersFile([member({ codes: ["unused"] })])], null),
    ).not.toThrow();
  });
});
