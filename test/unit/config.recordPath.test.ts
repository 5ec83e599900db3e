import { describe, expect, it } from "vitest";
import { formatPath } from "../../config/errors.js";
import { recordLabel } from "../../config/recordPath.js";
import { member, onlyProblem, pack, problemsOf, siteDoc } from "./configTestData.js";

const dario = (over: Record<string, unknown> = {}) =>
  member({ id: "m-dario", cards: [{ number: "0004215834" }], ...over });

describe("errors name records by position and id (issue 10 §7)", () => {
  it("names a member, its multipack and its ledger entry in a YAML file", () => {
    const text = [
      "members:",
      "  - id: m-ada",
      "  - id: m-dario",
      "    multipacks:",
      '      - { id: mp-7, product: swim10, purchasedAt: "2027-03-01T18:00:00+01:00",',
      '          ledger: [{ id: "gw-2:17", amount: 1, at: yesterday }] }',
      "",
    ].join("\n");
    expect(onlyProblem([{ name: "members.yaml", text }])).toBe(
      'members.yaml: members[1] (m-dario).multipacks[0] (mp-7).ledger[0] (gw-2:17).at: expected an instant with an offset, e.g. 2026-11-01T10:15:00+01:00 (found "yesterday")',
    );
  });

  it("names a card by its last 4 digits only, in a JSON file", () => {
    const text = JSON.stringify({
      members: [dario({ cards: [{ number: "0004215834", status: "stolen" }] })],
    });
    expect(onlyProblem([{ name: "members.json", text }])).toBe(
      'members.json: members[0] (m-dario).cards[0] (…5834).status: Invalid option: expected one of "active"|"blocked"|"lost" (found "stolen")',
    );
  });

  it("names bookings by id and blocks by reason", () => {
    const problems = problemsOf([
      {
        name: "members.yaml",
        value: {
          members: [
            dario({
              bookings: [
                { id: "b-77", area: "sauna", start: "2027-03-01T18:00:00Z", end: "2027-03-01T19:00:00Z" },
              ],
              blocks: [{ reason: "debt", from: "2027-13-01" }],
            }),
          ],
        },
      },
    ]);
    expect(problems).toEqual([
      'members.yaml: members[0] (m-dario).blocks[0] (debt).from: not a real calendar date (found "2027-13-01")',
    ]);
    expect(
      problemsOf([
        {
          name: "m.yaml",
          value: {
            members: [
              dario({
                bookings: [
                  { id: "b-77", area: "sauna", start: "2027-03-01T18:00:00Z", end: "2027-03-01T19:00:00Z" },
                ],
              }),
            ],
          },
        },
      ]),
    ).toEqual(['m.yaml: members[0] (m-dario).bookings[0] (b-77).area: unknown area "sauna"']);
  });

  it("names site records by id, and a product's items by access type", () => {
    const doc = siteDoc();
    const items = (doc.products[1] as { items: Record<string, unknown>[] }).items;
    (items[1] as Record<string, unknown>).credits = -1;
    expect(onlyProblem([{ name: "site.yaml", value: doc }], null)).toBe(
      "site.yaml: products[1] (gymflex).items[1] (pool-offpeak).credits: at least 0 (found -1)",
    );
  });

  it("names the first place of an id given twice by position and id too", () => {
    const problems = problemsOf([
      { name: "a.yaml", value: { members: [dario({ multipacks: [pack({ id: "mp-7" })] })] } },
      {
        name: "b.yaml",
        value: { members: [member({ id: "m-eve", cards: [], multipacks: [pack({ id: "mp-7" })] })] },
      },
    ]);
    expect(problems).toEqual([
      'b.yaml: members[0] (m-eve).multipacks[0] (mp-7).id: duplicate multipack id "mp-7" (first at a.yaml: members[0] (m-dario).multipacks[0] (mp-7).id)',
    ]);
  });

  it("shows a malformed id quoted, and a record without a name by position only", () => {
    expect(recordLabel("members", { id: "m dario" })).toBe('"m dario"');
    expect(recordLabel("members", { name: "no id" })).toBeUndefined();
    expect(recordLabel("cards", { number: "100" })).toBeUndefined();
    expect(recordLabel("cards", { number: 4215834 })).toBe("…5834");
    expect(recordLabel("members", { id: "x".repeat(100) })).toBe(`${"x".repeat(64)}…`);
    expect(
      formatPath(["accessTypes", 0, "windows", 1, "from"], {
        accessTypes: [{ id: "pool-peak", windows: [{}, {}] }],
      }),
    ).toBe("accessTypes[0] (pool-peak).windows[1].from");
    expect(formatPath(["members", 3, "cards", 0])).toBe("members[3].cards[0]");
  });
});
