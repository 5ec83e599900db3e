import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { StatusDocument } from "../../config/statusDocument.js";
import {
  pidAlive,
  readStatus,
  STATUS_STALE_MS,
  type StatusProbe,
  StatusWriter,
  statusFilePath,
  writeStatusFile,
} from "../../gateway/statusFile.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import { test } from "../harness/index.js";
import { doc, T0 } from "../helpers/statusDoc.js";

/** A status writer on a manual scheduler writing into the test's folder, and what it wrote. */
const it = test.extend("writerRig", ({ folder: { dir } }) => (path?: string) => {
  const scheduler = new ManualScheduler();
  const writes: number[] = [];
  const errors: unknown[] = [];
  let state: StatusDocument["state"] = "running";
  const writer = new StatusWriter({
    path: path ?? statusFilePath(dir),
    scheduler,
    clock: () => scheduler.now,
    snapshot: () => {
      writes.push(scheduler.now - T0);
      return doc({ state, updatedAt: new Date(scheduler.now).toISOString() });
    },
    onError: (err) => errors.push(err),
  });
  /** Advances the clock, then lets a write it started reach the disk. */
  const tick = async (ms: number) => {
    scheduler.advance(ms);
    await writer.flushed();
  };
  return { dir, scheduler, writes, errors, writer, tick, setState: (s: typeof state) => (state = s) };
});

const alive = (now: number): StatusProbe => ({ now: () => now, pidAlive: () => true });

describe("toStatusDocument", () => {
  it("adds the daemon's facts to the gateway's status: a version 1 document with ISO times", () => {
    const d = doc();
    expect(StatusDocument.parse(d)).toEqual(d);
    expect(d).toMatchObject({
      version: 1,
      gatewayId: "gw-1",
      pid: 4242,
      startedAt: "2026-11-25T09:58:00.000Z",
      updatedAt: "2026-11-25T10:00:00.000Z",
    });
    expect(d.readers[0]).toEqual({
      id: "pool-in",
      driver: "serial-line",
      state: "waiting",
      since: "2026-11-25T09:59:55.000Z",
      reason: "connect ECONNREFUSED 127.0.0.1:4001",
      attempts: 3,
      retryInMs: 4000,
      lastScan: {
        at: "2026-11-25T09:59:00.000Z",
        card: "…4567",
        decision: "grant",
        reason: "ok",
        eventId: "gw-1:7",
        memberId: "m-anna",
        relayFailed: false,
      },
      counters: { scans: 2, grants: 1, denies: 1, errors: 0, relayFailures: 0 },
      driverCounters: { cards: 2, rejected: { bad_checksum: 3 }, bytes: 120, reconnects: 1 },
    });
    expect(d.relays[0]).toMatchObject({ id: "board-1", state: "open", reason: null, pulses: 1 });
  });
});

describe("readStatus: is the daemon of this data folder running?", () => {
  it("says running while the pid lives and the file was updated within 10 s (the boundary included)", ({
    folder: { dir },
  }) => {
    writeStatusFile(statusFilePath(dir), doc());
    expect(readStatus(dir, alive(T0 + STATUS_STALE_MS))).toEqual({
      running: true,
      reason: null,
      status: doc(),
    });
  });

  it("says not running when there is no status file", ({ folder: { dir } }) => {
    expect(readStatus(dir, alive(T0))).toMatchObject({
      running: false,
      reason: expect.stringMatching(/^no status file in /),
      status: null,
    });
  });

  it("says not running when the file is older than 10 s (a hung daemon)", ({ folder: { dir } }) => {
    writeStatusFile(statusFilePath(dir), doc());
    const r = readStatus(dir, alive(T0 + STATUS_STALE_MS + 1));
    expect(r).toMatchObject({ running: false, status: { pid: 4242 } });
    expect(r.reason).toMatch(/process 4242 has not updated its status for 10 s/);
  });

  it("says not running when the pid is gone, whatever the file's age", ({ folder: { dir } }) => {
    writeStatusFile(statusFilePath(dir), doc());
    const seen: number[] = [];
    const r = readStatus(dir, {
      now: () => T0,
      pidAlive: (pid) => {
        seen.push(pid);
        return false;
      },
    });
    expect(seen).toEqual([4242]);
    expect(r).toMatchObject({ running: false, reason: "process 4242 is gone (it did not stop cleanly)" });
  });

  it("says not running after a clean stop, without asking about the pid", ({ folder: { dir } }) => {
    writeStatusFile(statusFilePath(dir), doc({ state: "stopped" }));
    const r = readStatus(dir, {
      now: () => T0,
      pidAlive: () => {
        throw new Error("must not be asked");
      },
    });
    expect(r).toMatchObject({ running: false, reason: "stopped cleanly at 2026-11-25T10:00:00.000Z" });
  });

  it("reports a corrupt or foreign file as not running with a clear message, never throws", ({
    folder: { dir },
  }) => {
    writeFileSync(statusFilePath(dir), "{ not json");
    expect(readStatus(dir, alive(T0)).reason).toMatch(/status\.json is not JSON/);
    writeFileSync(statusFilePath(dir), JSON.stringify({ ...doc(), version: 2 }));
    expect(readStatus(dir, alive(T0)).reason).toMatch(/is not a version 1 status file \(version: /);
  });
});

describe("writeStatusFile", () => {
  it("replaces the file atomically and leaves no temp file behind", ({ folder: { dir } }) => {
    writeStatusFile(statusFilePath(dir), doc());
    writeStatusFile(statusFilePath(dir), doc({ state: "stopping" }));
    expect(readdirSync(dir)).toEqual(["status.json"]);
    expect(JSON.parse(readFileSync(statusFilePath(dir), "utf8"))).toMatchObject({ state: "stopping" });
  });
});

describe("pidAlive", () => {
  it("is true for this process and false for a process that has exited", () => {
    expect(pidAlive(process.pid)).toBe(true);
    const child = spawnSync(process.execPath, ["-e", ""]);
    expect(child.status).toBe(0);
    expect(pidAlive(child.pid as number)).toBe(false);
  });
});

/** Timers the test advances by hand. */
class ManualScheduler implements Scheduler {
  now = T0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  pending(): number {
    return this.timers.size;
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at);
      const first = due[0];
      if (!first) break;
      this.timers.delete(first[0]);
      this.now = first[1].at;
      first[1].fn();
    }
    this.now = end;
  }
}

