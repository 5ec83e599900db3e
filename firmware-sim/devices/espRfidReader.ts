/**
 * A simulated esp-rfid reader (esprfid/esp-rfid firmware, MQTT "send" mode): every message goes
 * to `<topic>/send` as the firmware's mqtt.esp builds it. A card is
 * `{"type":"access","time":…,"isKnown":"false","access":"Denied","username":"Unknown","uid":…,"door":…}`
 * (isKnown is a string there, time Unix seconds); it also sends `boot` and `heartbeat`, which
 * the gateway ignores. Availability is `<topic>/avty` online/offline (retained).
 */
import { cardValue, type SimMqttBrokerOptions, SimMqttConnection, simClientId } from "./mqttDeviceClient.js";

/** What a SimEspRfidReader is handed. */
export interface SimEspRfidReaderOptions extends SimMqttBrokerOptions {
  /** The configured MQTT topic, e.g. "/rfid" or "esp-rfid". */
  topic: string;
  /** The device hostname, sent as `door` and `hostname`; default "esp-rfid". */
  hostname?: string;
  /** Sent as `ip`; default "192.168.4.1". */
  ip?: string;
  /** For `time` (ms, sent as whole seconds); default Date.now. */
  clock?: () => number;
}

/** How the reader's own user list judged a card (esp-rfid decides locally too and reports it). */
export interface EspRfidVerdict {
  isKnown?: boolean;
  /** e.g. "Denied", "Always", "Admin"; default "Denied" for unknown cards, "Always" for known ones. */
  access?: string;
  /** Default "Unknown". */
  username?: string;
}

/** An esp-rfid reader on MQTT; start() connects and sends `boot`, stop() disconnects cleanly. */
export class SimEspRfidReader {
  private readonly topic: string;
  private readonly hostname: string;
  private readonly ip: string;
  private readonly clock: () => number;
  private readonly connection: SimMqttConnection;
  private readonly bootedAt: number;

  constructor(options: SimEspRfidReaderOptions) {
    this.topic = options.topic;
    this.hostname = options.hostname ?? "esp-rfid";
    this.ip = options.ip ?? "192.168.4.1";
    this.clock = options.clock ?? Date.now;
    this.bootedAt = this.clock();
    this.connection = new SimMqttConnection({
      ...options,
      clientId: options.clientId ?? simClientId(this.hostname),
      availability: { topic: `${options.topic}/avty`, online: "online", offline: "offline" },
      subscriptions: [],
      onMessage: () => {},
    });
  }

  /** Whether it is plugged in (started, not unplugged or stopped). */
  get plugged(): boolean {
    return this.connection.plugged;
  }

  /** Whether it is connected to the broker. */
  get connected(): boolean {
    return this.connection.connected;
  }

  /** Connects and announces itself with a `boot` message, as the firmware does on connect. */
  async start(): Promise<void> {
    await this.connection.start();
    this.boot();
  }

  /** Publishes offline itself and disconnects. */
  stop(): Promise<void> {
    return this.connection.stop();
  }

  /** Drops the connection abruptly: the broker publishes `<topic>/avty` offline. */
  unplug(): Promise<void> {
    return this.connection.unplug();
  }

  /** Reconnects and sends `boot` again. */
  async replug(): Promise<void> {
    await this.connection.replug();
    this.boot();
  }

  /** Publishes an `access` message for a card UID (hex, as the firmware prints it); false when offline. */
  present(uid: string, verdict: EspRfidVerdict = {}): boolean {
    const known = verdict.isKnown ?? false;
    return this.send({
      type: "access",
      time: this.seconds(),
      isKnown: known ? "true" : "false",
      access: verdict.access ?? (known ? "Always" : "Denied"),
      username: verdict.username ?? "Unknown",
      uid,
      door: this.hostname,
    });
  }

  /** Presents a card number (or decimal digits) as its hex UID (9357203 → "8EC793"); `cardNumber: decimal` gives it back. */
  presentCard(card: number | string): boolean {
    return this.present(cardValue(card).toString(16).toUpperCase());
  }

  /** Publishes a `heartbeat` message (the gateway must ignore it). */
  heartbeat(): boolean {
    const now = this.seconds();
    return this.send({
      type: "heartbeat",
      time: now,
      uptime: now - Math.floor(this.bootedAt / 1000),
      ip: this.ip,
      hostname: this.hostname,
    });
  }

  /** Publishes a `boot` message (the gateway must ignore it). */
  boot(): boolean {
    return this.send({
      type: "boot",
      time: this.seconds(),
      uptime: "0",
      ip: this.ip,
      hostname: this.hostname,
    });
  }

  /** Publishes any JSON object or raw text on `<topic>/send` (other message types). */
  send(message: Record<string, unknown> | string): boolean {
    const payload = typeof message === "string" ? message : JSON.stringify(message);
    return this.connection.publish(`${this.topic}/send`, payload);
  }

  /** Publishes raw text or bytes on `<topic>/send`; false when offline. */
  garbage(payload: string | Uint8Array): boolean {
    return this.connection.publish(`${this.topic}/send`, payload);
  }

  private seconds(): number {
    return Math.floor(this.clock() / 1000);
  }
}
