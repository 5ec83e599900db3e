/**
 * Issue 12 §4: members written a batch at a time, their member, card and multipack rows in
 * multi-row statements, leave the cache exactly as upserting them one by one does — the rows of
 * every table and the changes reported — whatever the members and what the cache held before
 * (members stored again, cards and multipacks taken over from stored members, repeats in a batch).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Member } from "../../config/members.js";
import { ChangeSet } from "../../gateway/store/changeSet.js";
import type { Store } from "../../gateway/store/db.js";
import { importMembers, MEMBER_BATCH } from "../../gateway/store/importer.js";
import { independent } from "../../gateway/store/memberRows.js";
import { applyMembers } from "../../gateway/store/syncMembers.js";
import { exampleText } from "../helpers/examples.js";
import { membersData } from "./memberArbitrary.js";
import { dump, freshStore, importInputs } from "./storeHelpers.js";

type Data = { id: string; cards: { number: string }[]; multipacks: { id: string }[] };

/**
 * The arbitrary's members renamed `m-(i + shift)`, so that they meet stored members' ids and,
 * with `tag` empty, take over stored members' cards and packs; a `tag` gives them cards and packs
 * of their own.
 */
function shifted(list: Data[], shift: number, tag = ""): Member[] {
  return list.map((m, i) =>
    Member.parse({
      ...m,
      id: `m-${i + shift}`,
      cards: m.cards.map((c) => ({ ...c, number: tag === "" ? c.number : `9${c.number}` })),
      multipacks: m.multipacks.map((mp) => ({ ...mp, id: `${tag}${mp.id}` })),
    }),
  );
}

/** Writes `before` one member at a time, then what `write` writes; returns the cache's rows and the changes. */
function run(before: Member[], write: (store: Store, changes: ChangeSet) => void) {
  const t = freshStore();
  try {
    importInputs(t.store, [{ name: "site.yaml", text: exampleText("site.yaml") }]);
    t.store.db.transaction(() => {
      for (const m of before) importMembers(t.store, [m], "import");
    })();
    const changes = new ChangeSet();
    t.store.db.transaction(() => write(t.store, changes))();
    return { rows: dump(t.store), changes: changes.report() };
  } finally {
    t.close();
  }
}

describe("multi-row member writes (issue 12 §4)", () => {
  it("a batch writes exactly the rows and changes that one member at a time writes (property)", () => {
    let batched = 0;
    fc.assert(
      fc.property(
        membersData,
        membersData,
        membersData,
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom(3, 6),
        fc.constantFrom("", "b-"),
        (stored, first, second, shift, gap, tag) => {
          const before = shifted(stored, 0);
          // Two lists that may meet each other's ids, cards and packs: some batches are not independent.
          const batch = [...shifted(first, shift), ...shifted(second, shift + gap, tag)];
          if (independent(batch)) batched++;
          const together = run(before, (store, changes) => {
            importMembers(store, batch, "sync", changes);
          });
          const oneByOne = run(before, (store, changes) => {
            for (const m of batch) importMembers(store, [m], "sync", changes);
          });
          expect(together).toEqual(oneByOne);
        },
      ),
      { numRuns: 60 },
    );
    // The property saw batches written together, not only the one-by-one fallback.
    expect(batched).toBeGreaterThan(5);
  });

  it("a sync payload's documents written together, with the packs they drop, match one document at a time (property)", () => {
    let applied = 0;
    fc.assert(
      fc.property(
        membersData,
        membersData,
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom("", "b-"),
        (stored, sent, shift, tag) => {
          const before = shifted(stored, 0);
          // Stored members sent again without some of their packs, or handing them to another member.
          const docs = shifted(sent, shift, tag);
          const together = run(before, (store, changes) => {
            if (applyMembers(store, docs, [], { origin: "central", changes }).applied) applied++;
          });
          const oneByOne = run(before, (store, changes) => {
            for (const m of docs) applyMembers(store, [m], [], { origin: "central", changes });
          });
          expect(together).toEqual(oneByOne);
        },
      ),
      { numRuns: 60 },
    );
    expect(applied).toBeGreaterThan(30);
  });

  it("splits the rows of more members than a batch holds into statements of 32, 8 and 1 rows", () => {
    const list = Array.from({ length: MEMBER_BATCH * 2 + 9 }, (_, i) => ({
      id: `m-${i}`,
      cards: [{ number: String(1000 + i), status: "active" }],
      multipacks: [{ id: `mp-${i}`, product: "swim10", purchasedAt: "2026-09-01T10:00:00Z", ledger: [] }],
    }));
    const members = list.map((m) => Member.parse(m));
    const together = run([], (store) => importMembers(store, members, "import"));
    const oneByOne = run([], (store) => {
      for (const m of members) importMembers(store, [m], "import");
    });
    expect(together.rows).toEqual(oneByOne.rows);
    expect(together.rows.members).toHaveLength(members.length);
    expect(together.rows.cards).toHaveLength(members.length);
    expect(together.rows.multipacks).toHaveLength(members.length);
  });

  it("writes members that share a card or a multipack one by one (not independent)", () => {
    const a = Member.parse({ id: "m-a", cards: [{ number: "77", status: "active" }] });
    const b = Member.parse({ id: "m-b", cards: [{ number: "0077", status: "active" }] });
    expect(independent([a, b])).toBe(false);
    const { rows } = run([], (store) => importMembers(store, [a, b], "import"));
    // The later document takes the card, as a second upsert of it does.
    expect(rows.cards).toEqual([expect.stringContaining('"member_id":"m-b"')]);
  });
});
