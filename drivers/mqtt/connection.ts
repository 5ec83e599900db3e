/**
 * The gateway's one broker connection, shared by every mqtt-* reader and relay. Wraps MQTT.js:
 * reconnects forever with our jittered backoff (MQTT.js's own fixed-period reconnect is turned
 * off), subscribes again after every reconnect, routes each message to every handler whose
 * filter matches, and fails publishes at once while the broker is away (a door pulse must never
 * wait in a queue until the broker returns).
 */
import { connect, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import { realScheduler, type Scheduler } from "../../runtime/scheduler.js";
import { backoffDelay, defaultBackoff } from "../transport/backoff.js";
import { Listeners } from "../transport/listeners.js";
import type { Health } from "../transport/reconnecting.js";
import {
  clientOptions,
  type MqttConnectionOptions,
  redactUrl,
  type SessionProtocol,
} from "./clientOptions.js";
import { FlowGate } from "./flowGate.js";
import {
  type MqttConnectionEvents,
  type MqttCounters,
  MqttError,
  type MqttHandler,
  type MqttLink,
  type MqttMessage,
  type PublishOptions,
} from "./mqttTypes.js";
import { Subscriptions } from "./subscriptions.js";
import { topicFilterProblem, topicNameProblem } from "./topics.js";

/** Subscriptions are QoS 1 so the broker retries a read that a flaky link dropped. */
const SUBSCRIBE_QOS = 1;
/**
 * CONNACK codes of a broker that does not speak the protocol asked for: 1 is MQTT 3.1.1's
 * "unacceptable protocol version" (aedes, older brokers), 132 (0x84) MQTT 5's "unsupported
 * protocol version".
 */
const UNSUPPORTED_PROTOCOL = new Set([1, 132]);
/** How long stop() waits for a graceful DISCONNECT (unacknowledged QoS 1 publishes) before dropping the socket. */
const STOP_GRACE_MS = 1000;

/** One shared broker connection: constructed idle, `start()` connects, `stop()` disconnects. */
export type { MqttConnectionOptions };

export class MqttConnection implements MqttLink {
  /** The broker URL with any password in it masked, for logs, errors and status. */
  readonly url: string;
  readonly clientId: string;
  private readonly options: MqttConnectionOptions;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly scheduler: Scheduler;
  private readonly listeners = new Listeners<MqttConnectionEvents>();
  private readonly subs = new Subscriptions();
  private readonly pendingPublishes = new Set<(err: Error) => void>();
  private readonly totals: MqttCounters = {
    messagesIn: 0,
    messagesOut: 0,
    badPayloads: 0,
    handlerErrors: 0,
    publishFailures: 0,
    reconnects: 0,
  };
  private client: MqttClient | undefined;
  private timer: unknown;
  private failures = 0;
  private everOpen = false;
  private started = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private requestId = 0;
  private state: Health;
  /** The protocol a persistent session uses: MQTT 5 until a broker refuses it, then 3.1.1. */
  private sessionProtocol: SessionProtocol = 5;
  /** The broker refused MQTT 5: the next attempt builds a new client that speaks 3.1.1. */
  private downgrade = false;
  /** Flow control (the sync link): the next message waits for the one before it. */
  private readonly gate: FlowGate | undefined;

  constructor(options: MqttConnectionOptions) {
    this.options = options;
    this.url = redactUrl(options.config.url);
    this.clientId = options.clientId ?? options.config.clientId ?? `accessgw-${options.gatewayId}`;
    this.log = options.logger;
    this.now = options.now ?? Date.now;
    this.scheduler = options.scheduler ?? realScheduler;
    this.gate = options.flowControl === true ? new FlowGate() : undefined;
    this.state = { state: "connecting", since: this.now(), lastError: undefined, attempts: 0 };
  }

  /** The current health (a copy), in the vocabulary of the serial transports. */
  health(): Health {
    return { ...this.state };
  }

  /** The MQTT protocol of this connection: "5" or "3.1.1" (a persistent session on a broker without MQTT 5, or a clean one). */
  protocol(): "5" | "3.1.1" {
    return this.options.session !== undefined && this.sessionProtocol === 5 ? "5" : "3.1.1";
  }

  /** True while connected to the broker. */
  isOpen(): boolean {
    return this.state.state === "open" && this.client?.connected === true;
  }

  /** Subscribes to "state"; returns a function that unsubscribes. */
  on<K extends keyof MqttConnectionEvents>(event: K, listener: MqttConnectionEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }

  /** The running totals (a copy). */
  counters(): MqttCounters {
    return { ...this.totals };
  }

  /** A request id unique on this connection (Shelly RPC ids: several relays share one reply topic). */
  nextRequestId(): number {
    this.requestId = this.requestId >= 2 ** 31 - 1 ? 1 : this.requestId + 1;
    return this.requestId;
  }

  /** Starts connecting; later calls (and calls after stop()) do nothing. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.attempt();
  }

  /**
   * Routes messages matching `filter` (`+` and `#` allowed) to `handler`, now and after every
   * reconnect; returns a function that removes the handler. Throws MQTT_BAD_TOPIC for a bad filter.
   */
  subscribe(filter: string, handler: MqttHandler): () => void {
    const problem = topicFilterProblem(filter);
    if (problem !== undefined) throw new MqttError("MQTT_BAD_TOPIC", this.url, problem);
    const { entry, isNew } = this.subs.add(filter, handler);
    // Some brokers (aedes) may handle a SUBSCRIBE before an earlier UNSUBSCRIBE of the same filter.
    if (isNew && this.isOpen() && !this.subs.isUnsubscribing(filter)) this.sendSubscribe([filter]);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.removeHandler(filter, entry);
    };
  }

  /** Resolves once the broker has acknowledged every filter subscribed so far (in this session). */
  whenSubscribed(): Promise<void> {
    return this.subs.whenAcked();
  }

  /**
   * Publishes and resolves once the message is written (QoS 0) or acknowledged (QoS 1, 2). Rejects
   * at once with MQTT_NOT_CONNECTED while the broker is away, and when the link drops before the
   * acknowledgement; nothing is queued for later.
   */
  publish(topic: string, payload: string | Uint8Array, options: PublishOptions = {}): Promise<void> {
    const problem = topicNameProblem(topic);
    if (problem !== undefined) return Promise.reject(new MqttError("MQTT_BAD_TOPIC", this.url, problem));
    if (this.stopped)
      return this.refuse(new MqttError("MQTT_STOPPED", this.url, "the connection is stopped"));
    const client = this.client;
    if (client === undefined || !this.isOpen()) {
      const why = this.state.lastError === undefined ? "" : ` (${this.state.lastError.message})`;
      const text = `not connected to the broker: ${this.state.state}${why}`;
      return this.refuse(
        new MqttError("MQTT_NOT_CONNECTED", this.url, text, { cause: this.state.lastError }),
      );
    }
    const body = typeof payload === "string" ? payload : Buffer.from(payload);
    return new Promise<void>((resolve, reject) => {
      // Settles once: by MQTT.js's callback, or by rejectPending when the link drops first.
      const settle = (err?: Error) => {
        if (!this.pendingPublishes.delete(settle)) return;
        if (err === undefined) {
          this.totals.messagesOut++;
          resolve();
          return;
        }
        this.totals.publishFailures++;
        reject(err);
      };
      this.pendingPublishes.add(settle);
      client.publish(topic, body, { qos: options.qos ?? 0, retain: options.retain ?? false }, (err) => {
        const text = `publish to ${topic} failed: ${err?.message}`;
        settle(err ? new MqttError("MQTT_PUBLISH_FAILED", this.url, text, { cause: err }) : undefined);
      });
    });
  }

  /** Cancels any pending retry and disconnects; no handler is called once it resolves. */
  stop(): Promise<void> {
    this.stopping ??= this.close();
    return this.stopping;
  }

  private async close(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    this.rejectPending("the connection is stopping");
    if (client !== undefined) {
      // A graceful DISCONNECT when connected; otherwise just drop the socket.
      let timer: unknown;
      const late = new Promise<void>((resolve) => {
        timer = this.scheduler.setTimeout(resolve, STOP_GRACE_MS);
      });
      await Promise.race([client.endAsync(!client.connected).catch(() => undefined), late]);
      this.scheduler.clearTimeout(timer);
      if (!client.disconnected) client.end(true);
      client.removeAllListeners();
      // MQTT.js may still report late socket errors; an "error" event without a listener would throw.
      client.on("error", () => {});
    }
    this.subs.release();
    this.setState({ state: "stopped", since: this.now(), lastError: undefined, attempts: 0 });
  }

  private attempt(): void {
    this.timer = undefined;
    if (this.stopped) return;
    this.setState({
      state: "connecting",
      since: this.now(),
      lastError: this.state.lastError,
      attempts: this.state.attempts + 1,
    });
    if (this.client !== undefined && this.downgrade) this.discardClient(this.client);
    if (this.client !== undefined) {
      this.client.reconnect();
      return;
    }
    let client: MqttClient;
    try {
      const options = clientOptions(
        this.options.config,
        this.clientId,
        {
          keepaliveSeconds: this.options.keepaliveSeconds ?? 30,
          connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000,
        },
        this.options.session,
        this.sessionProtocol,
      );
      client = connect(this.options.config.url, options);
    } catch (err) {
      // A TLS file that cannot be read yet (not mounted, wrong permissions), or a URL MQTT.js
      // refuses: retry like a refused connection, and say why in the health.
      this.scheduleRetry(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.client = client;
    const gate = this.gate;
    // MQTT.js emits "message" and then calls handleMessage for the same packet; its callback sends
    // the PUBACK and lets the next packet in.
    if (gate !== undefined) client.handleMessage = (_packet, callback) => gate.take(() => callback());
    client.on("connect", () => this.onConnect());
    client.on("close", () => this.onClose());
    client.on("error", (err) => this.onError(err));
    client.on("message", (topic, payload, packet) => this.route(topic, payload, packet.retain === true));
  }

  private onConnect(): void {
    if (this.stopped) return;
    if (this.everOpen) this.totals.reconnects++;
    this.everOpen = true;
    this.failures = 0;
    this.log.info({ url: this.url, clientId: this.clientId }, "mqtt connected");
    // Clean session: the broker forgot our subscriptions, so every filter is sent again. (With a
    // persistent session they may still be there; subscribing again is harmless.)
    this.subs.clearUnsubscribing();
    this.subs.unackAll();
    this.setState({ state: "open", since: this.now(), lastError: undefined, attempts: 0 });
    const filters = this.subs.filters();
    if (filters.length > 0) this.sendSubscribe(filters);
  }

  private onClose(): void {
    if (this.stopped) return;
    this.rejectPending("the connection to the broker was lost");
    this.subs.unackAll();
    const err = this.state.lastError ?? new Error("connection closed");
    if (this.state.state === "open") this.log.warn({ url: this.url, err }, "mqtt connection lost");
    this.scheduleRetry(err);
  }

  private onError(err: Error): void {
    if (this.stopped) return;
    this.log.debug({ url: this.url, err }, "mqtt error");
    this.state = { ...this.state, lastError: err };
    const code = (err as { code?: unknown }).code;
    if (
      this.options.session !== undefined &&
      this.sessionProtocol === 5 &&
      UNSUPPORTED_PROTOCOL.has(code as number)
    ) {
      // A broker without MQTT 5 (aedes, older Mosquitto): keep the session persistent the 3.1.1
      // way (clean false, no expiry, no packet size limit from the broker's side).
      this.sessionProtocol = 4;
      this.downgrade = true;
      this.log.warn(
        { url: this.url, clientId: this.clientId },
        "mqtt broker refused MQTT 5; using an MQTT 3.1.1 persistent session (no session expiry)",
      );
    }
  }

  /** Drops a client for good (its options cannot change), so the next attempt builds a new one. */
  private discardClient(client: MqttClient): void {
    this.downgrade = false;
    this.client = undefined;
    client.removeAllListeners();
    client.on("error", () => {});
    client.end(true);
  }

  private scheduleRetry(err: Error): void {
    if (this.stopped || this.timer !== undefined) return;
    const delay = backoffDelay(
      this.failures,
      this.options.random ?? Math.random,
      this.options.backoff ?? defaultBackoff,
    );
    this.failures++;
    this.setState({
      state: "waiting",
      since: this.now(),
      lastError: err,
      attempts: this.state.attempts,
      retryInMs: delay,
    });
    this.timer = this.scheduler.setTimeout(() => this.attempt(), delay);
  }

  private sendSubscribe(filters: string[]): void {
    const client = this.client;
    if (client === undefined) return;
    client.subscribe(filters, { qos: SUBSCRIBE_QOS }, (err, granted) => {
      if (this.stopped) return;
      if (err) {
        // The link dropped before SUBACK: the next connect sends them again.
        this.log.debug({ url: this.url, err, filters }, "mqtt subscribe not acknowledged");
        return;
      }
      for (const g of granted ?? []) {
        if (g.qos === 128)
          this.log.warn({ url: this.url, filter: g.topic }, "mqtt broker refused subscription");
      }
      this.subs.acked(filters);
    });
  }

  private removeHandler(filter: string, entry: MqttHandler): void {
    if (!this.subs.remove(filter, entry)) return;
    const client = this.client;
    if (client === undefined || !this.isOpen() || !this.subs.startUnsubscribe(filter)) return;
    client.unsubscribe(filter, () => {
      this.subs.endUnsubscribe(filter);
      if (this.subs.has(filter) && this.isOpen()) this.sendSubscribe([filter]);
    });
  }

  /** Hands a message to every matching handler; nothing a handler does escapes into MQTT.js. */
  private route(topic: string, payload: Buffer, retain: boolean): void {
    if (this.stopped) return;
    this.totals.messagesIn++;
    const message: MqttMessage = { topic, payload, retain };
    const { pending, rejected, threw } = this.subs.deliver(message);
    this.totals.badPayloads += rejected;
    for (const err of threw) {
      this.totals.handlerErrors++;
      this.log.warn({ url: this.url, topic, err }, "mqtt message handler threw");
    }
    this.gate?.holding(pending);
  }

  private refuse(err: MqttError): Promise<never> {
    this.totals.publishFailures++;
    return Promise.reject(err);
  }

  private rejectPending(why: string): void {
    for (const fail of [...this.pendingPublishes]) fail(new MqttError("MQTT_NOT_CONNECTED", this.url, why));
  }

  private setState(next: Health): void {
    this.state = next;
    try {
      this.listeners.emit("state", { ...next });
    } catch (err) {
      this.log.warn({ url: this.url, err }, "mqtt state listener threw");
    }
  }
}
