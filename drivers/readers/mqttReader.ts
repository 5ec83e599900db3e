/**
 * Card readers that publish over MQTT: Tasmota (`tele/<topic>/SENSOR`), esp-rfid (`<topic>/send`,
 * `<topic>/tag` or `<topic>`), generic JSON (any topic, a field path) and bare text (any topic, the
 * payload is the card). They share the gateway's one broker connection: start() subscribes,
 * stop() unsubscribes, and `state` mirrors the connection's health.
 */

import type { Logger } from "pino";
import type { Reader } from "../../config/gateway.js";
import { toCardNumber } from "../codecs/cardNumber.js";
import { espRfidTopics, parseEspRfidMessage } from "../codecs/espRfid.js";
import { parseJsonReaderMessage, parseTextReaderMessage, type ReaderMessage } from "../codecs/mqttReaders.js";
import { type FeedbackMessage, jsonFeedback, tasmotaFeedback } from "../codecs/readerFeedback.js";
import { parseTasmotaMessage } from "../codecs/tasmotaSensor.js";
import type { MqttLink, MqttMessage } from "../mqtt/mqttTypes.js";
import { Listeners } from "../transport/listeners.js";
import type { Health } from "../transport/reconnecting.js";
import type {
  ReaderCounters,
  ReaderDriver,
  ReaderEvents,
  ReaderFeedback,
  ReaderRejectCode,
} from "./readerDriver.js";
import { RejectLog } from "./rejectLog.js";

/** A reader config whose driver speaks MQTT. */
export type MqttReaderConfig = Extract<
  Reader,
  { driver: "mqtt-tasmota" | "mqtt-esp-rfid" | "mqtt-json" | "mqtt-text" }
>;

/** What an MQTT reader is handed besides its config. */
export interface MqttReaderDeps {
  connection: MqttLink;
  /** Stamps `card` events (ms). */
  clock: () => number;
  logger: Logger;
  /** Larger payloads are rejected unread ("too_long"); default 4096 bytes. */
  maxPayloadBytes?: number;
}

/** Card payloads are a few hundred bytes; anything far larger is garbage or an attack. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 4096;

/** The topic filters a reader config listens on (esp-rfid: one per firmware layout). */
export function readerTopicFilters(config: MqttReaderConfig): string[] {
  switch (config.driver) {
    case "mqtt-tasmota":
      return [`tele/${config.topic}/SENSOR`];
    case "mqtt-esp-rfid":
      return espRfidTopics(config.topic);
    case "mqtt-json":
    case "mqtt-text":
      return [config.topic];
  }
}

/** Parses one message for a reader config with the matching codec; never throws. */
export function parseReaderMessage(
  config: MqttReaderConfig,
  topic: string,
  payload: Uint8Array,
): ReaderMessage {
  switch (config.driver) {
    case "mqtt-tasmota":
      return parseTasmotaMessage(topic, payload, config.topic);
    case "mqtt-esp-rfid":
      return parseEspRfidMessage(topic, payload, config.topic);
    case "mqtt-json":
      return parseJsonReaderMessage(payload, config.field);
    case "mqtt-text":
      return parseTextReaderMessage(payload);
  }
}

/**
 * D6: the messages a reader config gets for a decision: Tasmota its buzzer (and display), mqtt-json
 * its `feedbackTopic`; esp-rfid's MQTT commands have no buzzer, LED or text, and mqtt-text has no
 * way back, so they get nothing.
 */
export function feedbackMessages(config: MqttReaderConfig, f: ReaderFeedback): FeedbackMessage[] {
  switch (config.driver) {
    case "mqtt-tasmota":
      return tasmotaFeedback(config.topic, f, config.display === true);
    case "mqtt-json":
      return config.feedbackTopic === undefined
        ? []
        : [{ topic: config.feedbackTopic, payload: jsonFeedback(f) }];
    case "mqtt-esp-rfid":
    case "mqtt-text":
      return [];
  }
}

