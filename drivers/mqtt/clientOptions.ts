/** MQTT.js client options from the gateway's `mqtt:` section, and the URL as logs may show it. */
import { readFileSync } from "node:fs";
import type { IClientOptions } from "mqtt";
import type { Mqtt } from "../../config/gateway.js";

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