describe("StatusWriter", () => {
  it("writes at start and then every second, as the daemon's heartbeat", async ({ writerRig }) => {
    const { writer, scheduler, writes, dir, tick } = writerRig();
    writer.start();
    for (let i = 0; i < 7; i++) await tick(500);
    expect(writes).toEqual([0, 1000, 2000, 3000]);
    expect(readStatus(dir, alive(scheduler.now)).status?.updatedAt).toBe(new Date(T0 + 3000).toISOString());
  });

  it("writes soon after a change, at most once per 200 ms, never synchronously", async ({ writerRig }) => {
    const { writer, writes, tick } = writerRig();
    writer.start();
    await tick(50);
    writer.changed();
    writer.changed();
    expect(writes).toEqual([0]);
    await tick(150);
    expect(writes).toEqual([0, 200]);
    await tick(500);
    writer.changed();
    expect(writes).toEqual([0, 200]);
    await tick(0);
    expect(writes).toEqual([0, 200, 700]);
    // The heartbeat counts from the last write.
    await tick(1000);
    expect(writes).toEqual([0, 200, 700, 1700]);
  });

  it("takes the document at once but leaves the file work to Node's pool, one write at a time", async ({
    writerRig,
  }) => {
    const { writer, scheduler, writes, dir } = writerRig();
    const updatedAt = () => readStatus(dir, alive(scheduler.now)).status?.updatedAt;
    writer.start();
    expect(updatedAt()).toBe(new Date(T0).toISOString());
    scheduler.advance(1000);
    // Taken at 1000, not yet on disk: the event loop went on without waiting for the file.
    expect(writes).toEqual([0, 1000]);
    expect(updatedAt()).toBe(new Date(T0).toISOString());
    // Two more fall due while that one is under way: one write follows it, with the newest document.
    writer.changed();
    scheduler.advance(200);
    writer.changed();
    scheduler.advance(200);
    expect(writes).toEqual([0, 1000]);
    await writer.flushed();
    expect(writes).toEqual([0, 1000, 1400]);
    expect(updatedAt()).toBe(new Date(T0 + 1400).toISOString());
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("writes a last document on stop and leaves no timer running", async ({ writerRig }) => {
    const { writer, scheduler, writes, dir, setState } = writerRig();
    writer.start();
    scheduler.advance(400);
    setState("stopped");
    await writer.stop();
    writer.changed();
    scheduler.advance(5000);
    expect(writes).toEqual([0, 400]);
    expect(scheduler.pending()).toBe(0);
    expect(readStatus(dir, alive(scheduler.now))).toMatchObject({
      running: false,
      status: { state: "stopped" },
    });
  });

  it("on stop, waits for a write under way so the last document is the one that stays", async ({
    writerRig,
  }) => {
    const { writer, scheduler, writes, dir, setState } = writerRig();
    writer.start();
    scheduler.advance(1000);
    setState("stopped");
    const stopped = writer.stop();
    expect(writes).toEqual([0, 1000]);
    await stopped;
    expect(writes).toEqual([0, 1000, 1000]);
    expect(readStatus(dir, alive(scheduler.now))).toMatchObject({ status: { state: "stopped" } });
  });

  it("can stop without a last write (after a failure the old document stays)", async ({ writerRig }) => {
    const { writer, writes, tick } = writerRig();
    writer.start();
    await writer.stop(false);
    await tick(2000);
    expect(writes).toEqual([0]);
  });

  it("reports a failing write once per failure streak and keeps trying", async ({ writerRig }) => {
    const { writer, writes, errors, dir, tick } = writerRig(join("/nonexistent-accessgw-dir", "status.json"));
    writer.start();
    await tick(1000);
    await tick(1000);
    expect(writes).toEqual([0, 1000, 2000]);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/ENOENT/);
    expect(existsSync(statusFilePath(dir))).toBe(false);
  });
});
