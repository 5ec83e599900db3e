/**
 * The topics of sync.md in one typed map: where each message kind lives, who sends it, whether it is
 * retained, and the schema of its payload. QoS 1 everywhere.
 */
import { DEFAULT_TOPIC_PREFIX, SYNC_PAYLOADS, type SyncKind } from "./payloads.js";

/** sync.md: all messages are QoS 1. */
export const SYNC_QOS = 1;

/** Where a topic hangs: under the site (`P/sites/S/…`) or under one gateway (`P/gateways/G/…`). */
export type TopicScope = "sites" | "gateways";
export type Direction = "toGateway" | "toCentral";

export interface TopicSpec<K extends SyncKind = SyncKind> {
  scope: TopicScope;
  /** The last topic level, which is also the message kind. */
  leaf: K;
  direction: Direction;
  retained: boolean;
  schema: (typeof SYNC_PAYLOADS)[K];
}

/** sync.md's two tables, one row per message kind. */
export const SYNC_TOPICS: { [K in SyncKind]: TopicSpec<K> } = {
  config: {
    scope: "sites",
    leaf: "config",
    direction: "toGateway",
    retained: true,
    schema: SYNC_PAYLOADS.config,
  },
  changes: {
    scope: "sites",
    leaf: "changes",
    direction: "toGateway",
    retained: false,
    schema: SYNC_PAYLOADS.changes,
  },
  sync: {
    scope: "gateways",
    leaf: "sync",
    direction: "toGateway",
    retained: false,
    schema: SYNC_PAYLOADS.sync,
  },
  acks: {
    scope: "gateways",
    leaf: "acks",
    direction: "toGateway",
    retained: false,
    schema: SYNC_PAYLOADS.acks,
  },
  hello: {
    scope: "gateways",
    leaf: "hello",
    direction: "toCentral",
    retained: false,
    schema: SYNC_PAYLOADS.hello,
  },
  events: {
    scope: "gateways",
    leaf: "events",
    direction: "toCentral",
    retained: false,
    schema: SYNC_PAYLOADS.events,
  },
  status: {
    scope: "gateways",
    leaf: "status",
    direction: "toCentral",
    retained: true,
    schema: SYNC_PAYLOADS.status,
  },
  // doors.md D5: the front desk's commands from the central, and how each one ended.
  commands: {
    scope: "gateways",
    leaf: "commands",
    direction: "toGateway",
    retained: false,
    schema: SYNC_PAYLOADS.commands,
  },
  "command-results": {
    scope: "gateways",
    leaf: "command-results",
    direction: "toCentral",
    retained: false,
    schema: SYNC_PAYLOADS["command-results"],
  },
};

export const SYNC_KINDS = Object.keys(SYNC_TOPICS) as SyncKind[];

/** The full topic of one kind, e.g. `accessgw/v1/gateways/gw-1/events`. */
export function syncTopic(kind: SyncKind, prefix: string, siteId: string, gatewayId: string): string {
  const spec = SYNC_TOPICS[kind];
  return `${prefix}/${spec.scope}/${spec.scope === "sites" ? siteId : gatewayId}/${spec.leaf}`;
}

/** Every topic of one gateway of one site, by kind. */
export function syncTopics(prefix: string, siteId: string, gatewayId: string): Record<SyncKind, string> {
  return Object.fromEntries(SYNC_KINDS.map((k) => [k, syncTopic(k, prefix, siteId, gatewayId)])) as Record<
    SyncKind,
    string
  >;
}

/** The topics a gateway subscribes to: what the central sends it (config, changes, sync, acks, commands). */
export function gatewaySubscriptions(prefix: string, siteId: string, gatewayId: string): string[] {
  return SYNC_KINDS.filter((k) => SYNC_TOPICS[k].direction === "toGateway").map((k) =>
    syncTopic(k, prefix, siteId, gatewayId),
  );
}

/** The topics a central subscribes to: what every gateway sends (hello, events, status, command-results), by wildcard. */
export function centralSubscriptions(prefix: string): string[] {
  return SYNC_KINDS.filter((k) => SYNC_TOPICS[k].direction === "toCentral").map(
    (k) => `${prefix}/${SYNC_TOPICS[k].scope}/+/${SYNC_TOPICS[k].leaf}`,
  );
}

/** A topic recognised as one of sync.md's: its kind and the site or gateway id it names. */
export type TopicMatch =
  | { kind: SyncKind; scope: "sites"; siteId: string }
  | { kind: SyncKind; scope: "gateways"; gatewayId: string };

/** Which message kind `topic` carries under `prefix` (and for which site or gateway), or null. */
export function matchTopic(topic: string, prefix: string = DEFAULT_TOPIC_PREFIX): TopicMatch | null {
  if (!topic.startsWith(`${prefix}/`)) return null;
  const levels = topic.slice(prefix.length + 1).split("/");
  if (levels.length !== 3) return null;
  const [scope, id, leaf] = levels as [string, string, string];
  if (id === "" || id === "+" || id === "#") return null;
  const spec = (SYNC_TOPICS as Record<string, TopicSpec | undefined>)[leaf];
  if (!spec || spec.scope !== scope) return null;
  return spec.scope === "sites"
    ? { kind: spec.leaf, scope: "sites", siteId: id }
    : { kind: spec.leaf, scope: "gateways", gatewayId: id };
}
