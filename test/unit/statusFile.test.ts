import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import type { GatewayStatus } from "../../config/statusDocument.js";
import { StatusDocument, toStatusDocument } from "../../config/statusDocument.js";
import { statusExitCode } from "../../gateway/cli.js";
import { formatStatus } from "../../gateway/cliFormat.js";
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

const T0 = Date.parse("2026-11-25T10:00:00.000Z");

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

/** A daemon's status as the gateway reports it: one reader waiting, one relay open. */
const gatewayStatus: GatewayStatus = {
  state: "running",
  doors: [],
  readers: [
    {
      id: "pool-in",
      driver: "serial-line",
      state: "waiting",
      since: new Date(T0 - 5000).toISOString(),
      reason: "connect ECONNREFUSED 127.0.0.1:4001",
      attempts: 3,
      retryInMs: 4000,
      counters: { scans: 2, grants: 1, denies: 1, errors: 0, relayFailures: 0 },
      lastScan: {
        at: new Date(T0 - 60_000).toISOString(),
        card: "…4567",
        decision: "grant",
        reason: "ok",
        eventId: "gw-1:7",
        memberId: "m-anna",
        relayFailed: false,
      },
      driverCounters: { cards: 2, rejected: { bad_checksum: 3 }, bytes: 120, reconnects: 1 },
    },
  ],
  relays: [
    {
      id: "board-1",
      driver: "lcus-serial",
      state: "open",
      since: new Date(T0 - 90_000).toISOString(),
      reason: null,
      pulses: 1,
      relayFailures: 0,
      driverCounters: { pulses: 1, completed: 1, failed: 0, inFlight: 0, timeouts: 0, exceptions: 0 },
    },
  ],
  inputs: [],
  mqtt: null,
  sync: null,
  totals: { scans: 2, grants: 1, denies: 1, errors: 0, relayFailures: 0 },
  problems: ["reader pool-in: not connected (connect ECONNREFUSED 127.0.0.1:4001), retrying"],
};

function doc(overrides: Partial<StatusDocument> = {}): StatusDocument {
  return {
    ...toStatusDocument(gatewayStatus, {
      gatewayId: "gw-1",
      pid: 4242,
      state: "running",
      startedAt: T0 - 120_000,
      now: T0,
      config: "/etc/accessgw/gateway.yaml",
      dataDir: "/var/lib/accessgw",
      zone: "Europe/Rome",
    }),
    ...overrides,
  };
}

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

describe("statusExitCode (cli.md): what a script reads", () => {
  it("is 0 running with no problem, 3 running with problems, 4 not running", () => {
    expect(statusExitCode({ running: true, reason: null, status: doc({ problems: [] }) })).toBe(0);
    expect(statusExitCode({ running: true, reason: null, status: doc() })).toBe(3);
    expect(
      statusExitCode({ running: false, reason: "stopped cleanly", status: doc({ state: "stopped" }) }),
    ).toBe(4);
    expect(statusExitCode({ running: false, reason: "no status file", status: null })).toBe(4);
  });
});

