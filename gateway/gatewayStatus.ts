/**
 * How the gateway's parts become its status (statusDocument.ts's GatewayStatus): readers with their
 * decisions, the broker link, and the problems of devices whose links are down.
 */

import {
  type GatewayStatus,
  isoTime,
  type StatusCounters,
  type StatusLastScan,
  type StatusMqtt,
  type StatusOsdpPd,
  type StatusReader,
} from "../config/statusDocument.js";
import type { MqttConnection } from "../drivers/mqtt/connection.js";
import type { AccessPipeline } from "./features/accessPipeline.js";
import type { InputsFeature } from "./features/inputs.js";
import type { ReaderLink, ReadersFeature } from "./features/readers.js";
import type { RelaysFeature } from "./features/relays.js";
import { osdpPdOf, osdpProblems } from "./osdpStatus.js";

/** The parts of a running gateway whose devices the status shows. */
export interface DeviceParts {
  readers: ReadersFeature;
  pipeline: AccessPipeline;
  relays: RelaysFeature;
  inputs: InputsFeature;
  mqtt: MqttConnection | undefined;
}

/** The readers, relays, inputs and device broker with their problems (the sync link aside); none before start. */
export function deviceStatus(
  parts: DeviceParts | undefined,
): Pick<GatewayStatus, "readers" | "relays" | "inputs" | "mqtt" | "problems"> {
  const readers = (parts?.readers.links() ?? []).map((link) =>
    readerStatus(link, parts?.pipeline.lane(link.config.id) ?? { counters: totalsOf([]), lastScan: null }),
  );
  const relays = parts?.relays.status() ?? [];
  const inputs = parts?.inputs.status() ?? [];
  const mqtt = parts?.mqtt === undefined ? null : mqttStatus(parts.mqtt);
  const problems = [
    ...readers.flatMap((r) => [
      deviceProblem(`reader ${r.id}`, r),
      ...(r.osdp ? osdpProblems(r.id, r.osdp, r.state === "open") : []),
    ]),
    ...relays.map((r) => deviceProblem(`relay ${r.id}`, r)),
    ...(parts?.inputs.problems() ?? []),
    mqtt === null ? undefined : deviceProblem(`mqtt broker ${mqtt.url}`, mqtt),
  ].filter((p): p is string => p !== undefined);
  return { readers, relays, inputs, mqtt, problems };
}

/**
 * A device whose link failed and is being retried is a problem, whether it waits or is trying again
 * right now (a reason says it failed); the first connect after start and an open link are not. A
 * device without a driver ("unavailable") is a problem in its reason's words.
 */
export function deviceProblem(what: string, s: { state: string; reason: string | null }): string | undefined {
  if (s.state === "unavailable") return s.reason ?? `${what}: unavailable`;
  const retrying = s.state === "waiting" || (s.state === "connecting" && s.reason !== null);
  return retrying ? `${what}: not connected (${s.reason ?? "no reason given"}), retrying` : undefined;
}

/** A reader as status() shows it: its link (the readers feature) and its decisions (the pipeline). */
export function readerStatus(
  link: ReaderLink,
  lane: { counters: StatusCounters; lastScan: StatusLastScan | null },
): StatusReader {
  const h = link.health;
  return {
    id: link.config.id,
    driver: link.config.driver,
    state: link.state,
    since: isoTime(h?.since),
    reason: link.problem ?? h?.reason ?? null,
    attempts: h?.attempts ?? 0,
    retryInMs: h?.retryInMs ?? null,
    lastScan: lane.lastScan,
    counters: lane.counters,
    driverCounters: link.driver ? link.driver.counters() : null,
    ...osdpField(osdpPdOf(link.driver)),
  };
}

/** The shared broker connection as status() shows it (the URL with any password masked). */
export function mqttStatus(mqtt: MqttConnection): StatusMqtt {
  const h = mqtt.health();
  const c = mqtt.counters();
  return {
    url: mqtt.url,
    clientId: mqtt.clientId,
    state: h.state,
    since: isoTime(h.since),
    reason: h.lastError?.message ?? null,
    attempts: h.attempts,
    messagesIn: c.messagesIn,
    messagesOut: c.messagesOut,
    badPayloads: c.badPayloads,
    reconnects: c.reconnects,
  };
}

/** The sum of every reader's counters. */
export function totalsOf(readers: readonly StatusReader[]): StatusCounters {
  const totals: StatusCounters = { scans: 0, grants: 0, denies: 0, errors: 0, relayFailures: 0 };
  for (const r of readers)
    for (const k of Object.keys(totals) as (keyof StatusCounters)[]) totals[k] += r.counters[k];
  return totals;
}

/** The reader's `osdp` field when its driver reports a PD (absent otherwise). */
function osdpField(pd: StatusOsdpPd | null): { osdp?: StatusOsdpPd } {
  return pd === null ? {} : { osdp: pd };
}
