/**
 * The `sync:` section of the gateway configuration (sync.md "Gateway configuration") and the broker
 * credentials the sync link logs in with. The messages themselves are in protocol/payloads.ts.
 */
import { z } from "zod";
import type { Mqtt } from "./gateway.js";
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_TOPIC_PREFIX,
  MAX_BATCH,
  TopicPrefix,
} from "./protocol/payloads.js";

const OFFLINE_DEFAULT = { maxStaleHours: 72, after: "keep-deciding" } as const;

/** How the gateway behaves when it has not synced for a while (issue 4 §3). */
export const SyncOffline = z.strictObject({
  /** How long the cache may be trusted without a successful sync. */
  maxStaleHours: z.number().positive().default(OFFLINE_DEFAULT.maxStaleHours),
  /** After that: keep deciding, or deny entries that would charge credits. */
  after: z.enum(["keep-deciding", "deny-paid"]).default(OFFLINE_DEFAULT.after),
});

const SYNC_DEFAULT = {
  enabled: false,
  topicPrefix: DEFAULT_TOPIC_PREFIX,
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  outboxAlarm: 1_000_000,
  ackTimeoutMs: 10_000,
  batchSize: MAX_BATCH,
  offline: { ...OFFLINE_DEFAULT },
};

/** The `sync:` section of the gateway configuration (sync.md). */
export const SyncSettings = z
  .strictObject({
    enabled: z.boolean().default(SYNC_DEFAULT.enabled),
    topicPrefix: TopicPrefix.default(SYNC_DEFAULT.topicPrefix),
    // MQTT's own ceiling is 256 MiB − 1 per packet; below 1 KiB not even a hello fits.
    maxMessageBytes: z.number().int().min(1024).max(268_435_455).default(SYNC_DEFAULT.maxMessageBytes),
    /** Events waiting before the status reports a problem (an alarm, the gateway keeps deciding). */
    outboxAlarm: z.number().int().positive().default(SYNC_DEFAULT.outboxAlarm),
    /** Re-publish unacked events after this long. */
    ackTimeoutMs: z.number().int().min(100).default(SYNC_DEFAULT.ackTimeoutMs),
    batchSize: z.number().int().min(1).max(MAX_BATCH).default(SYNC_DEFAULT.batchSize),
    offline: SyncOffline.default({ ...OFFLINE_DEFAULT }),
  })
  .default(() => structuredClone(SYNC_DEFAULT));
export type SyncSettings = z.infer<typeof SyncSettings>;

/**
 * sync.md: `sync.enabled` needs a broker (`mqtt:`) and the site it syncs (`gateway.site`). Works on the
 * parsed, possibly invalid document so it reports alongside schema problems (`path: message`).
 */
export function syncConfigProblems(raw: unknown): string[] {
  const doc = raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
  const sync = doc.sync as { enabled?: unknown } | null | undefined;
  if (sync?.enabled !== true) return [];
  const problems: string[] = [];
  if (doc.mqtt === undefined || doc.mqtt === null)
    problems.push("sync.enabled: sync needs an mqtt section (mqtt: { url: mqtts://broker:8883 })");
  const gateway = doc.gateway as { site?: unknown } | null | undefined;
  if (gateway?.site === undefined || gateway.site === null)
    problems.push("sync.enabled: sync needs the site id in gateway.site (gateway: { site: rome-center })");
  return problems;
}

/**
 * sync.md Security: broker credentials come from the config or the environment
 * (ACCESSGW_MQTT_USERNAME / ACCESSGW_MQTT_PASSWORD), never from the command line. The config wins.
 */
export function mqttCredentials(
  mqtt: Pick<Mqtt, "username" | "password"> | undefined,
  env: Record<string, string | undefined>,
): { username?: string; password?: string } {
  const nonEmpty = (s: string | undefined) => (s === undefined || s === "" ? undefined : s);
  const username = mqtt?.username ?? nonEmpty(env.ACCESSGW_MQTT_USERNAME);
  const password = mqtt?.password ?? nonEmpty(env.ACCESSGW_MQTT_PASSWORD);
  return {
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
}
