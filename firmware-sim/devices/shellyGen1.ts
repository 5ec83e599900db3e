/**
 * A simulated Shelly Gen1 relay device: `shellies/<id>/relay/<n>/command` on/off/toggle, state
 * on `shellies/<id>/relay/<n>`, and `shellies/<id>/online` true/false (retained, the last will).
 * Gen1 has no pulse of its own: the gateway times on and off. In the recorder relay/0 is channel
 * 1, because the gateway numbers Gen1 channels from 1 (see the Door docs in config/gateway.ts).
 */
import { gen1RelayStateTopic, parseGen1RelayCommand } from "../../drivers/codecs/shelly.js";
import {
  type SimMqttBrokerOptions,
  SimMqttConnection,
  SimMqttDevice,
  simClientId,
} from "./mqttDeviceClient.js";
import { type RelayBoardEvents, type RelayChange, RelayStateRecorder } from "./relayState.js";

/** What a SimShellyGen1 is handed. */
export interface SimShellyGen1Options extends SimMqttBrokerOptions {
  /** The Gen1 id, e.g. "shelly1-98CDAC1F2E3A". */
  device: string;
  /** Relays relay/0..relay/(n-1); default 1. */
  relays?: number;
  /** Stamps relay changes (ms); default Date.now. */
  clock?: () => number;
}

const COMMAND_TOPIC = /^shellies\/(.+)\/relay\/(\d+)\/command$/;

/** A Shelly Gen1 relay device on MQTT; start() connects, stop() disconnects cleanly. */
export class SimShellyGen1 extends SimMqttDevice {
  private readonly device: string;
  private readonly relayCount: number;
  private readonly relays: RelayStateRecorder;
  protected readonly connection: SimMqttConnection;
  private bad = 0;

  constructor(options: SimShellyGen1Options) {
    super();
    this.device = options.device;
    this.relayCount = options.relays ?? 1;
    this.relays = new RelayStateRecorder(options.clock ?? Date.now);
    this.connection = new SimMqttConnection({
      ...options,
      clientId: options.clientId ?? simClientId(options.device),
      availability: { topic: `shellies/${options.device}/online`, online: "true", offline: "false" },
      subscriptions: [`shellies/${options.device}/relay/+/command`],
      onMessage: (topic, payload) => this.receive(topic, payload),
    });
  }

  /** Every relay change, oldest first (`channel` = relay index + 1). */
  get history(): readonly RelayChange[] {
    return this.relays.history;
  }

  /** Commands not understood (bad payload, relay index out of range). */
  get badCommands(): number {
    return this.bad;
  }

  /** Whether the relay of gateway channel `channel` (1 = relay/0) is on. */
  isOn(channel: number): boolean {
    return this.relays.isOn(channel);
  }

  /** Subscribes to "change"; returns a function that unsubscribes. */
  on<K extends keyof RelayBoardEvents>(event: K, listener: RelayBoardEvents[K]): () => void {
    return this.relays.on(event, listener);
  }

  /** Publishes raw text or bytes on relay/0's state topic (what the gateway reads); false when offline. */
  garbage(payload: string | Uint8Array): boolean {
    return this.connection.publish(gen1RelayStateTopic(this.device, 0), payload);
  }

  /** Handles one command message (also what the connection feeds it). */
  receive(topic: string, payload: Buffer | string): void {
    const match = COMMAND_TOPIC.exec(topic);
    if (match === null || match[1] !== this.device) return;
    const index = Number(match[2]);
    const parsed = parseGen1RelayCommand(payload.toString());
    if (index >= this.relayCount || !parsed.ok) {
      this.bad += 1;
      return;
    }
    const channel = index + 1;
    const on = parsed.action === "toggle" ? !this.isOn(channel) : parsed.action === "on";
    this.relays.set(channel, on);
    // Gen1 reports its state after every command, changed or not.
    this.connection.publish(gen1RelayStateTopic(this.device, index), on ? "on" : "off");
  }
}
