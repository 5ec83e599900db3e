/**
 * The metrics read at scrape time from what the gateway already counts: one row per metric, its
 * type, name (units in the name, Prometheus's conventions), HELP text, labels, and how its series
 * come from the scrape's snapshot. States (a door's mode, an input's level) are one series per
 * state with 1 on the current one, so that a query can match the state by label.
 */
import { AlarmKind, DOOR_MODES } from "../../config/protocol/events.js";
import type { GatewayStatus } from "../../config/statusDocument.js";

/** What one scrape reads once and every metric's collect() shares. */
export interface Snapshot {
  status: GatewayStatus;
  /** Events in the outbox. */
  outbox: number;
  /** The store's files (base name) and their sizes in bytes. */
  storeFiles: { file: string; bytes: number }[];
  /** Now, in ms. */
  now: number;
}

/** Sets one series: its labels and value. */
export type Put = (labels: Record<string, string>, value: number) => void;

/** A metric collected from the snapshot. */
export interface CollectedMetric {
  kind: "counter" | "gauge";
  name: string;
  help: string;
  labels: string[];
  fill: (s: Snapshot, put: Put) => void;
}

const INPUT_LEVELS = ["active", "inactive", "unknown"] as const;

/** 1 for a link that is open, else 0. */
const up = (state: string) => (state === "open" ? 1 : 0);

/** The seconds since an ISO instant, to `now` (ms). */
const since = (iso: string, now: number) => Math.max(0, (now - Date.parse(iso)) / 1000);

/** Every metric read from the gateway's status, its store and its files. */
export const COLLECTED_METRICS: readonly CollectedMetric[] = [
  {
    kind: "gauge",
    name: "accessgw_gateway_running",
    help: "1 while the gateway runs (0 while starting, stopping or stopped)",
    labels: [],
    fill: (s, put) => put({}, s.status.state === "running" ? 1 : 0),
  },
  {
    kind: "gauge",
    name: "accessgw_problems",
    help: "Problems the status names (devices down, alarms, storage, sync)",
    labels: [],
    fill: (s, put) => put({}, s.status.problems.length),
  },
  {
    kind: "counter",
    name: "accessgw_reader_reads_total",
    help: "Card reads the reader's driver decoded",
    labels: ["reader"],
    fill: (s, put) => {
      for (const r of s.status.readers) put({ reader: r.id }, r.driverCounters?.cards ?? 0);
    },
  },
  {
    kind: "counter",
    name: "accessgw_reader_rejects_total",
    help: "Reads the reader's driver dropped, by reason (bad_parity, too_long, ...)",
    labels: ["reader", "reason"],
    fill: (s, put) => {
      for (const r of s.status.readers)
        for (const [reason, n] of Object.entries(r.driverCounters?.rejected ?? {}))
          put({ reader: r.id, reason }, n);
    },
  },
  {
    kind: "counter",
    name: "accessgw_reader_scans_total",
    help: "Reads that went to a decision (a repeat within debounceMs is none, R17)",
    labels: ["reader"],
    fill: (s, put) => {
      for (const r of s.status.readers) put({ reader: r.id }, r.counters.scans);
    },
  },
  {
    kind: "gauge",
    name: "accessgw_reader_connected",
    help: "1 while the reader's link is open",
    labels: ["reader"],
    fill: (s, put) => {
      for (const r of s.status.readers) put({ reader: r.id }, up(r.state));
    },
  },
  {
    kind: "counter",
    name: "accessgw_relay_pulses_total",
    help: "Door pulses the gateway asked of the relay board",
    labels: ["relay"],
    fill: (s, put) => {
      for (const r of s.status.relays) put({ relay: r.id }, r.pulses);
    },
  },
  {
    kind: "counter",
    name: "accessgw_relay_failures_total",
    help: "Door pulses that failed (the grant was undone and its credits refunded)",
    labels: ["relay"],
    fill: (s, put) => {
      for (const r of s.status.relays) put({ relay: r.id }, r.relayFailures);
    },
  },
  {
    kind: "gauge",
    name: "accessgw_relay_connected",
    help: "1 while the relay board's link is open",
    labels: ["relay"],
    fill: (s, put) => {
      for (const r of s.status.relays) put({ relay: r.id }, up(r.state));
    },
  },
  {
    kind: "gauge",
    name: "accessgw_input_level",
    help: "1 on the input's current level (active, inactive; unknown while it cannot be read)",
    labels: ["input", "level"],
    fill: (s, put) => {
      for (const i of s.status.inputs)
        for (const level of INPUT_LEVELS) put({ input: i.id, level }, i.level === level ? 1 : 0);
    },
  },
  {
    kind: "gauge",
    name: "accessgw_door_mode",
    help: "1 on the door's current mode (D3: normal, unlocked, locked, emergency)",
    labels: ["door", "mode"],
    fill: (s, put) => {
      for (const d of s.status.doors)
        for (const mode of DOOR_MODES) put({ door: d.id, mode }, d.mode === mode ? 1 : 0);
    },
  },
  {
    kind: "gauge",
    name: "accessgw_door_alarm_raised",
    help: "1 while the door's alarm is raised (D4: held_open, forced, tailgate, input_fault)",
    labels: ["door", "alarm"],
    fill: (s, put) => {
      for (const d of s.status.doors)
        for (const alarm of AlarmKind.options) put({ door: d.id, alarm }, d.alarms.includes(alarm) ? 1 : 0);
    },
  },
  {
    kind: "gauge",
    name: "accessgw_outbox_events",
    help: "Recorded events waiting for the central's ack (the outbox depth)",
    labels: [],
    fill: (s, put) => put({}, s.outbox),
  },
  {
    kind: "gauge",
    name: "accessgw_store_size_bytes",
    help: "Size of the SQLite cache's files (the database, its -wal and -shm)",
    labels: ["file"],
    fill: (s, put) => {
      for (const f of s.storeFiles) put({ file: f.file }, f.bytes);
    },
  },
  {
    kind: "gauge",
    name: "accessgw_mqtt_connected",
    help: "1 while the device broker link is open (absent without an mqtt: section)",
    labels: [],
    fill: (s, put) => {
      if (s.status.mqtt) put({}, up(s.status.mqtt.state));
    },
  },
  {
    kind: "gauge",
    name: "accessgw_sync_connected",
    help: "1 while the link to the central is open (absent unless sync is enabled)",
    labels: [],
    fill: (s, put) => {
      if (s.status.sync) put({}, up(s.status.sync.state));
    },
  },
  {
    kind: "gauge",
    name: "accessgw_sync_in_step",
    help: "1 while the cache takes the central's changes as they are made",
    labels: [],
    fill: (s, put) => {
      if (s.status.sync) put({}, s.status.sync.inStep ? 1 : 0);
    },
  },
  {
    kind: "gauge",
    name: "accessgw_sync_last_success_timestamp_seconds",
    help: "When the cache last synced with the central (Unix time; absent before the first sync)",
    labels: [],
    fill: (s, put) => {
      const last = s.status.sync?.lastSyncAt;
      if (last) put({}, Date.parse(last) / 1000);
    },
  },
  {
    kind: "gauge",
    name: "accessgw_sync_lag_seconds",
    help: "Seconds since the cache last synced with the central (absent before the first sync)",
    labels: [],
    fill: (s, put) => {
      const last = s.status.sync?.lastSyncAt;
      if (last) put({}, since(last, s.now));
    },
  },
];
