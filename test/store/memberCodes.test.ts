/**
 * R19 member codes through the cache: stored by import and by sync (the importer's write path),
 * loaded into the facts, shown by balance and explain; migration 4 gives existing members none.
 */
import Database from "better-sqlite3";
import { describe, expect } from "vitest";
import { Member } from "../../config/members.js";
import { formatBalance } from "../../gateway/cliFormat.js";
import { explain, memberBalance } from "../../gateway/decisions.js";
import { loadHolder } from "../../gateway/store/facts.js";
import { MIGRATIONS, migrate } from "../../gateway/store/migrations.js";
import { applyMembers } from "../../gateway/store/syncMembers.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { importInputs, scanReq, type TestStore } from "./storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");

/** The example site with a studio pass included for corporate members, and Anna holding one. */
const it = test.extend("withCorporateStudio", ({ exampleStore: store }) => (codes: string[] | undefined) => {
  importInputs(store, [
    {
      name: "corp.yaml",
      value: {
        products: [
          {
            id: "corp-studio",
            credits: 0,
            items: [{ accessType: "studio-all", credits: 0, requiresMemberCode: ["corp-acme"] }],
          },
        ],
        members: [annaDoc(codes)],
      },
    },
  ]);
  return store;
});

function annaDoc(codes: string[] | undefined) {
  return {
    id: "m-anna",
    name: "Anna",
    ...(codes === undefined ? {} : { codes }),
    cards: [{ number: "0001234567" }],
    multipacks: [{ id: "mp-anna-corp", product: "corp-studio", purchasedAt: "2027-03-01T18:00:00+01:00" }],
  };
}

const codesOf = (store: TestStore["store"]) => loadHolder(store, "1234567", MONDAY_10, 0).member?.codes;

describe("R19 member codes in the cache", () => {
  it("R19: import stores a member's codes; explain grants through the code and names it in the trace", ({
    withCorporateStudio,
  }) => {
    const store = withCorporateStudio(["corp-acme", "student"]);
    expect(codesOf(store)).toEqual(["corp-acme", "student"]);
    const d = explain(store, scanReq("1234567", "studio"), MONDAY_10);
    expect(d).toMatchObject({ decision: "grant", multipackId: "mp-anna-corp" });
    expect(d.trace.find((r) => r.outcome === "chosen")?.detail).toContain("member code corp-acme (R19)");
  });

  it("R19: a re-import without codes clears them (the member's current state), and explain says why it denies", ({
    withCorporateStudio,
  }) => {
    const store = withCorporateStudio(["corp-acme"]);
    importInputs(store, [{ name: "members.yaml", value: { members: [annaDoc(undefined)] } }]);
    expect(codesOf(store)).toEqual([]);
    const d = explain(store, scanReq("1234567", "studio"), MONDAY_10);
    expect(d).toMatchObject({ decision: "deny", reason: "member_code_missing" });
    expect(d.trace.find((r) => r.multipackId === "mp-anna-corp")?.detail).toBe(
      "studio-all needs member code corp-acme; the member holds none (R19)",
    );
  });

  it("R19: a member document from the central carries its codes into the cache", ({
    withCorporateStudio,
  }) => {
    const store = withCorporateStudio(undefined);
    const out = applyMembers(store, [Member.parse(annaDoc(["corp-acme"]))], [], { name: "changes rev 1" });
    expect(out.applied).toBe(true);
    expect(codesOf(store)).toEqual(["corp-acme"]);
    expect(explain(store, scanReq("1234567", "studio"), MONDAY_10).decision).toBe("grant");
  });

  it("R19: balance shows the member's codes", ({ withCorporateStudio }) => {
    const store = withCorporateStudio(["corp-acme"]);
    const b = memberBalance(store, { card: "1234567" }, MONDAY_10);
    expect(b).toMatchObject({ memberId: "m-anna", codes: ["corp-acme"] });
    expect(formatBalance(b).split("\n").slice(0, 2)).toEqual([
      "member m-anna (Anna)",
      "  member codes: corp-acme",
    ]);
    const none = memberBalance(store, { member: "m-bruno" }, MONDAY_10);
    expect(none.codes).toEqual([]);
    expect(formatBalance(none)).not.toContain("member codes");
  });

  it("R19: migration 4 gives members stored before it no codes", () => {
    const db = new Database(":memory:");
    for (const m of MIGRATIONS.filter((x) => x.version < 4)) db.exec(m.sql);
    db.pragma("user_version = 3");
    db.prepare("INSERT INTO members (id, name) VALUES ('m-old', 'Old')").run();
    migrate(db);
    expect(db.prepare("SELECT codes FROM members WHERE id = 'm-old'").get()).toEqual({ codes: "[]" });
    db.close();
  });
});
