/**
 * Issue 12 §4: changes and sync parts are validated on a worker thread as they arrive, with the
 * same results and problems as the one-go parse. A worker that cannot start or that crashes with
 * parts waiting leaves them to the main thread: counted, logged once, nothing lost.
 */

import { Worker } from "node:worker_threads";
import { describe, expect, vi } from "vitest";
import { parseSyncPayload } from "../../config/protocol/payloads.js";
import { scan } from "../../gateway/decisions.js";
import { syncState } from "../../gateway/store/db.js";
import { type CheckedKind, PartChecker } from "../../gateway/sync/partChecker.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { exampleDoc, exampleText } from "../helpers/examples.js";
import { memoryLogger } from "../helpers/logs.js";
import { partMember } from "../helpers/syncMessages.js";
import { importInputs, scanReq } from "../store/storeHelpers.js";

const member = partMember;
const many = (n: number, from = 0) => Array.from({ length: n }, (_, i) => member(from + i));
const part = (n: number, members: unknown[]) => ({
  fromRev: 0,
  toRev: 9,
  snapshot: true,
  part: n,
  parts: 3,
  members,
  deletedMembers: [],
});
const bytes = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
const TOPIC = "t/v1/sites/s/gateways/g/sync";

/** A checker with its own worker (or the one `startWorker` makes), counting main-thread validations. */
function checker(startWorker?: () => Worker) {
  const log = memoryLogger();
  let onMain = 0;
  const c = new PartChecker({
    logger: log.logger,
    pause,
    onMainThread: () => onMain++,
    ...(startWorker ? { startWorker } : {}),
  });
  return { c, log, onMain: () => onMain };
}

/** What the one-go parse on this thread gives: the reference every path must match. */
const reference = (kind: CheckedKind, payload: unknown) => parseSyncPayload(kind, TOPIC, bytes(payload), 1e7);

const CASES: [string, CheckedKind, unknown][] = [
  ["a valid part of 170 members (4 reply slices)", "sync", part(1, many(170))],
  ["an empty part", "sync", part(2, [])],
  ["a valid change", "changes", { rev: 3, members: many(30), deletedMembers: ["m-999"] }],
  ["a bad field in the 70th member", "sync", part(1, [...many(69), member(69, { colour: "red" })])],
  ["one id twice", "sync", part(1, [...many(60), member(3)])],
  ["not JSON", "sync", "{members: ["],
];

describe("PartChecker (issue 12 §4: validation on a worker thread)", () => {
  it.each(CASES)("gives on the worker what the one-go parse gives for %s", async (_label, kind, payload) => {
    const { c, onMain } = checker();
    c.start();
    try {
      expect(c.running()).toBe(true);
      await expect(c.check(kind, TOPIC, bytes(payload), 1e7)).resolves.toEqual(reference(kind, payload));
      expect(onMain()).toBe(0);
    } finally {
      await c.stop();
    }
  });

  it("refuses a payload over sync.maxMessageBytes on the worker as on the main thread", async () => {
    const { c } = checker();
    c.start();
    try {
      const payload = part(1, many(20));
      const got = await c.check("sync", TOPIC, bytes(payload), 100);
      expect(got).toEqual(parseSyncPayload("sync", TOPIC, bytes(payload), 100));
      expect(got.ok).toBe(false);
    } finally {
      await c.stop();
    }
  });

  it("answers payloads in the order they were handed in, a Buffer view giving only its own bytes", async () => {
    const { c } = checker();
    c.start();
    try {
      // A received payload may be a view into a larger buffer: only the view's bytes are the payload.
      const text = bytes(part(1, many(5)));
      const chunk = Buffer.concat([Buffer.from("garbage-before"), text, Buffer.from("garbage-after")]);
      const view = chunk.subarray(14, 14 + text.byteLength);
      const got = await Promise.all([
        c.check("sync", TOPIC, view, 1e7),
        c.check("sync", TOPIC, bytes(part(2, many(80, 100))), 1e7),
      ]);
      expect(got).toEqual([reference("sync", part(1, many(5))), reference("sync", part(2, many(80, 100)))]);
    } finally {
      await c.stop();
    }
  });

  it("validates on the main thread when the worker cannot start: counted, logged once", async () => {
    const { c, log, onMain } = checker(
      () => new Worker(`throw new Error("no worker today")`, { eval: true }),
    );
    c.start();
    await vi.waitFor(() => expect(c.running()).toBe(false), { timeout: 5000, interval: 10 });
    const payloads = [part(1, many(40)), part(2, many(40, 40))];
    for (const p of payloads)
      await expect(c.check("sync", TOPIC, bytes(p), 1e7)).resolves.toEqual(reference("sync", p));
    expect(onMain()).toBe(2);
    const errors = log.at("error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toMatch(/validation worker stopped/);
    expect(JSON.stringify(errors[0])).toMatch(/no worker today/);
    await c.stop();
  });

  it("validates on the main thread what a crashed worker had not answered, in order, none lost", async () => {
    // A worker that dies at the first payload it is handed, with two more queued behind it.
    const crashing = () =>
      new Worker(`require("node:worker_threads").parentPort.on("message", () => process.exit(7));`, {
        eval: true,
      });
    const { c, log, onMain } = checker(crashing);
    c.start();
    const payloads = [part(1, many(60)), part(2, many(60, 60)), part(3, [...many(3, 200), member(200)])];
    const got = await Promise.all(payloads.map((p) => c.check("sync", TOPIC, bytes(p), 1e7)));
    expect(got).toEqual(payloads.map((p) => reference("sync", p)));
    expect(got.map((g) => g.ok)).toEqual([true, true, false]);
    expect(onMain()).toBe(3);
    expect(c.running()).toBe(false);
    expect(log.at("error")).toHaveLength(1);
    expect(log.at("error")[0]).toMatchObject({ exitCode: 7, waiting: 3 });
    await c.stop();
  });

  it("a snapshot still applies whole through a client whose validation worker crashes", async ({
    store: t,
    syncClient,
    centralPeer,
  }) => {
    const prefix = "pc1/v1";
    const g = "gw-pc";
    importInputs(t.store, [{ name: "site.yaml", text: exampleText("site.yaml") }]);
    const c = await centralPeer(prefix, g);
    const crashing = () =>
      new Worker(`require("node:worker_threads").parentPort.on("message", () => process.exit(1));`, {
        eval: true,
      });
    const client = syncClient({ store: t.store, gatewayId: g, prefix, partCheckWorker: crashing });
    await vi.waitFor(() => expect(c.got.hello).toHaveLength(1), { timeout: 10_000, interval: 20 });
    const members = exampleDoc<{ members: unknown[] }>("members.yaml").members;
    const half = Math.ceil(members.length / 2);
    const send = (n: number, ms: unknown[]) =>
      c.send(`gateways/${g}/sync`, { ...part(n, ms), toRev: 10, parts: 2 });
    await send(1, members.slice(0, half));
    await send(2, members.slice(half));
    await vi.waitFor(() => expect(client.counters().syncsCompleted).toBe(1), {
      timeout: 10_000,
      interval: 20,
    });
    expect(client.counters()).toMatchObject({ partsApplied: 2, partsCheckedOnMainThread: 2, badPayloads: 0 });
    expect(syncState(t.store).lastRev).toBe(10);
    const monday10 = at("2027-03-22T10:00");
    expect(scan(t.store, scanReq("0001234567", "pool"), monday10, g).memberId).toBe("m-anna");
    expect(scan(t.store, scanReq("5550001", "gym"), monday10 + 1000, g).memberId).toBe("m-carla");
  });
});
