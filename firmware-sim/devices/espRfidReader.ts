/**
 * A simulated esp-rfid reader (esprfid/esp-rfid firmware), publishing as the firmware's mqtt.esp
 * builds its messages in one of three layouts: `send` (2.x: everything on `<topic>/send`; a card
 * is `{"type":"access","time":…,"isKnown":"false","access":"Denied","username":"Unknown","uid":…,"door":…}`,
 * isKnown a string, time Unix seconds), `tag` (2.x with Home Assistant: a card is
 * `{"uid":…,"username":…,"access":…,"time":…,"doorName":…}` on `<topic>/tag`, without `type`) and
 * `bare` (1.0.x: everything on `<topic>` itself). It also sends `boot` and `heartbeat`, which the
 * gateway ignores. Availability is `<topic>/avty` online/offline (retained).
 */
import {
  cardValue,
  type SimMqttBrokerOptions,
  SimMqttConnection,
  SimMqttDevice,
  simClientId,
} from "./mqttDeviceClient.js";

/** Where the firmware publishes: 2.x `<topic>/send`, 2.x Home Assistant `<topic>/tag`, 1.0.x `<topic>`. */
export type EspRfidLayout = "send" | "tag" | "bare";

/**
 * The reader module on the device: `mfrc522` (and PN532) print the UID in hex; `rdm6300` prints
 * 10 hex digits in lower case, the EM4100 version byte first ("14008ec793").
 */
export type EspRfidModule = "mfrc522" | "rdm6300";

/** What a SimEspRfidReader is handed. */
export interface SimEspRfidReaderOptions extends SimMqttBrokerOptions {
  /** Default "send". */
  layout?: EspRfidLayout;
  /** Default "mfrc522". */
  module?: EspRfidModule;
  /** The EM4100 version byte an `rdm6300` module prints; default 0x14. */
  em4100Version?: number;
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
export class SimEspRfidReader extends SimMqttDevice {
  private readonly topic: string;
  private readonly hostname: string;
  private readonly ip: string;
  private readonly clock: () => number;
  protected readonly connection: SimMqttConnection;
  private readonly bootedAt: number;
  private readonly layout: EspRfidLayout;
  private readonly module: EspRfidModule;
  private readonly em4100Version: number;

  constructor(options: SimEspRfidReaderOptions) {
    super();
    this.topic = options.topic;
    this.hostname = options.hostname ?? "esp-rfid";
    this.ip = options.ip ?? "192.168.4.1";
    this.clock = options.clock ?? Date.now;
    this.bootedAt = this.clock();
    this.layout = options.layout ?? "send";
    this.module = options.module ?? "mfrc522";
    this.em4100Version = options.em4100Version ?? 0x14;
    this.connection = new SimMqttConnection({
      ...options,
      clientId: options.clientId ?? simClientId(this.hostname),
      availability: { topic: `${options.topic}/avty`, online: "online", offline: "offline" },
      subscriptions: [],
      onMessage: () => {},
    });
  }

  /** Once connected: announces itself with a boot message. */
  protected override afterConnect(): void {
    this.boot();
  }

  /** Publishes an `access` message for a card UID (hex, as the firmware prints it); false when offline. */
  present(uid: string, verdict: EspRfidVerdict = {}): boolean {
    const known = verdict.isKnown ?? false;
    if (this.layout === "tag") {
      const message = {
        uid,
        username: verdict.username ?? "Unknown",
        access: verdict.access ?? (known ? "Always" : "Denied"),
        time: this.seconds(),
        doorName: this.hostname,
      };
      return this.connection.publish(`${this.topic}/tag`, JSON.stringify(message));
    }
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

  /**
   * Presents a card number (or decimal digits) as the module prints it: `mfrc522` as its hex UID
   * (9357203 → "8EC793"; `cardNumber: decimal` gives it back), `rdm6300` as the version byte and the
   * 32-bit tag ("14008ec793"; `cardNumber: em4100` gives it back). Throws RangeError for a tag over 32 bits.
   */
  presentCard(card: number | string): boolean {
    const value = cardValue(card);
    if (this.module === "mfrc522") return this.present(value.toString(16).toUpperCase());
    if (value >= 2 ** 32) throw new RangeError(`an EM4100 tag carries at most 32 bits, found ${value}`);
    const hex = (n: number, digits: number) => n.toString(16).padStart(digits, "0");
    return this.present(`${hex(this.em4100Version, 2)}${hex(value, 8)}`);
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

  /** Publishes any JSON object or raw text where the layout sends its messages (`<topic>/send` or `<topic>`). */
  send(message: Record<string, unknown> | string): boolean {
    const payload = typeof message === "string" ? message : JSON.stringify(message);
    return this.connection.publish(this.eventTopic(), payload);
  }

  /** Publishes raw text or bytes where the layout sends its scans; false when offline. */
  garbage(payload: string | Uint8Array): boolean {
    const topic = this.layout === "tag" ? `${this.topic}/tag` : this.eventTopic();
    return this.connection.publish(topic, payload);
  }

  /** Where boot, heartbeat (and, outside Home Assistant mode, access) messages go. */
  private eventTopic(): string {
    return this.layout === "bare" ? this.topic : `${this.topic}/send`;
  }

  private seconds(): number {
    return Math.floor(this.clock() / 1000);
  }
}
