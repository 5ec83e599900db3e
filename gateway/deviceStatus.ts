/**
 * What Gateway.status() reports: per reader and relay health, last scan and counters. Its own
 * module so the daemon stays about wiring; `accessgw status` turns it into the status file.
 */
import type { Reader, Relay } from "../config/gateway.js";
import type { MqttCounters } from "../drivers/mqtt/connection.js";
import type { ReaderCounters } from "../drivers/readers/readerDriver.js";
import type { RelayCounters } from "../drivers/relays/relayDriver.js";
import type { HealthState } from "../drivers/transport/reconnecting.js";
import type { SyncReport } from "./sync/syncReport.js";

/** Running totals of one reader's decisions. */
export interface DecisionCounters {
  scans: number;
  grants: number;
  denies: number;
  /** Scans that threw (logged, never fatal). */
  errors: number;
  /** Grants whose door pulse failed (and were undone). */
  relayFailures: number;
}

/** A reader's last decided scan, as status() shows it: the card masked, never in clear. */
export interface LastScan {
  at: number;
  card: string;
  decision: "grant" | "deny";
  reason: string;
  eventId: string;
  memberId: string | null;
  /** True once this grant's door pulse failed (and the grant was undone). */
  relayFailed: boolean;
}

/** A reader as status() shows it. */
export interface ReaderStatus extends DecisionCounters {
  readerId: string;
  driver: Reader["driver"];
  /** "unavailable" when no driver could be made (see `problem`). */
  state: HealthState | "unavailable";
  problem?: string;
  /** When the state began (ms); undefined until the driver reports its first state. */
  since?: number;
  /** Why it is not open (the last open failure or disconnect). */
  reason?: string;
  /** Open attempts since it was last open. */
  attempts: number;
  /** While waiting: the delay before the next attempt (ms). */
  retryInMs?: number;
  lastScan: LastScan | null;
  /** The driver's counters (rejected reads by code, bytes, reconnects); null without a driver. */
  driverCounters: ReaderCounters | null;
}

/** A relay as status() shows it. */
export interface RelayStatus {
  relayId: string;
  driver: Relay["driver"];
  state: HealthState | "unavailable";
  problem?: string;
  /** When the state began (ms); undefined without a driver. */
  since?: number;
  /** Why it is not open (the last error of its link). */
  reason?: string;
  pulses: number;
  relayFailures: number;
  /** The driver's counters (pulses, completed, failed, timeouts…); null without a driver. */
  driverCounters: RelayCounters | null;
}

/** The daemon's health and counters. */
export interface GatewayStatus {
  running: boolean;
  readers: ReaderStatus[];
  relays: RelayStatus[];
  totals: DecisionCounters;
  /** Everything that keeps part of the configuration from working. */
  problems: string[];
  /** The shared broker connection; absent when the configuration has no mqtt: section. */
  mqtt?: MqttStatus;
  /** The link to the central (sync.md); absent unless `sync.enabled`. */
  sync?: SyncReport;
}

/** The broker connection as status() shows it (the URL with any password masked). */
export interface MqttStatus {
  url: string;
  clientId: string;
  state: HealthState;
  since: number;
  reason?: string;
  attempts: number;
  retryInMs?: number;
  counters: MqttCounters;
}

/**
 * A device whose link failed and is being retried is a problem, whether it waits or is trying again
 * right now (a reason says it failed); the first connect after start and an open link are not.
 */
export function downProblem(what: string, s: { state: string; reason?: string }): string | undefined {
  const retrying = s.state === "waiting" || (s.state === "connecting" && s.reason !== undefined);
  return retrying ? `${what}: not connected (${s.reason ?? "no reason given"}), retrying` : undefined;
}
