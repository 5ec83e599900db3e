/**
 * The reference central's pure message planning: which answer a hello gets, how items are split into
 * parts by count and by bytes, and the JSON text of parts and changes (valid against the schemas the
 * gateway applies).
 */
import { describe, expect, it } from "vitest";
import {
  changesJson,
  changesOverhead,
  partOverhead,
  planAnswer,
  splitSpans,
  syncPartJson,
} from "../../central/messages.js";
import { ChangesMessage, SyncMessage } from "../../config/protocol/payloads.js";

describe("planAnswer", () => {
  it.each([
    {
      lastRev: 0,
      siteRev: 7,
      want: { kind: "snapshot", fromRev: 0, toRev: 7 },
      why: "a gateway with nothing",
    },
    { lastRev: 0, siteRev: 0, want: { kind: "snapshot", fromRev: 0, toRev: 0 }, why: "an empty central" },
    {
      lastRev: 9,
      siteRev: 7,
      want: { kind: "snapshot", fromRev: 0, toRev: 7 },
      why: "another central's revisions",
    },
    { lastRev: 2, siteRev: 20, want: { kind: "snapshot", fromRev: 0, toRev: 20 }, why: "too far behind" },
    {
      lastRev: 10,
      siteRev: 20,
      want: { kind: "replay", fromRev: 10, toRev: 20 },
      why: "within the replay limit",
    },
    { lastRev: 7, siteRev: 7, want: { kind: "inStep", fromRev: 7, toRev: 7 }, why: "in step" },
  ])("answers lastRev $lastRev at site rev $siteRev with $want.kind ($why)", ({ lastRev, siteRev, want }) => {
    expect(planAnswer(lastRev, siteRev, 10)).toEqual(want);
  });
});

describe("splitSpans", () => {
  it("splits by count", () => {
    expect(splitSpans([10, 10, 10, 10, 10], 2, 1_000_000, 50)).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 4 },
      { start: 4, end: 5 },
    ]);
  });

  it("splits by bytes, counting the envelope and one comma per item", () => {
    // 100 + (30 + 1) · 2 = 162 fits in 170; a third item would make 193.
    expect(splitSpans([30, 30, 30, 30], 500, 170, 100)).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 4 },
    ]);
  });

  it("puts an item larger than the limit alone in its part instead of dropping it", () => {
    expect(splitSpans([10, 5000, 10], 500, 200, 100)).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 2 },
      { start: 2, end: 3 },
    ]);
  });

  it("gives no span for no items", () => {
    expect(splitSpans([], 500, 1000, 100)).toEqual([]);
  });
});

describe("message text", () => {
  const doc = { id: "m-1", cards: [{ number: "1", status: "active" }] };

  it("builds sync parts the gateway's schema accepts, within the envelope bound", () => {
    const text = syncPartJson(
      { fromRev: 3, toRev: 9, snapshot: false, part: 2, parts: 4 },
      [JSON.stringify(doc)],
      ["m-2"],
    );
    expect(SyncMessage.parse(JSON.parse(text))).toMatchObject({
      fromRev: 3,
      toRev: 9,
      snapshot: false,
      part: 2,
      parts: 4,
      members: [{ id: "m-1" }],
      deletedMembers: ["m-2"],
    });
    const empty = syncPartJson({ fromRev: 3, toRev: 9, snapshot: false, part: 2, parts: 4 }, [], []);
    expect(empty.length).toBeLessThanOrEqual(partOverhead(false));
  });

  it("builds changes the gateway's schema accepts, within the envelope bound", () => {
    const text = changesJson(12, [JSON.stringify(doc)], []);
    expect(ChangesMessage.parse(JSON.parse(text))).toMatchObject({ rev: 12, members: [{ id: "m-1" }] });
    expect(changesJson(12, [], []).length).toBeLessThanOrEqual(changesOverhead());
  });
});
