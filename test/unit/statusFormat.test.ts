/**
 * What `accessgw status` prints for a technician (formatStatus) and the exit code a script reads
 * (cli.md), from a daemon's status document.
 */
import { describe, expect, it } from "vitest";
import { type GatewayStatus, StatusDocument } from "../../config/statusDocument.js";
import { statusExitCode } from "../../gateway/cli.js";
import { formatStatus } from "../../gateway/cliFormat.js";
import { doc, docOf, gatewayStatus, T0 } from "../helpers/statusDoc.js";

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
    const d = docOf(withDoors);
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
    const d = docOf(withMqtt);
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
    const d = docOf(withSync);
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
