/**
 * The MQTT side every simulated MQTT device shares: its own MQTT.js client with a last will,
 * a retained "online" message, its subscriptions, and unplug/replug. On every (re)connect it
 * subscribes first and only then publishes "online", so a watcher that sees "online" knows the
 * device already takes commands.
 */
import mqtt, { type MqttClient } from "mqtt";

/** Where and how a simulated device reports that it is there (retained), and its last will. */
export interface Availability {
  topic: string;
  online: string;
  offline: string;
}

/** Broker settings every simulated MQTT device takes. */
export interface SimMqttBrokerOptions {
  /** mqtt://host:port */
  url: string;
  /** Default: the device's own name with a random suffix. */
  clientId?: string;
  username?: string;
  password?: string;
  /** How long start()/replug() wait for the broker; default 10000 ms. */
  connectTimeoutMs?: number;
  /** Wait between reconnect attempts after the broker went away; default 500 ms. */
  reconnectMs?: number;
}

/** What a SimMqttConnection is handed by the device that owns it. */
export interface SimMqttConnectionOptions extends SimMqttBrokerOptions {
  clientId: string;
  availability: Availability;
  subscriptions: readonly string[];
  /** Called for every message on a subscribed topic; a throw is counted, never propagated. */
  onMessage: (topic: string, payload: Buffer) => void;
}

/** A device's broker connection; the constructor only assigns, start() connects. */
export class SimMqttConnection {
  private readonly options: SimMqttConnectionOptions;
  private client: MqttClient | undefined;
  private ready: Promise<void> | undefined;
  /** Settles a start() still waiting for its first connection (see abandonStart). */
  private pendingStart: ((err: Error) => void) | undefined;
  private failures = 0;

  constructor(options: SimMqttConnectionOptions) {
    this.options = options;
  }

  /** Whether the device is connected to the broker right now. */
  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Whether it is plugged in (started, not unplugged or stopped). */
  get plugged(): boolean {
    return this.client !== undefined;
  }

  /** Messages whose handler threw (a bug in a device, never a crash). */
  get handlerFailures(): number {
    return this.failures;
  }

  /** Connects, subscribes and publishes "online"; rejects with a clear message if the broker is not there. */
  start(): Promise<void> {
    if (this.client !== undefined) return this.ready ?? Promise.resolve();
    const { url, clientId, username, password, availability } = this.options;
    const client = mqtt.connect(url, {
      clientId,
      username,
      password,
      clean: true,
      resubscribe: false,
      reconnectPeriod: this.options.reconnectMs ?? 500,
      connectTimeout: this.options.connectTimeoutMs ?? 10_000,
      will: { topic: availability.topic, payload: Buffer.from(availability.offline), qos: 1, retain: true },
    });
    this.client = client;
    client.on("error", () => {});
    client.on("message", (topic, payload) => {
      try {
        this.options.onMessage(topic, payload);
      } catch {
        this.failures += 1;
      }
    });
    this.ready = new Promise<void>((resolve, reject) => {
      const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
      const fail = (err: Error) => {
        clearTimeout(timer);
        this.pendingStart = undefined;
        reject(err);
      };
      const timer = setTimeout(() => {
        if (this.client === client) this.client = undefined;
        client.end(true);
        fail(new Error(`simulated device ${clientId}: no MQTT broker answered at ${url} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pendingStart = fail;
      let first = true;
      client.on("connect", () => {
        this.announce(client).then(
          () => {
            if (!first || this.client !== client) return;
            first = false;
            clearTimeout(timer);
            this.pendingStart = undefined;
            resolve();
          },
          // A failed subscribe or publish means the connection dropped; the next connect retries.
          () => {},
        );
      });
    });
    return this.ready;
  }

  /** Publishes when connected; returns false (the message is lost) when not, like a device offline. */
  publish(topic: string, payload: string | Uint8Array, retain = false): boolean {
    const client = this.client;
    if (client === undefined || !client.connected) return false;
    client.publish(topic, typeof payload === "string" ? payload : Buffer.from(payload), { qos: 0, retain });
    return true;
  }

  /**
   * Pulls the plug: the socket is destroyed without DISCONNECT, so the broker publishes the will.
   * Async only for a uniform device API; it does not wait for the broker to notice.
   */
  async unplug(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.abandonStart("unplugged");
    client?.end(true);
  }

  /** Plugs back in: connects again with the same client id; resolves once "online" is out. */
  replug(): Promise<void> {
    return this.start();
  }

  /** A clean shutdown: publishes "offline" (retained) itself, then disconnects. Safe to call twice. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.abandonStart("stopped");
    if (client === undefined) return;
    if (!client.connected) {
      // Nothing to say goodbye to, and MQTT.js would wait for a close event that already happened.
      client.end(true);
      return;
    }
    const { topic, offline } = this.options.availability;
    await client.publishAsync(topic, offline, { qos: 1, retain: true }).catch(() => undefined);
    await client.endAsync().catch(() => undefined);
  }

  /** A start() still waiting for the broker rejects instead of waiting for a client that is gone. */
  private abandonStart(why: string): void {
    this.pendingStart?.(new Error(`simulated device ${this.options.clientId}: ${why} before it connected`));
  }

  private async announce(client: MqttClient): Promise<void> {
    const { subscriptions, availability } = this.options;
    if (subscriptions.length > 0) await client.subscribeAsync([...subscriptions], { qos: 0 });
    await client.publishAsync(availability.topic, availability.online, { qos: 1, retain: true });
  }
}

/** A card number given as a whole number or a string of decimal digits; throws RangeError otherwise. */
export function cardValue(card: number | string): number {
  const value = typeof card === "string" && /^\d+$/.test(card.trim()) ? Number(card.trim()) : card;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`expected a card number (decimal digits), found "${String(card)}"`);
  }
  return value;
}

/** A client id for a simulated device: its name plus a short random suffix, as device firmwares do. */
export function simClientId(name: string): string {
  return `${name}-${Math.random().toString(16).slice(2, 8)}`;
}

/**
 * A simulated MQTT device as a technician handles it: started and stopped, unplugged (the broker
 * publishes its last will) and plugged back in. What the device does once connected — announce
 * itself, report its inputs — is its `afterConnect()`.
 */
export abstract class SimMqttDevice {
  /** The device's connection to the broker. */
  protected abstract readonly connection: SimMqttConnection;

  /** Whether it is plugged in (started, not unplugged or stopped). */
  get plugged(): boolean {
    return this.connection.plugged;
  }

  /** Whether it is connected to the broker. */
  get connected(): boolean {
    return this.connection.connected;
  }

  /** Connects, then does what the device does once connected. */
  async start(): Promise<void> {
    await this.connection.start();
    this.afterConnect();
  }

  /** Publishes its offline state and disconnects. */
  stop(): Promise<void> {
    return this.connection.stop();
  }

  /** Drops the connection abruptly: the broker publishes the device's last will (offline). */
  unplug(): Promise<void> {
    return this.connection.unplug();
  }

  /** Reconnects (resolves once online is published again), then does what it does once connected. */
  async replug(): Promise<void> {
    await this.connection.replug();
    this.afterConnect();
  }

  /** What the device does after each (re)connect; nothing by default. */
  protected afterConnect(): void {}
}