/** An MQTT card reader; the constructor only assigns, start() subscribes. */
export class MqttReader implements ReaderDriver {
  readonly id: string;
  private readonly config: MqttReaderConfig;
  private readonly deps: MqttReaderDeps;
  private readonly listeners = new Listeners<ReaderEvents>();
  private readonly totals: ReaderCounters = { cards: 0, rejected: {}, bytes: 0, reconnects: 0 };
  private readonly rejects: RejectLog;
  private unsubscribe: (() => void)[] = [];
  private running = false;
  private stopped = false;
  private wasOpen = false;

  constructor(config: MqttReaderConfig, deps: MqttReaderDeps) {
    this.id = config.id;
    this.config = config;
    this.deps = deps;
    this.rejects = new RejectLog(deps.logger, deps.clock, "mqtt");
  }

  /** Subscribes to "card", "keypad", "rejected" or "state"; returns a function that unsubscribes. */
  on<K extends keyof ReaderEvents>(event: K, listener: ReaderEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }

  /** A snapshot of the counters. */
  counters(): ReaderCounters {
    return { ...this.totals, rejected: { ...this.totals.rejected } };
  }

  /** Subscribes on the shared connection and reports its current health; later calls do nothing. */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    const { connection } = this.deps;
    this.unsubscribe = [
      connection.on("state", (health) => this.onHealth(health)),
      ...readerTopicFilters(this.config).map((filter) =>
        connection.subscribe(filter, (message) => this.onMessage(message)),
      ),
    ];
    this.onHealth(connection.health());
  }

  /** D6: publishes the decision to the device, fire-and-forget; a broker away loses only the beep. */
  feedback(f: ReaderFeedback): void {
    if (!this.running) return;
    for (const { topic, payload } of feedbackMessages(this.config, f))
      this.deps.connection.publish(topic, payload).catch((err: unknown) => {
        // Not an error of the reader's (D6): the door has its pulse already; debug only.
        this.deps.logger.debug({ err, topic }, "reader feedback not delivered");
      });
  }

  /** Unsubscribes; the shared connection stays up for the others. No events follow. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.running = false;
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private onMessage(message: MqttMessage): "rejected" | undefined {
    if (this.stopped) return undefined;
    // A retained message is an old read the broker replays on subscribe: it must never open a door.
    if (message.retain) {
      this.deps.logger.debug({ topic: message.topic }, "retained message ignored");
      return undefined;
    }
    const { payload } = message;
    this.totals.bytes += payload.length;
    const max = this.deps.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    if (payload.length > max) {
      return this.reject(
        "too_long",
        `payload of ${payload.length} bytes on ${message.topic}, expected ≤ ${max}`,
        message.topic,
      );
    }
    const parsed = parseReaderMessage(this.config, message.topic, payload);
    if (parsed.kind === "ignored") return undefined;
    if (parsed.kind === "error")
      return this.reject(parsed.code, `${message.topic}: ${parsed.error}`, message.topic);
    if (parsed.kind === "keypad") {
      this.totals.keypads = (this.totals.keypads ?? 0) + 1;
      // R21: keys may be a PIN: never logged, not even at debug.
      this.listeners.emit("keypad", { readerId: this.id, keys: parsed.keys, at: this.deps.clock() });
      return undefined;
    }
    const converted = toCardNumber(parsed.raw, this.config.cardNumber);
    if (!converted.ok) return this.reject(converted.error, converted.detail, message.topic);
    this.totals.cards++;
    // Card numbers only at debug: never in clear text at info level.
    this.deps.logger.debug({ card: converted.card }, "card read");
    this.listeners.emit("card", { readerId: this.id, card: converted.card, at: this.deps.clock() });
    return undefined;
  }

  private reject(error: ReaderRejectCode, detail: string, topic: string): "rejected" {
    this.totals.rejected[error] = (this.totals.rejected[error] ?? 0) + 1;
    this.rejects.report(error, detail, { topic });
    this.listeners.emit("rejected", { readerId: this.id, error, detail });
    return "rejected";
  }

  private onHealth(health: Health): void {
    if (this.stopped) return;
    if (health.state === "open") {
      if (this.wasOpen) this.totals.reconnects++;
      this.wasOpen = true;
    }
    this.listeners.emit("state", {
      readerId: this.id,
      state: health.state,
      since: health.since,
      reason: health.lastError?.message,
      attempts: health.attempts,
      ...(health.retryInMs === undefined ? {} : { retryInMs: health.retryInMs }),
    });
  }
}
