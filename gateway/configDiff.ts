/**
 * What a reload changes (cli.md `reload`): the running gateway configuration against the one just
 * read, by id. Pure: it says what starts, stops and restarts, and what only a restart can change;
 * the daemon (gateway/reconfigure.ts) carries the plan out.
 */
import { isDeepStrictEqual } from "node:util";
import type { GatewayConfig } from "../config/gateway.js";

/** What a change is about, as its log line names it ("reader pool-in restarted (port changed)"). */
export type ChangeSubject =
  | "reader"
  | "relay"
  | "input"
  | "door"
  | "fire input"
  | "mqtt"
  | "sync"
  | "log level";

/** One change a reload makes. */
export interface ConfigChange {
  subject: ChangeSubject;
  /** The reader's, relay's… id; null for the broker, the sync link and the log level. */
  id: string | null;
  action: "added" | "removed" | "restarted" | "changed";
  /** Why, for a person: "port changed", "the broker changed", "info → debug". */
  why: string;
}

/** The devices of one kind: what starts, what stops, what restarts (each id once). */
export interface DevicePlan {
  added: string[];
  removed: string[];
  restarted: string[];
}

/** What a reload does, or why it cannot (settings only a restart changes). */
export interface ReloadPlan {
  changes: ConfigChange[];
  /** Settings that cannot change while the daemon runs; when any, the reload is refused whole. */
  needsRestart: string[];
  readers: DevicePlan;
  relays: DevicePlan;
  inputs: DevicePlan;
  /** The doors or fire inputs changed: the doors' logic takes the new ones (their relays and readers stay). */
  doors: boolean;
  /** The shared broker connection restarts, and every mqtt-* reader, relay and input with it. */
  mqtt: boolean;
  /** The sync link restarts. */
  sync: boolean;
  /** The new log level, when it changed. */
  logLevel: GatewayConfig["log"]["level"] | undefined;
}

/** The `gateway:` settings a reload cannot change: the events' gateway id and the data folder are fixed for a run. */
const FIXED_GATEWAY_KEYS = ["id", "data", "dataGroup"] as const;

/** The top-level fields that differ between two records, e.g. ["port", "debounceMs"]. */
export function changedFields(before: object, after: object): string[] {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((k) => !isDeepStrictEqual(a[k], b[k]));
}

/** "port changed", "port and baudRate changed". */
function fieldsChanged(fields: readonly string[]): string {
  const list =
    fields.length <= 1 ? fields.join("") : `${fields.slice(0, -1).join(", ")} and ${fields.at(-1)}`;
  return `${list} changed`;
}

/** A device kind's plan by id; `alsoRestart` names kept devices that restart for another reason (the broker). */
function planDevices<T extends { id: string }>(
  subject: ChangeSubject,
  before: readonly T[],
  after: readonly T[],
  alsoRestart: (device: T) => string | undefined,
  changes: ConfigChange[],
): DevicePlan {
  const plan: DevicePlan = { added: [], removed: [], restarted: [] };
  const old = new Map(before.map((d) => [d.id, d]));
  const kept = new Set(after.map((d) => d.id));
  for (const device of before)
    if (!kept.has(device.id)) {
      plan.removed.push(device.id);
      changes.push({ subject, id: device.id, action: "removed", why: "not in the file any more" });
    }
  for (const device of after) {
    const was = old.get(device.id);
    if (was === undefined) {
      plan.added.push(device.id);
      changes.push({ subject, id: device.id, action: "added", why: "new in the file" });
      continue;
    }
    const fields = changedFields(was, device);
    const why = fields.length > 0 ? fieldsChanged(fields) : alsoRestart(device);
    if (why === undefined) continue;
    plan.restarted.push(device.id);
    changes.push({ subject, id: device.id, action: "restarted", why });
  }
  return plan;
}

/** Doors and fire inputs hold no driver: a change is taken by the doors' logic ("changed", not "restarted"). */
function planLogic<T>(
  subject: ChangeSubject,
  idOf: (item: T) => string,
  before: readonly T[],
  after: readonly T[],
  changes: ConfigChange[],
): boolean {
  const plan = planDevices(
    subject,
    before.map((item) => ({ ...item, id: idOf(item) })),
    after.map((item) => ({ ...item, id: idOf(item) })),
    () => undefined,
    changes,
  );
  for (const change of changes)
    if (change.subject === subject && change.action === "restarted") change.action = "changed";
  return plan.added.length + plan.removed.length + plan.restarted.length > 0;
}

