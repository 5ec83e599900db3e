/** MQTT.js client options from the gateway's `mqtt:` section, and the URL as logs may show it. */
import { readFileSync } from "node:fs";
import type { IClientOptions } from "mqtt";
import type { Mqtt } from "../../config/gateway.js";

/** The URL with a password in its user info masked: "mqtt://gw:***@host:1883". */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, "$1:***@");
}

/**
 * The options for MQTT.js: a clean session, no MQTT.js reconnect (the connection reconnects itself
 * with jittered backoff), no offline queue, and the TLS files read from disk now (so a missing
 * file is a retryable connect failure, not a crash). Throws the fs error when a file is unreadable.
 */
export function clientOptions(
  config: Mqtt,
  clientId: string,
  timing: { keepaliveSeconds: number; connectTimeoutMs: number },
): IClientOptions {
  const options: IClientOptions = {
    clientId,
    clean: true,
    reconnectPeriod: 0,
    resubscribe: false,
    queueQoSZero: false,
    keepalive: timing.keepaliveSeconds,
    connectTimeout: timing.connectTimeoutMs,
  };
  if (config.username !== undefined) options.username = config.username;
  if (config.password !== undefined) options.password = config.password;
  if (config.ca !== undefined) options.ca = readFileSync(config.ca);
  if (config.cert !== undefined) options.cert = readFileSync(config.cert);
  if (config.key !== undefined) options.key = readFileSync(config.key);
  return options;
}
