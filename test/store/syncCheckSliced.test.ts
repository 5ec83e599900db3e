/**
 * Issue 12 §4: the reference checks of a sync part run a few milliseconds at a time, so a part of
 * thousands of members never holds a scan for their whole check — with exactly the problems the
 * one-go check gives, duplicates split across slices included.
 */
import { describe, expect } from "vitest";
import { Member } from "../../config/members.js";
import { checkMembers, checkMembersSliced } from "../../gateway/store/syncMembers.js";
import { it } from "../harness/index.js";
import { exampleText } from "../helpers/examples.js";
import { importInputs } from "./storeHelpers.js";

const member = (i: number, extra: Record<string, unknown> = {}) =>
  Member.parse({
    id: `m-${i}`,
    cards: [{ number: String(9_000_000 + i), status: "active" }],
    multipacks: [{ id: `mp-${i}`, product: "swim10", purchasedAt: "2027-03-01T10:00:00Z" }],
    ...extra,
  });

describe("checkMembersSliced (sync parts' reference checks between scans)", () => {
  it("gives the one-go check's problems for 4000 members, with duplicates far apart and unknown references", async ({
    store: t,
  }) => {
    importInputs(t.store, [{ name: "site.yaml", text: exampleText("site.yaml") }]);
    const members = Array.from({ length: 4000 }, (_, i) => member(i));
    members[3900] = member(3900, { id: "m-3" });
    members[3950] = member(3950, { cards: [{ number: String(9_000_010), status: "active" }] });
    members[2000] = member(2000, {
      multipacks: [{ id: "mp-2000", product: "no-such-product", purchasedAt: "2027-03-01T10:00:00Z" }],
    });
    const expected = checkMembers(t.store, members, "sync part 1/1");
    expect(expected).toHaveLength(3);
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      await expect(checkMembersSliced(t.store, members, "sync part 1/1")).resolves.toEqual(expected);
    } finally {
      clearInterval(ticker);
    }
    // Another macrotask ran while the part was checked: the event loop was let in.
    expect(turns).toBeGreaterThan(0);
  });

  it("refuses members when no site is stored, as the one-go check does", async ({ store: t }) => {
    const members = [member(1)];
    const expected = checkMembers(t.store, members);
    expect(expected[0]).toMatch(/site: missing/);
    await expect(checkMembersSliced(t.store, members)).resolves.toEqual(expected);
  });
});