/** Whether a driver uses the shared broker connection (the mqtt-* drivers). */
const onBroker = (device: { driver: string }): boolean => device.driver.startsWith("mqtt-");

/** Where reader `readerId`'s PD is in `config` ("/dev/ttyUSB2 address 1"), when it is an osdp reader. */
function osdpPdOf(config: GatewayConfig, readerId: string): string | undefined {
  const reader = config.readers.find((r) => r.id === readerId);
  return reader?.driver === "osdp" ? `${reader.port} address ${reader.address}` : undefined;
}

/** An osdp-output relay drives its reader's PD: when that PD moves (port or address), the relay restarts to follow it. */
function pdMoved(
  relay: GatewayConfig["relays"][number],
  running: GatewayConfig,
  next: GatewayConfig,
): string | undefined {
  if (relay.driver !== "osdp-output") return undefined;
  const [before, after] = [osdpPdOf(running, relay.reader), osdpPdOf(next, relay.reader)];
  if (before === after) return undefined;
  return `reader ${relay.reader}'s PD moved: ${before ?? "none"} → ${after ?? "none"}`;
}

/** The plan of a reload from `running` to `next`, both valid configurations. */
export function planReload(running: GatewayConfig, next: GatewayConfig): ReloadPlan {
  const changes: ConfigChange[] = [];
  const needsRestart = FIXED_GATEWAY_KEYS.filter(
    (key) => !isDeepStrictEqual(running.gateway[key], next.gateway[key]),
  ).map(
    (key) =>
      `gateway.${key} cannot change while the daemon runs (${show(running.gateway[key])} → ${show(next.gateway[key])}): restart the daemon to use it`,
  );
  const mqtt = !isDeepStrictEqual(running.mqtt, next.mqtt);
  if (mqtt)
    changes.push({
      subject: "mqtt",
      id: null,
      action: running.mqtt === undefined ? "added" : next.mqtt === undefined ? "removed" : "restarted",
      why: mqttWhy(running.mqtt, next.mqtt),
    });
  // The sync link has its own session on the same broker, under the site's topics.
  const syncFields = [
    ...changedFields(running.sync, next.sync).map((f) => `sync.${f}`),
    ...(running.gateway.site === next.gateway.site ? [] : ["gateway.site"]),
  ];
  const syncOn = running.sync.enabled || next.sync.enabled;
  const sync = syncOn && (syncFields.length > 0 || mqtt);
  if (sync)
    changes.push({
      subject: "sync",
      id: null,
      action: !running.sync.enabled ? "added" : !next.sync.enabled ? "removed" : "restarted",
      why: syncFields.length > 0 ? fieldsChanged(syncFields) : "the broker changed",
    });
  const brokerWhy = (device: { driver: string }) =>
    mqtt && onBroker(device) ? "the broker changed" : undefined;
  const readers = planDevices("reader", running.readers, next.readers, brokerWhy, changes);
  const relays = planDevices(
    "relay",
    running.relays,
    next.relays,
    (relay) => brokerWhy(relay) ?? pdMoved(relay, running, next),
    changes,
  );
  const inputs = planDevices("input", running.inputs, next.inputs, brokerWhy, changes);
  const doorsChanged = planLogic("door", (d) => d.id, running.doors, next.doors, changes);
  const fireChanged = planLogic("fire input", (f) => f.input, running.fireInputs, next.fireInputs, changes);
  const logLevel = running.log.level === next.log.level ? undefined : next.log.level;
  if (logLevel !== undefined)
    changes.push({
      subject: "log level",
      id: null,
      action: "changed",
      why: `${running.log.level} → ${logLevel}`,
    });
  return {
    changes,
    needsRestart,
    readers,
    relays,
    inputs,
    doors: doorsChanged || fireChanged,
    mqtt,
    sync,
    logLevel,
  };
}

/** One change as its log line and the reload's answer say it: "reader pool-in restarted (port changed)". */
export function describeChange(change: ConfigChange): string {
  const who = change.id === null ? change.subject : `${change.subject} ${change.id}`;
  return `${who} ${change.action} (${change.why})`;
}

/** Why the broker connection changes, without its password. */
function mqttWhy(before: GatewayConfig["mqtt"], after: GatewayConfig["mqtt"]): string {
  if (before === undefined) return "new in the file";
  if (after === undefined) return "not in the file any more";
  return fieldsChanged(changedFields(before, after).map((f) => `mqtt.${f}`));
}

function show(value: unknown): string {
  return value === undefined ? "unset" : JSON.stringify(value);
}
