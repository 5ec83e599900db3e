/**
 * Plain MQTT clients a test plays the other side with (a device, the central, the gateway's seat),
 * on the file's broker; each is ended after the test.
 */
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { Defer } from "./cleanup.js";

/** One message a watcher saw. */
export interface Seen {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A client subscribed to some topics: what it saw, in arrival order, and a way to publish. */
export interface Watcher {
  client: MqttClient;
  seen: Seen[];
  /** The payloads seen on exactly `topic`. */
  on(topic: string): string[];
  /** Publishes a message as the watcher. */
  send(message: { topic: string; payload: string }): Promise<unknown>;
}

/** What a watcher subscribes with, and the options of its client. */
export interface WatcherOptions {
  qos?: 0 | 1 | 2;
  client?: IClientOptions;
}

/** Connects plain clients to `url`, ended (forced: the broker may be down by then) by `defer`. */
export function mqttPeers(url: string, defer: Defer) {
  /** A connected client; it does not reconnect unless `options` say so. */
  const connect = async (options: IClientOptions = {}): Promise<MqttClient> => {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...options });
    defer(() => client.endAsync(true));
    return client;
  };

  /** A client subscribed to `filter` that records every message it receives. */
  const watch = async (filter: string | string[], options: WatcherOptions = {}): Promise<Watcher> => {
    const client = await connect(options.client);
    const seen: Seen[] = [];
    client.on("message", (topic, payload, packet) => {
      seen.push({ topic, payload: payload.toString(), retain: packet.retain });
    });
    if (filter.length > 0) await client.subscribeAsync(filter, { qos: options.qos ?? 0 });
    return {
      client,
      seen,
      on: (topic) => seen.filter((m) => m.topic === topic).map((m) => m.payload),
      send: (message) => client.publishAsync(message.topic, message.payload),
    };
  };

  return { connect, watch };
}
