/**
 * A simulated device whose outputs are digital signals the gateway reads as inputs (doors.md D1):
 * the PASS outputs of a turnstile, a door contact and REX button, a fire panel's release contact,
 * wired into an MQTT input module. It speaks as the real module does: mqtt-json (`<topic>/<name>`
 * with {"state":1}, retained), a Tasmota with switch inputs (`{"SwitchN":{"Action":"ON"}}` on
 * stat/<topic>/RESULT, the switches in the Status 10 answer), a Shelly Gen2 (NotifyStatus of
 * `input:N`, Input.GetStatus answered) or a Shelly Gen1 (`shellies/<id>/input/N` 0/1, republished
 * on the `update` command). Signal N (0-based) is Switch N+1 on Tasmota, input N on Shelly.
 */
import {
  type Availability,
  type SimMqttBrokerOptions,
  SimMqttConnection,
  SimMqttDevice,
  simClientId,
} from "./mqttDeviceClient.js";

/** The input module a signal device plays. */
export type SignalProtocol = "mqtt-json" | "tasmota" | "shelly-gen2" | "shelly-gen1";

/** What a SimSignalDevice is handed. */
export interface SimSignalDeviceOptions extends SimMqttBrokerOptions {
  protocol: SignalProtocol;
  /** mqtt-json: the topic prefix; tasmota: %topic%; shelly: the device id. */
  address: string;
  /** The signals' names, in order (mqtt-json publishes each on `<address>/<name>`). */
  names: readonly string[];
  clock?: () => number;
}

/** An MQTT input module with a few signals; start() connects and reports every level. */
export class SimSignalDevice extends SimMqttDevice {
  private readonly options: SimSignalDeviceOptions;
  private readonly levels: boolean[];
  protected readonly connection: SimMqttConnection;

  constructor(options: SimSignalDeviceOptions) {
    super();
    this.options = options;
    this.levels = options.names.map(() => false);
    this.connection = new SimMqttConnection({
      ...options,
      clientId: options.clientId ?? simClientId(options.protocol),
      availability: this.availability(),
      subscriptions: this.subscriptions(),
      onMessage: (topic, payload) => this.command(topic, payload.toString("utf8")),
    });
  }

  /** Once connected: reports every signal level (a fresh module reports its inputs at boot). */
  protected override afterConnect(): void {
    this.reportAll();
  }

  /** Publishes raw text or bytes where signal 0 is reported; false when offline. */
  garbage(payload: string | Uint8Array): boolean {
    return this.connection.publish(this.topicOf(0), payload);
  }

  /** Reports every signal's level. */
  private reportAll(): void {
    for (let i = 0; i < this.levels.length; i++) this.report(i);
  }

  /** Signal `index`'s level. */
  level(index: number): boolean {
    return this.levels[index] ?? false;
  }

  /** Sets signal `index` and reports it; false when it did not go out (unplugged). */
  set(index: number, on: boolean): boolean {
    if (index < 0 || index >= this.levels.length) throw new RangeError(`no signal ${index}`);
    this.levels[index] = on;
    return this.report(index);
  }

  private availability(): Availability {
    const { protocol, address } = this.options;
    if (protocol === "tasmota") return { topic: `tele/${address}/LWT`, online: "Online", offline: "Offline" };
    if (protocol === "shelly-gen2") return { topic: `${address}/online`, online: "true", offline: "false" };
    if (protocol === "shelly-gen1")
      return { topic: `shellies/${address}/online`, online: "true", offline: "false" };
    return { topic: `${address}/status`, online: "online", offline: "offline" };
  }

  private subscriptions(): string[] {
    const { protocol, address } = this.options;
    if (protocol === "tasmota") return [`cmnd/${address}/Status`];
    if (protocol === "shelly-gen2") return [`${address}/rpc`];
    if (protocol === "shelly-gen1") return [`shellies/${address}/command`];
    return [];
  }

  private topicOf(index: number): string {
    const { protocol, address, names } = this.options;
    if (protocol === "tasmota") return `stat/${address}/RESULT`;
    if (protocol === "shelly-gen2") return `${address}/events/rpc`;
    if (protocol === "shelly-gen1") return `shellies/${address}/input/${index}`;
    return `${address}/${names[index]}`;
  }

  private report(index: number): boolean {
    const on = this.level(index);
    const { protocol, address } = this.options;
    const ts = (this.options.clock ?? Date.now)() / 1000;
    const payload =
      protocol === "tasmota"
        ? JSON.stringify({ [`Switch${index + 1}`]: { Action: on ? "ON" : "OFF" } })
        : protocol === "shelly-gen2"
          ? JSON.stringify({
              src: address,
              dst: `${address}/events`,
              method: "NotifyStatus",
              params: { ts, [`input:${index}`]: { id: index, state: on } },
            })
          : protocol === "shelly-gen1"
            ? on
              ? "1"
              : "0"
            : JSON.stringify({ state: on ? 1 : 0 });
    // mqtt-json levels are retained, so a gateway that starts later reads the level at once.
    return this.connection.publish(this.topicOf(index), payload, protocol === "mqtt-json");
  }

  /** Answers the state queries a gateway sends on connect. */
  private command(topic: string, text: string): void {
    const { protocol, address } = this.options;
    if (protocol === "tasmota" && text.trim() === "10") {
      const sns: Record<string, unknown> = {
        Time: new Date((this.options.clock ?? Date.now)()).toISOString(),
      };
      this.levels.forEach((on, i) => {
        sns[`Switch${i + 1}`] = on ? "ON" : "OFF";
      });
      this.connection.publish(`stat/${address}/STATUS10`, JSON.stringify({ StatusSNS: sns }));
    } else if (protocol === "shelly-gen1" && text.trim() === "update") {
      this.reportAll();
    } else if (protocol === "shelly-gen2" && topic === `${address}/rpc`) this.rpc(text);
  }

  private rpc(text: string): void {
    let request: { id?: unknown; src?: unknown; method?: unknown; params?: { id?: unknown } };
    try {
      request = JSON.parse(text);
    } catch {
      return;
    }
    if (request.method !== "Input.GetStatus" || typeof request.src !== "string") return;
    const id = Number(request.params?.id);
    const dst = request.src;
    const outcome =
      Number.isInteger(id) && id >= 0 && id < this.levels.length
        ? { result: { id, state: this.level(id) } }
        : { error: { code: -105, message: `Argument 'id', value ${String(request.params?.id)} not found!` } };
    this.connection.publish(
      `${dst}/rpc`,
      JSON.stringify({ id: request.id, src: this.options.address, dst, ...outcome }),
    );
  }
}
