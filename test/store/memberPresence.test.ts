/**
 * sync.md "Sites with several gateways": the movements of every gateway of the site, merged from
 * member documents per area, decide anti-passback and capacity here (R11, R12).
 */
import { describe, expect } from "vitest";
import { Member } from "../../config/members.js";
import { scan } from "../../gateway/decisions.js";
import { recordRelayFailure } from "../../gateway/store/relayFailure.js";
import { test as it } from "../harness/index.js";
import { apply, BRUNO, bruno, decided, moved, row, T } from "./memberDocs.js";
import { importInputs, scanReq } from "./storeHelpers.js";

describe("presence from member documents", () => {
  it("R11, R12: anti-passback with a movement at the other gateway: in there, denied here; out there, let in", ({
    exampleStore: store,
  }) => {
    apply(store, bruno({ presence: [moved("pool", "in", "09:30", "gw-2:10")] }));
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("deny anti_passback");
    apply(store, bruno({ presence: [moved("pool", "out", "09:45", "gw-2:11")] }));
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("grant ok");
  });

  it("R12: capacity counts members inside by the other gateway", ({ exampleStore: store }) => {
    const inside = (id: string, card: string) =>
      Member.parse({
        id,
        cards: [{ number: card }],
        presence: [moved("studio", "in", "09:00", `gw-2:${card}`)],
      });
    apply(store, inside("m-x1", "901"), inside("m-x2", "902"));
    expect(decided(store, BRUNO, "studio", "10:00")).toBe("deny area_full");
  });

  it("sync.md: an own movement newer than the document's is kept until echoed, then it is the central's", ({
    exampleStore: store,
  }) => {
    const own = scan(store, scanReq(BRUNO, "pool"), T("10:00"), "gw-1");
    apply(store, bruno({ presence: [moved("pool", "out", "09:45", "gw-2:11")] }));
    expect(decided(store, BRUNO, "pool", "10:05")).toBe("deny anti_passback");
    expect(row(store, "SELECT event_id, local FROM presence WHERE member_id = 'm-bruno'")).toEqual({
      event_id: own.id,
      local: 1,
    });
    apply(store, bruno({ presence: [moved("pool", "in", "10:00", own.id)] }));
    expect(row(store, "SELECT event_id, local FROM presence WHERE member_id = 'm-bruno'")).toEqual({
      event_id: own.id,
      local: 0,
    });
    // The central's now: a document without the area takes it back.
    apply(store, bruno({ presence: [] }));
    expect(decided(store, BRUNO, "pool", "10:05")).toBe("grant ok");
  });

  it("sync.md: an area the document does not list keeps only this gateway's own movement not yet echoed", ({
    exampleStore: store,
  }) => {
    apply(store, bruno({ presence: [moved("gym", "in", "09:00", "gw-2:3")] }));
    scan(store, scanReq(BRUNO, "pool"), T("09:30"), "gw-1");
    apply(store, bruno({ presence: [] }));
    const areas = store.db.prepare("SELECT area FROM presence WHERE member_id = 'm-bruno'").pluck().all();
    expect(areas).toEqual(["pool"]);
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("deny anti_passback");
  });

  it("sync.md: the document's entry wins even when older: a movement undone at the other gateway is taken back", ({
    exampleStore: store,
  }) => {
    apply(store, bruno({ presence: [moved("pool", "in", "09:30", "gw-2:12")] }));
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("deny anti_passback");
    apply(store, bruno({ presence: [moved("pool", "out", "08:00", "gw-2:5")] }));
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("grant ok");
  });

  it("sync.md: an own movement that was undone is not kept against an older entry of the document", ({
    exampleStore: store,
  }) => {
    scan(store, scanReq(BRUNO, "pool"), T("08:00"), "gw-1");
    const exit = scan(store, scanReq(BRUNO, "pool", "out"), T("09:00"), "gw-1");
    recordRelayFailure(store, exit, T("09:00") + 1500);
    apply(store, bruno({ presence: [moved("pool", "in", "08:00", "gw-1:1")] }));
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("deny anti_passback");
  });

  it("R12: a document without presence (an older central) leaves presence as it was", ({
    exampleStore: store,
  }) => {
    scan(store, scanReq(BRUNO, "pool"), T("09:00"), "gw-1");
    apply(store, bruno({ presence: [moved("gym", "in", "09:00", "gw-2:3")] }));
    apply(store, bruno());
    expect(decided(store, BRUNO, "pool", "10:00")).toBe("deny anti_passback");
    expect(
      store.db.prepare("SELECT area FROM presence WHERE member_id = 'm-bruno' ORDER BY area").pluck().all(),
    ).toEqual(["gym", "pool"]);
  });

  it("R12 timed: an exit from the document keeps the last entry known here for the wait", ({
    exampleStore: store,
  }) => {
    importInputs(store, [
      { name: "areas.yaml", value: { areas: [{ id: "gym", antiPassback: { mode: "timed", minutes: 30 } }] } },
    ]);
    apply(store, bruno({ presence: [moved("gym", "in", "09:40", "gw-2:20")] }));
    apply(store, bruno({ presence: [moved("gym", "out", "09:50", "gw-2:21")] }));
    expect(row(store, "SELECT last_in_at FROM presence WHERE member_id = 'm-bruno'")).toEqual({
      last_in_at: T("09:40"),
    });
    expect(decided(store, BRUNO, "gym", "10:00")).toBe("deny anti_passback");
    expect(decided(store, BRUNO, "gym", "10:10")).toBe("grant ok");
  });
});
