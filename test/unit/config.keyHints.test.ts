import { describe, expect, it } from "vitest";
import { suggestKey } from "../../config/keyHints.js";
import { member, membersFile, problemsOf, type SiteDoc, siteDoc } from "./configTestData.js";

describe("did you mean: the known key an unknown one was meant as", () => {
  it.each([
    ["baudrate", ["port", "baudRate"], "baudRate"],
    ["BAUDRATE", ["port", "baudRate"], "baudRate"],
    ["baudRte", ["port", "baudRate"], "baudRate"],
    ["nmae", ["id", "name"], "name"],
    ["idd", ["id", "name"], "id"],
    ["colour", ["id", "name", "cards"], undefined],
    ["port", ["door", "topic"], undefined],
  ])("%s among %j → %s", (key, known, expected) => {
    expect(suggestKey(key, known)).toBe(expected);
  });

  it("in a site file: a key of the site section in the wrong case", () => {
    const doc: SiteDoc = siteDoc();
    doc.site.TimeZone = doc.site.timezone;
    delete doc.site.timezone;
    expect(problemsOf([{ name: "site.yaml", value: doc }], null)).toContain(
      'site.yaml: site: unknown field "TimeZone" (did you mean "timezone"?)',
    );
  });

  it("in a members file: a card's field in the wrong case", () => {
    const m = member({ cards: [{ Number: "100" }] });
    expect(problemsOf([membersFile([m])])).toContain(
      'members.yaml: members[0] (m-1).cards[0]: unknown field "Number" (did you mean "number"?)',
    );
  });
});
