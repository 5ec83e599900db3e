import { describe, expect } from "vitest";
import { ERROR_MESSAGE, recordError, scan } from "../../gateway/decisions.js";
import { listEvents } from "../../gateway/store/events.js";
import { pendingEvents } from "../../gateway/store/outbox.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { scanReq } from "./storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const ANNA = "0001234567";

/** The examples, with Anna's swim10 product stored with a validity the engine cannot compute. */
const it = test.extend("brokenStore", ({ exampleStore: store }) => {
  // Written past the importer (whatever its bounds): the engine must not take the decision down.
  store.db
    .prepare(
      `UPDATE products SET doc = json_set(doc, '$.validity', json('{"days":1e15}')) WHERE id = 'swim10'`,
    )
    .run();
  return store;
});

describe("R14: a decision that fails is recorded as a deny `error`", () => {
  it("records the deny with the member, a message for the reader, in the outbox, and hands over the error", ({
    brokenStore: store,
  }) => {
    const errors: unknown[] = [];

    const e = scan(store, scanReq(ANNA, "pool"), MONDAY_10, "gw-1", { onError: (err) => errors.push(err) });

    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RangeError);
    expect(e).toMatchObject({
      decision: "deny",
      reason: "error",
      card: "1234567",
      memberId: "m-anna",
      area: "pool",
      multipackId: null,
      creditsDeducted: 0,
      message: ERROR_MESSAGE,
      trace: [],
      relayFailed: false,
    });
    expect(listEvents(store)).toEqual([e]);
    expect(pendingEvents(store).map((p) => p.id)).toEqual([e.id]);
  });

  it("records a scan that cannot even be decided (an area the site does not have) with recordError", ({
    exampleStore: store,
  }) => {
    expect(() => scan(store, scanReq(ANNA, "sauna"), MONDAY_10, "gw-1")).toThrow(/unknown area "sauna"/);
    expect(listEvents(store)).toEqual([]);

    const e = recordError(store, scanReq(ANNA, "sauna"), MONDAY_10, "gw-1");
    expect(e).toMatchObject({ decision: "deny", reason: "error", memberId: "m-anna", area: "sauna", seq: 1 });
    expect(listEvents(store)).toEqual([e]);
  });

  it("names no member for a card nobody holds", ({ exampleStore: store }) => {
    expect(recordError(store, scanReq("424242", "pool"), MONDAY_10, "gw-1")).toMatchObject({
      reason: "error",
      memberId: null,
      card: "424242",
    });
  });
});
