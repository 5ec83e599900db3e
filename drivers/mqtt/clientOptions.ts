/** MQTT.js client options from the gateway's `mqtt:` section, and the URL as logs may show it. */
import { readFileSync } from "node:fs";
import type { IClientOptions } from "mqtt";
import type { Logger } from "pino";
import type { Mqtt } from "../../config/gateway.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { BackoffOptions } from "../transport/backoff.js";

/** The URL with a password in its user info masked: "mqtt://gw:***@host:1883". */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, "$1:***@");
}

/** A session the broker keeps across disconnects (sync.md: clean: false, MQTT 5 session expiry ≥ 1 day). */
export interface MqttSession {
  /** Session expiry in seconds (MQTT 5): how long the broker keeps subscriptions and queued QoS 1 messages. */
  expirySeconds: number;
  /** The last will the broker publishes when the connection drops without a DISCONNECT. */
  will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
  /** The largest packet this client accepts (MQTT 5 Maximum Packet Size); larger ones are refused. */
  maximumPacketSize?: number;
}

/** The MQTT protocol levels a persistent session can use: 5, or 3.1.1 (4) for brokers without MQTT 5. */
export type SessionProtocol = 4 | 5;

/**
 * The options for MQTT.js: a clean session (or, with `session`, a persistent MQTT 5 one), no MQTT.js reconnect (the connection reconnects itself
 * with jittered backoff), no offline queue, and the TLS files read from disk now (so a missing
 * file is a retryable connect failure, not a crash). Throws the fs error when a file is unreadable.
 * With `protocol: 4` a session is an MQTT 3.1.1 persistent one (clean false, kept until the broker
 * forgets it; no expiry or packet size properties exist in 3.1.1).
 */
export function clientOptions(
  config: Mqtt,
  clientId: string,
  timing: { keepaliveSeconds: number; connectTimeoutMs: number },
  session?: MqttSession,
  protocol: SessionProtocol = 5,
): IClientOptions {
  const options: IClientOptions = {
    clientId,
    clean: session === undefined,
    reconnectPeriod: 0,
    resubscribe: false,
    queueQoSZero: false,
    keepalive: timing.keepaliveSeconds,
    connectTimeout: timing.connectTimeoutMs,
  };
  if (session !== undefined && protocol === 4) {
    options.protocolVersion = 4;
    if (session.will !== undefined) options.will = { ...session.will };
  } else if (session !== undefined) {
    options.protocolVersion = 5;
    options.properties = {
      sessionExpiryInterval: session.expirySeconds,
      ...(session.maximumPacketSize === undefined ? {} : { maximumPacketSize: session.maximumPacketSize }),
    };
    if (session.will !== undefined) options.will = { ...session.will };
  }
  if (config.username !== undefined) options.username = config.username;
  if (config.password !== undefined) options.password = config.password;
  if (config.ca !== undefined) options.ca = readFileSync(config.ca);
  if (config.cert !== undefined) options.cert = readFileSync(config.cert);
  if (config.key !== undefined) options.key = readFileSync(config.key);
  return options;
}

/** What an MqttConnection is handed. */
export interface MqttConnectionOptions {
  /** The `mqtt:` section of the gateway configuration (TLS paths already absolute). */
  config: Mqtt;
  /** Gives the default client id `accessgw-<gatewayId>`. */
  gatewayId: string;
  logger: Logger;
  now?: () => number;
  scheduler?: Scheduler;
  /** Delay between reconnect attempts; 250 ms doubling to 30 s with full jitter by default. */
  backoff?: BackoffOptions;
  random?: () => number;
  /** MQTT keepalive in seconds (default 30): how fast a silently dead broker is noticed. */
  keepaliveSeconds?: number;
  /** How long one connection attempt may take, in ms (default 10 s). */
  connectTimeoutMs?: number;
  /** Overrides the client id (config.clientId, else `accessgw-<gatewayId>`). */
  clientId?: string;
  /**
   * A persistent MQTT 5 session with a last will (the sync link). Without it the session is clean,
   * so card reads queued while the gateway was away never arrive late and open a door for nobody.
   */
  session?: MqttSession;
  /**
   * Flow control (the sync link): while a message's handlers are still working on it (the promises
   * they returned have not settled), at most one more message is read from the socket; the next
   * waits, and with it the acknowledgement of that one. A snapshot of a million members then
   * arrives as fast as it is applied, one message ahead, instead of piling up in memory; the broker
   * keeps the rest. Handlers must not wait for the network themselves (a publish's PUBACK is read
   * from the same socket).
   */
  flowControl?: boolean;
}
