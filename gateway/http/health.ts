/**
 * /healthz and /readyz: whether the daemon lives (its event loop answers and the gateway runs) and
 * whether it is ready to open doors (every device a door needs is connected and reading, and the
 * cache can decide). Pure functions over the status, so each answer says in words what is wrong.
 */
import type { Door, GatewayConfig } from "../../config/gateway.js";
import type { GatewayStatus } from "../../config/statusDocument.js";

/** An answer of /healthz or /readyz: its HTTP status and JSON body. */
export interface HealthAnswer {
  code: 200 | 503;
  body: { status: "ok" | "unavailable"; problems: string[] };
}

/** What the cache looks like to readiness: whether a site is stored, and the storage's problems. */
export interface CacheFacts {
  hasSite: boolean;
  storageProblems: readonly string[];
}

/** An answer: 200 without problems, else 503 naming them. */
function answer(problems: string[]): HealthAnswer {
  return problems.length === 0
    ? { code: 200, body: { status: "ok", problems } }
    : { code: 503, body: { status: "unavailable", problems } };
}

/** Why a gateway that is not running is not: it is stopping, or not (yet, or any more) started. */
function notRunning(state: GatewayStatus["state"]): string[] {
  if (state === "running") return [];
  return [
    state === "stopping" ? "the gateway is stopping" : "the gateway is not running (starting, or stopped)",
  ];
}

/** /healthz: live while the gateway runs (an answer at all means the event loop turns). */
export function liveness(state: GatewayStatus["state"]): HealthAnswer {
  return answer(notRunning(state));
}

/** The input ids a door reads (D1: its passage outputs, contact and exit button). */
function doorInputs(door: Door): string[] {
  return [door.passage, door.passageB, door.contact, door.rex].filter((i): i is string => i !== undefined);
}

/** A device's link in words when it is not open, else undefined. */
function notOpen(what: string, s: { state: string; reason: string | null }): string | undefined {
  return s.state === "open" ? undefined : `${what} is ${s.state}${s.reason ? ` (${s.reason})` : ""}`;
}

/** What keeps one door from working: its readers, its relay board and its inputs. */
function doorProblems(door: Door, config: GatewayConfig, status: GatewayStatus): string[] {
  const found: (string | undefined)[] = [];
  for (const reader of config.readers.filter((r) => r.door === door.id)) {
    const s = status.readers.find((r) => r.id === reader.id);
    found.push(s ? notOpen(`reader ${reader.id}`, s) : `reader ${reader.id} is not started`);
  }
  const relay = status.relays.find((r) => r.id === door.relay);
  found.push(relay ? notOpen(`relay ${door.relay}`, relay) : `relay ${door.relay} is not started`);
  for (const id of doorInputs(door)) {
    const s = status.inputs.find((i) => i.id === id);
    if (!s) found.push(`input ${id} is not started`);
    else if (s.level === "unknown") found.push(`input ${id} cannot be read (${s.reason ?? s.state})`);
  }
  return found.filter((p): p is string => p !== undefined).map((p) => `door ${door.id}: ${p}`);
}

/**
 * /readyz: ready when the gateway runs, every door's readers, relay board and inputs are connected
 * and reading, and the cache has a site and can be written (else scans are refused: R14).
 */
export function readiness(config: GatewayConfig, status: GatewayStatus, cache: CacheFacts): HealthAnswer {
  const problems = notRunning(status.state);
  if (!cache.hasSite)
    problems.push("the cache has no site configuration yet (import one, or wait for the central's)");
  problems.push(...cache.storageProblems);
  for (const door of config.doors) problems.push(...doorProblems(door, config, status));
  return answer(problems);
}
