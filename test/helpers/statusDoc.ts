/**
 * A daemon's status document for the status tests: the gateway's status (one reader waiting, one
 * relay open) as the daemon writes it at T0, and any field overridden.
 */
import type { GatewayStatus } from "../../config/statusDocument.js";
import { type StatusDocument, toStatusDocument } from "../../config/statusDocument.js";

export const T0 = Date.parse("2026-11-25T10:00:00.000Z");

/** A daemon's status as the gateway reports it: one reader waiting, one relay open. */
export const gatewayStatus: GatewayStatus = {
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

/** The document the daemon writes at T0 for `status` (the gateway's status). */
export function docOf(status: GatewayStatus): StatusDocument {
  return toStatusDocument(status, {
    gatewayId: "gw-1",
    pid: 4242,
    state: "running",
    startedAt: T0 - 120_000,
    now: T0,
    config: "/etc/accessgw/gateway.yaml",
    dataDir: "/var/lib/accessgw",
    zone: "Europe/Rome",
  });
}

/** The document at T0 for gatewayStatus, with `overrides`. */
export function doc(overrides: Partial<StatusDocument> = {}): StatusDocument {
  return { ...docOf(gatewayStatus), ...overrides };
}
