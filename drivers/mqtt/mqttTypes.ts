/** The vocabulary of the shared MQTT connection: its error, messages, handlers, counters and events. */
import type { Health } from "../transport/reconnecting.js";

/** Why an MQTT operation failed; `code` lets callers react without parsing messages. */
export type MqttErrorCode = "MQTT_NOT_CONNECTED" | "MQTT_PUBLISH_FAILED" | "MQTT_BAD_TOPIC" | "MQTT_STOPPED";

/** The MQTT layer's error: a code, the broker URL, and what was expected. */
export class MqttError extends Error {
  readonly code: MqttErrorCode;
  readonly url: string;

  constructor(code: MqttErrorCode, url: string, message: string, options?: { cause?: unknown }) {
    super(`mqtt ${url}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MqttError";
    this.code = code;
    this.url = url;
  }
}

/** One incoming message; `retain` is true when the broker replayed a stored message on subscribe. */
export interface MqttMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

/**
 * A subscriber; returning "rejected" counts the message as a bad payload. Throwing is caught and
 * counted. A returned promise holds the message's acknowledgement on a flow-controlled connection.
 */
export type MqttHandler = (message: MqttMessage) => unknown;

/** Publish options; QoS 0 and not retained by default. */
export interface PublishOptions {
  qos?: 0 | 1 | 2;
  retain?: boolean;
}

/** Running totals since construction. */
export interface MqttCounters {
  messagesIn: number;
  messagesOut: number;
  /** Messages a handler rejected (bad JSON, wrong shape, too large…). */
  badPayloads: number;
  /** Handler calls that threw (a bug; logged and contained). */
  handlerErrors: number;
  /** Publishes refused while not connected, or that failed on the wire. */
  publishFailures: number;
  /** Times the connection opened again after having been open. */
  reconnects: number;
}

/** What the connection reports. */
export interface MqttConnectionEvents {
  state: (health: Health) => void;
}

/**
 * What readers and relays need from the broker connection; MqttConnection implements it, and a
 * test can hand in a fake.
 */
export interface MqttLink {
  /** Routes messages matching `filter` to `handler`; returns a function that removes it. */
  subscribe(filter: string, handler: MqttHandler): () => void;
  /** Publishes; rejects at once with MQTT_NOT_CONNECTED while the broker is away. */
  publish(topic: string, payload: string | Uint8Array, options?: PublishOptions): Promise<void>;
  /** The connection's health (a copy). */
  health(): Health;
  /** True while connected to the broker. */
  isOpen(): boolean;
  /** Subscribes to "state"; returns a function that unsubscribes. */
  on<K extends keyof MqttConnectionEvents>(event: K, listener: MqttConnectionEvents[K]): () => void;
  /** A request id unique on this connection. */
  nextRequestId(): number;
}
