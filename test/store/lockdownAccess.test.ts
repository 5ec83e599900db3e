import { describe, expect } from "vitest";
import { Member } from "../../config/members.js";
import { scan } from "../../gateway/decisions.js";
import { importMembers } from "../../gateway/store/importer.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { scanReq } from "../store/storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");

describe("D3: lockdownAccess travels from member data to the locked door", () => {
  it("D3: an imported member with lockdownAccess passes a locked door; without it, door_locked; re-import clears it", ({
    exampleStore: store,
  }) => {
    const anna = Member.parse({
      id: "m-anna",
      name: "Anna",
      lockdownAccess: true,
      cards: [{ number: "0001234567", status: "active" }],
    });
    importMembers(store, [anna], "test");
    const locked = { ...scanReq("1234567", "pool"), doorMode: "locked" as const };
    expect(scan(store, locked, MONDAY_10, "gw-1")).toMatchObject({ decision: "grant", reason: "ok" });

    // D8: the exit is granted whatever the mode.
    const exit = { ...scanReq("1234567", "pool", "out"), doorMode: "locked" as const };
    expect(scan(store, exit, MONDAY_10 + 3600_000, "gw-1")).toMatchObject({
      decision: "grant",
      reason: "exit",
    });
    importMembers(store, [{ ...anna, lockdownAccess: false }], "test");
    expect(scan(store, locked, MONDAY_10 + 3 * 3600_000, "gw-1")).toMatchObject({
      decision: "deny",
      reason: "door_locked",
    });
  });

  it("D3: a member document without the field has no lockdown access (default false)", () => {
    expect(Member.parse({ id: "m-x" }).lockdownAccess).toBe(false);
  });
});