describe("formatStatus: what a technician reads", () => {
  it("puts RUNNING, the problems and GOOD/BAD per device first, in the site's time zone", () => {
    const text = formatStatus({ running: true, reason: null, status: doc() }, T0 + 2000);
    expect(text.split("\n")).toEqual([
      "RUNNING  gateway gw-1  pid 4242  up 2m 02s (since 2026-11-25 10:58:00 Europe/Rome)  updated 2s ago",
      "1 problem:",
      "  reader pool-in: not connected (connect ECONNREFUSED 127.0.0.1:4001), retrying",
      "readers (1):",
      "  BAD   pool-in  serial-line  waiting since 2026-11-25 10:59:55 (attempt 3, next try in 0s): connect ECONNREFUSED 127.0.0.1:4001",
      "        scans 2  grants 1  denies 1  errors 0  relay failures 0  rejected 3 (bad_checksum 3)  bytes 120  reconnects 1",
      "        last scan 2026-11-25 10:59:00  GRANT ok  card …4567  member m-anna  event gw-1:7",
      "relays (1):",
      "  GOOD  board-1  lcus-serial  open since 2026-11-25 10:58:30",
      "        pulses 1  relay failures 0  completed 1  in flight 0  timeouts 0  exceptions 0",
      "totals: scans 2  grants 1  denies 1  errors 0  relay failures 0",
    ]);
  });

  it("D1: shows each input's level and since when, BAD with the reason while its level is unknown", () => {
    const d = doc({
      inputs: [
        {
          id: "pool-pass-a",
          driver: "mqtt-json",
          state: "open",
          since: new Date(T0 - 90_000).toISOString(),
          level: "active",
          levelSince: new Date(T0 - 2000).toISOString(),
          reason: null,
          downSince: null,
          counters: { readings: 4, changes: 3, rejected: { bad_json: 1 }, downs: 0 },
        },
        {
          id: "fire-panel",
          driver: "modbus-rtu",
          state: "open",
          since: new Date(T0 - 90_000).toISOString(),
          level: "unknown",
          levelSince: new Date(T0 - 30_000).toISOString(),
          reason: "no answer from unit 2 to discrete input 0 within 500 ms",
          downSince: new Date(T0 - 30_000).toISOString(),
          counters: { readings: 9, changes: 2, rejected: {}, downs: 1 },
        },
      ],
    });
    const lines = formatStatus({ running: true, reason: null, status: d }, T0).split("\n");
    const at = lines.indexOf("inputs (2):");
    expect(lines.slice(at, at + 5)).toEqual([
      "inputs (2):",
      "  GOOD  pool-pass-a  mqtt-json  open since 2026-11-25 10:58:30  ACTIVE since 2026-11-25 10:59:58",
      "        readings 4  changes 3  unreachable 0  rejected 1 (bad_json 1)",
      "  BAD   fire-panel   modbus-rtu  open since 2026-11-25 10:58:30  UNKNOWN since 2026-11-25 10:59:30: no answer from unit 2 to discrete input 0 within 500 ms",
      "        readings 9  changes 2  unreachable 1  rejected 0",
    ]);
    expect(StatusDocument.parse(JSON.parse(JSON.stringify(d))).inputs).toHaveLength(2);
  });

  it("D3, D4: shows each door's mode, what set it, who, why and until when, its alarms and waiting grants", () => {
    const withDoors: GatewayStatus = {
      ...gatewayStatus,
      doors: [
        {
          id: "pool-gate",
          mode: "locked",
          source: "command",
          since: new Date(T0 - 60_000).toISOString(),
          until: new Date(T0 + 3_600_000).toISOString(),
          operator: "giulia",
          reason: "drill",
          alarms: ["held_open"],
          waiting: 2,
        },
        {
          id: "spa",
          mode: "normal",
          source: null,
          since: null,
          until: null,
          operator: null,
          reason: null,
          alarms: [],
          waiting: 0,
        },
      ],
    };
    const d = toStatusDocument(withDoors, {
      gatewayId: "gw-1",
      pid: 4242,
      state: "running",
      startedAt: T0 - 120_000,
      now: T0,
      config: "/etc/accessgw/gateway.yaml",
      dataDir: "/var/lib/accessgw",
      zone: "Europe/Rome",
    });
    expect(StatusDocument.parse(JSON.parse(JSON.stringify(d)))).toEqual(d);
    const lines = formatStatus({ running: true, reason: null, status: d }, T0 + 2000).split("\n");
    expect(lines).toContain("doors (2):");
    expect(lines).toContain(
      "  pool-gate  LOCKED (command by giulia: drill) since 2026-11-25 10:59:00 until 2026-11-25 12:00:00  ALARM held_open  2 waiting for a passage",
    );
    expect(lines).toContain("  spa        NORMAL");
    // Older files without doors still read.
    const { doors: _doors, ...older } = d;
    expect(StatusDocument.parse(older).doors).toEqual([]);
  });

  it("shows the MQTT broker link, GOOD when open, with its message counters", () => {
    const withMqtt: GatewayStatus = {
      ...gatewayStatus,
      mqtt: {
        url: "mqtt://127.0.0.1:1883",
        clientId: "accessgw-gw-1",
        state: "open",
        since: new Date(T0 - 30_000).toISOString(),
        reason: null,
        attempts: 0,
        messagesIn: 12,
        messagesOut: 4,
        badPayloads: 1,
        reconnects: 2,
      },
    };
    const d = toStatusDocument(withMqtt, {
      gatewayId: "gw-1",
      pid: 4242,
      state: "running",
      startedAt: T0 - 120_000,
      now: T0,
      config: "/etc/accessgw/gateway.yaml",
      dataDir: "/var/lib/accessgw",
      zone: "Europe/Rome",
    });
    expect(d.mqtt).toEqual({
      url: "mqtt://127.0.0.1:1883",
      clientId: "accessgw-gw-1",
      state: "open",
      since: new Date(T0 - 30_000).toISOString(),
      reason: null,
      attempts: 0,
      messagesIn: 12,
      messagesOut: 4,
      badPayloads: 1,
      reconnects: 2,
    });
    expect(StatusDocument.parse(JSON.parse(JSON.stringify(d)))).toEqual(d);
    const lines = formatStatus({ running: true, reason: null, status: d }, T0 + 2000).split("\n");
    expect(lines).toContain("mqtt broker:");
    expect(lines).toContain("        messages in 12  out 4  bad payloads 1  reconnects 2");
    expect(
      lines.some((l) => /^ {2}GOOD {2}mqtt:\/\/127\.0\.0\.1:1883 {2}accessgw-gw-1 {2}open since/.test(l)),
    ).toBe(true);
    // Without an mqtt: section the document says null, and older files without the key still read.
    expect(doc().mqtt).toBeNull();
    const { mqtt: _mqtt, ...older } = doc();
    expect(StatusDocument.parse(older).mqtt).toBeNull();
  });

  it("shows the sync link: in step or not, revisions, last sync, staleness and the outbox", () => {
    const withSync: GatewayStatus = {
      ...gatewayStatus,
      problems: [
        "offlineStale: the cache has not synced for 80 h (more than sync.offline.maxStaleHours 72); paid entries are denied (deny-paid)",
      ],
      sync: {
        url: "mqtts://broker.example:8883",
        clientId: "accessgw-gw-1-sync",
        protocol: "5",
        state: "waiting",
        since: new Date(T0 - 10_000).toISOString(),
        reason: "connect ECONNREFUSED",
        attempts: 4,
        inStep: false,
        lastRev: 4711,
        configRev: 12,
        lastSyncAt: new Date(T0 - 80 * 3_600_000).toISOString(),
        stale: true,
        offline: { maxStaleHours: 72, after: "deny-paid" },
        outbox: {
          pending: 33,
          firstSeq: 1201,
          lastSeq: 1233,
          alarmAt: 1_000_000,
          batches: 7,
          eventsPublished: 1200,
          republishes: 1,
          failures: 2,
          ackedUpTo: 1200,
          lastAckAt: new Date(T0 - 80 * 3_600_000).toISOString(),
        },
        counters: {
          badPayloads: 3,
          hellos: 2,
          hellosDeferred: 0,
          configsApplied: 1,
          configsRejected: 0,
          changesApplied: 5,
          duplicates: 0,
          gaps: 0,
          changesRejected: 0,
          partsApplied: 1,
          partsRejected: 0,
          syncsCompleted: 1,
          acks: 3,
          statusPublished: 9,
        },
        problems: [
          "offlineStale: the cache has not synced for 80 h (more than sync.offline.maxStaleHours 72); paid entries are denied (deny-paid)",
        ],
      },
    };
    const d = toStatusDocument(withSync, {
      gatewayId: "gw-1",
      pid: 4242,
      state: "running",
      startedAt: T0 - 120_000,
      now: T0,
      config: "/etc/accessgw/gateway.yaml",
      dataDir: "/var/lib/accessgw",
      zone: "Europe/Rome",
    });
    expect(d.sync).toMatchObject({
      state: "waiting",
      lastRev: 4711,
      lastSyncAt: new Date(T0 - 80 * 3_600_000).toISOString(),
      stale: true,
      outbox: { pending: 33, firstSeq: 1201, lastAckAt: new Date(T0 - 80 * 3_600_000).toISOString() },
    });
    expect(StatusDocument.parse(JSON.parse(JSON.stringify(d)))).toEqual(d);
    const lines = formatStatus({ running: true, reason: null, status: d }, T0).split("\n");
    const at = lines.indexOf("sync with the central:");
    expect(lines.slice(at, at + 4)).toEqual([
      "sync with the central:",
      "  BAD   mqtts://broker.example:8883  accessgw-gw-1-sync (MQTT 5)  waiting since 2026-11-25 10:59:50: connect ECONNREFUSED",
      "        not in step  rev 4711  config rev 12  last sync 2026-11-22 03:00:00 (80h 00m 00s ago)  STALE (over 72 h: deny-paid)",
      "        outbox 33 waiting (seq 1201–1233), acked up to 1200, last ack 2026-11-22 03:00:00  batches 7  events sent 1200  re-sends 1  bad payloads 3",
    ]);
    // Without sync the document says null, and older files without the key still read.
    expect(doc().sync).toBeNull();
    const { sync: _sync, ...older } = doc();
    expect(StatusDocument.parse(older).sync).toBeNull();
  });

  it("says NOT RUNNING and why, with what was last seen", () => {
    const text = formatStatus(
      { running: false, reason: "process 4242 is gone (it did not stop cleanly)", status: doc() },
      T0,
    );
    expect(text.split("\n")).toEqual([
      "NOT RUNNING  process 4242 is gone (it did not stop cleanly)",
      "  last seen: gateway gw-1, pid 4242, started 2026-11-25T09:58:00.000Z, last update 2026-11-25T10:00:00.000Z",
    ]);
  });
});
