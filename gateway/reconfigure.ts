/**
 * Carries out a reload's plan (configDiff.ts) on the running gateway's parts, in an order that
 * keeps every untouched door working: the readers that go or restart stop first (no card of theirs
 * is decided with half a configuration), then the relays and inputs that go or restart; the broker
 * and sync links restart; the new relays and inputs start (each opens into its door's mode); the
 * doors, the access pipeline and the front desk take the new configuration; the new readers start
 * last, so their first card finds everything it needs. Untouched drivers are never closed.
 */
import type { Logger } from "pino";
import type { GatewayConfig } from "../config/gateway.js";
import type { MqttConnection } from "../drivers/mqtt/connection.js";
import { type ConfigChange, type DevicePlan, describeChange, type ReloadPlan } from "./configDiff.js";
import type { AccessPipeline } from "./features/accessPipeline.js";
import type { DoorsFeature } from "./features/doors.js";
import type { FrontDesk } from "./features/frontDesk.js";
import type { InputsFeature } from "./features/inputs.js";
import type { ReadersFeature } from "./features/readers.js";
import type { RelaysFeature } from "./features/relays.js";
import type { SyncClient } from "./sync/client.js";

/** The running gateway's parts a reload changes; `mqtt` and `sync` are replaced when they restart. */
export interface LiveParts {
  readers: ReadersFeature;
  relays: RelaysFeature;
  inputs: InputsFeature;
  doors: DoorsFeature;
  pipeline: AccessPipeline;
  frontDesk: FrontDesk;
  mqtt: MqttConnection | undefined;
  sync: SyncClient | undefined;
}

/** How the gateway makes its links and sets its log level (daemon.ts). */
export interface Rewiring {
  makeMqtt: (config: GatewayConfig) => MqttConnection | undefined;
  makeSync: (config: GatewayConfig) => SyncClient | undefined;
  /** The gateway's logger (component "gateway"): one line per change. */
  log: Logger;
  /** Applies gateway.yaml's new `log.level` (the daemon's root logger; its children follow). */
  setLogLevel: (level: NonNullable<ReloadPlan["logLevel"]>) => void;
}

/** The ids that go away or restart. */
const going = (plan: DevicePlan): string[] => [...plan.removed, ...plan.restarted];
/** The ids that start or restart. */
const coming = (plan: DevicePlan): Set<string> => new Set([...plan.added, ...plan.restarted]);

/** Applies `plan` (never one that needs a restart) so that `next` is the running configuration. */
export async function reconfigure(
  parts: LiveParts,
  plan: ReloadPlan,
  next: GatewayConfig,
  w: Rewiring,
): Promise<void> {
  if (plan.logLevel !== undefined) w.setLogLevel(plan.logLevel);
  await parts.readers.stopSome(going(plan.readers));
  await Promise.all([parts.inputs.stopSome(going(plan.inputs)), parts.relays.stopSome(going(plan.relays))]);
  if (plan.sync) {
    await parts.sync?.stop();
    parts.sync = undefined;
  }
  if (plan.mqtt) {
    await parts.mqtt?.stop();
    parts.mqtt = w.makeMqtt(next);
    parts.mqtt?.start();
  }
  if (plan.sync) {
    parts.sync = w.makeSync(next);
    parts.sync?.start();
  }
  parts.relays.startSome(next.relays, coming(plan.relays));
  parts.inputs.startSome(next.inputs, coming(plan.inputs));
  if (plan.doors) parts.doors.reconfigure(next);
  parts.pipeline.reconfigure(next);
  parts.frontDesk.reconfigure(next);
  parts.readers.startSome(next.readers, coming(plan.readers));
  for (const change of plan.changes) w.log.info(changeFields(change), describeChange(change));
}

/** A change's log fields: `readerId: "pool-in"` for a reader, and so on. */
function changeFields(change: ConfigChange): Record<string, string> {
  const key = {
    reader: "readerId",
    relay: "relayId",
    input: "inputId",
    door: "doorId",
    "fire input": "inputId",
  };
  const name = change.subject in key ? key[change.subject as keyof typeof key] : "subject";
  return { [name]: change.id ?? change.subject, action: change.action, why: change.why };
}
