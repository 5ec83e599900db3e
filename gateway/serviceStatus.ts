/**
 * The one line `systemctl status accessgw` shows (the notify protocol's STATUS=): how many readers
 * and relays are connected, how many problems, and the sync link, so a technician sees at a glance
 * whether the gateway is well without reading the log.
 */
import type { GatewayStatus } from "../config/statusDocument.js";

/** "3 of 3 readers and 2 of 2 relays connected, 0 problems, sync connected" (sync only when on). */
export function serviceStatusLine(status: GatewayStatus): string {
  if (status.state !== "running") return status.state;
  const { readers, relays, problems, sync } = status;
  const open = (devices: readonly { state: string }[]) => devices.filter((d) => d.state === "open").length;
  const parts = [
    `${open(readers)} of ${readers.length} ${plural(readers.length, "reader")} and ` +
      `${open(relays)} of ${relays.length} ${plural(relays.length, "relay")} connected`,
    `${problems.length} ${plural(problems.length, "problem")}`,
  ];
  if (sync !== null) parts.push(`sync ${sync.state === "open" ? "connected" : sync.state}`);
  return parts.join(", ");
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/** How long READY=1 waits for the devices' first connection attempts (a dead reader must not block it). */
export const READY_WAIT_MS = 5000;

/**
 * True when no reader or relay is still in its first connection attempt: each is open, or failed
 * once and retries (a problem the STATUS= line and `accessgw status` name).
 */
export function devicesSettled(status: GatewayStatus): boolean {
  const first = (d: { state: string; reason: string | null }) =>
    d.state === "connecting" && d.reason === null;
  return !status.readers.some(first) && !status.relays.some(first);
}

/**
 * Resolves once devicesSettled() holds or `limitMs` passed, whichever comes first: READY=1 then
 * means the readers were opened, yet a reader that never answers cannot keep the service "activating".
 */
export async function whenDevicesSettled(read: () => GatewayStatus, limitMs = READY_WAIT_MS): Promise<void> {
  const stepMs = 25;
  for (let waited = 0; waited < limitMs && !devicesSettled(read()); waited += stepMs)
    await new Promise((resolve) => setTimeout(resolve, stepMs));
}
