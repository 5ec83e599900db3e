/**
 * The slice-wise parse of the member-carrying payloads (changes, sync parts): what scans wait for
 * while a big part is checked is one slice, not the whole part. It must accept and refuse exactly
 * what the one-go parse does, with the same problems.
 */

import { describe, expect, it } from "vitest";
import { parseSyncPayload } from "../../config/protocol/payloads.js";
import { parseSyncPayloadInSlices } from "../../config/protocol/sliced.js";
import { partMember } from "../helpers/syncMessages.js";

const member = partMember;
const part = (members: unknown[], extra: Record<string, unknown> = {}) => ({
  fromRev: 0,
  toRev: 9,
  snapshot: true,
  part: 1,
  parts: 1,
  members,
  deletedMembers: [],
  ...extra,
});
const many = (n: number) => Array.from({ length: n }, (_, i) => member(i));
const bytes = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));

const CASES: [string, "sync" | "changes", unknown][] = [
  ["a valid part of 120 members", "sync", part(many(120))],
  ["an empty part", "sync", part([])],
  ["a valid change", "changes", { rev: 3, members: many(30), deletedMembers: ["m-999"] }],
  [
    "a bad field in the 70th member",
    "sync",
    part([...many(69), member(69, { colour: "red" }), member(70), member(71)]),
  ],
  [
    "bad members in three slices",
    "sync",
    part(many(80).map((m, i) => (i % 30 === 5 ? { ...m, cards: "x" } : m))),
  ],
  ["one id twice, far apart", "sync", part([...many(60), member(3)])],
  ["an id both sent and deleted", "changes", { rev: 3, members: many(40), deletedMembers: ["m-39"] }],
  ["a bad envelope", "sync", part(many(2), { part: 3, parts: 2 })],
  ["members that are not an array", "changes", { rev: 1, members: {}, deletedMembers: [] }],
  ["not JSON", "sync", "{members: ["],
];

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("parseSyncPayloadInSlices", () => {
  it.each(CASES)("gives what the one-go parse gives for %s", async (_label, kind, payload) => {
    const once = parseSyncPayload(kind, "t/x", bytes(payload));
    const sliced = await parseSyncPayloadInSlices(kind, "t/x", bytes(payload), 16_777_216, pause);
    expect(sliced).toEqual(once);
  });

  it("refuses a part with both bad members and repeated ids, naming the first bad member first", async () => {
    const payload = bytes(part([...many(40), member(40, { colour: "red" }), member(0)]));
    const once = parseSyncPayload("sync", "t/x", payload);
    const sliced = await parseSyncPayloadInSlices("sync", "t/x", payload, 16_777_216, pause);
    expect(once.ok || sliced.ok).toBe(false);
    const first = (r: typeof once) => (r.ok ? "" : r.problem.split("; ")[0]);
    expect(first(sliced)).toBe(first(once));
    expect(first(sliced)).toBe('t/x: sync refused: members[40] (m-40): unknown field "colour"');
  });

  it("pauses between slices of members, so other work runs while a big part is checked", async () => {
    let pauses = 0;
    const out = await parseSyncPayloadInSlices("sync", "t/x", bytes(part(many(100))), 16_777_216, () => {
      pauses++;
      return pause();
    });
    expect(out.ok).toBe(true);
    expect(pauses).toBe(3);
  });

  it("refuses a payload above the size limit before reading it", async () => {
    const out = await parseSyncPayloadInSlices("sync", "t/x", bytes(part(many(10))), 100, pause);
    expect(out).toEqual({
      ok: false,
      problem: expect.stringMatching(/more than sync.maxMessageBytes \(100\)/),
    });
  });
});
