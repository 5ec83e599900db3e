/**
 * Inputs read over MQTT (doors.md D1): mqtt-json, Tasmota switches, Shelly Gen2 and Gen1 inputs, on
 * the gateway's one broker connection. Levels are states, so a retained message (the device's last
 * state) counts. The level is unknown while the broker is away or the device's last will says
 * offline; on every connect (and when the device comes online) the driver asks for the state.
 */
import type { Input } from "../../config/inputs.js";
import {
  gen2InputGetStatus,
  type InputReading,
  parseJsonInput,
  parseShellyGen1Input,
  parseShellyGen2Input,
  parseTasmotaSwitch,
} from "../codecs/inputPayloads.js";
import type { MqttLink, MqttMessage } from "../mqtt/mqttTypes.js";
import { topicMatches, topicSafe } from "../mqtt/topics.js";
import type { HealthState } from "../transport/reconnecting.js";
import { BaseInput, type InputBaseOptions } from "./inputDriver.js";

/** An input config whose driver speaks MQTT. */
export type MqttInputConfig = Extract<
  Input,
  { driver: "mqtt-json" | "mqtt-tasmota" | "mqtt-shelly-gen2" | "mqtt-shelly-gen1" }
>;

/** Level payloads are a few hundred bytes; a SENSOR report with many sensors a few kB. */
export const MAX_INPUT_PAYLOAD_BYTES = 16_384;

/** Where a device says whether it is online (its last will), and the payloads for each. */
interface Availability {
  topic: string;
  online: string;
  offline: string;
}

/** What one driver kind reads: its topics, its parser, its last will and its state query. */
interface InputProtocol {
  filters: string[];
  parse(message: MqttMessage): InputReading;
  availability?: Availability;
  /** The message that makes the device report its state now. */
  query?: () => { topic: string; payload: string };
}

/** What an MQTT input is handed besides its config. */
export interface MqttInputDeps extends Omit<InputBaseOptions, "id" | "activeLow" | "debounceMs"> {
  connection: MqttLink;
  /** The gateway id: Shelly Gen2 answers Input.GetStatus on `<gatewayId>-inputs/rpc` (made topic-safe). */
  gatewayId: string;
}

/** The topics, parser, last will and query of one input config. */
export function inputProtocol(
  config: MqttInputConfig,
  connection: MqttLink,
  gatewayId: string,
): InputProtocol {
  switch (config.driver) {
    case "mqtt-json":
      return {
        filters: [config.topic],
        parse: (m) => parseJsonInput(m.payload, config.field, config.active),
      };
    case "mqtt-tasmota": {
      const key = config.switchText ?? `Switch${config.switch}`;
      const t = config.topic;
      return {
        filters: [`stat/${t}/RESULT`, `tele/${t}/SENSOR`, `stat/${t}/STATUS10`],
        parse: (m) => parseTasmotaSwitch(m.payload, key),
        availability: { topic: `tele/${t}/LWT`, online: "Online", offline: "Offline" },
        // Status 10 answers with the sensors, switches included: a level at once, not at the next TelePeriod.
        query: () => ({ topic: `cmnd/${t}/Status`, payload: "10" }),
      };
    }
    case "mqtt-shelly-gen2": {
      const src = `${topicSafe(gatewayId)}-inputs`;
      let rpcId: number | undefined;
      return {
        filters: [
          `${config.device}/events/rpc`,
          `${config.device}/status/input:${config.input}`,
          `${src}/rpc`,
        ],
        parse: (m) =>
          parseShellyGen2Input(
            m.payload,
            config.input,
            topicMatches(`${src}/rpc`, m.topic) ? rpcId : undefined,
          ),
        availability: { topic: `${config.device}/online`, online: "true", offline: "false" },
        query: () => {
          rpcId = connection.nextRequestId();
          return gen2InputGetStatus(config.device, rpcId, src, config.input);
        },
      };
    }
    case "mqtt-shelly-gen1":
      return {
        filters: [`shellies/${config.device}/input/${config.input}`],
        parse: (m) => parseShellyGen1Input(m.payload),
        availability: { topic: `shellies/${config.device}/online`, online: "true", offline: "false" },
        // "update" makes a Gen1 device publish its current state topics, inputs included.
        query: () => ({ topic: `shellies/${config.device}/command`, payload: "update" }),
      };
  }
}

/** An MQTT input; the constructor only assigns, start() subscribes. */
export class MqttInput extends BaseInput {
  readonly driver: MqttInputConfig["driver"];
  private readonly connection: MqttLink;
  private readonly protocol: InputProtocol;
  private unsubscribe: (() => void)[] = [];
  private running = false;
  /** What the device's last will said last; undefined until it said something. */
  private online: boolean | undefined;

  constructor(config: MqttInputConfig, deps: MqttInputDeps) {
    super({ ...deps, id: config.id, activeLow: config.activeLow, debounceMs: config.debounceMs });
    this.driver = config.driver;
    this.connection = deps.connection;
    this.protocol = inputProtocol(config, deps.connection, deps.gatewayId);
  }

  /** Subscribes on the shared connection and asks the device for its state when connected. */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    const { connection, protocol } = this;
    const availability = protocol.availability;
    this.unsubscribe = [
      connection.on("state", () => this.onLink()),
      ...protocol.filters.map((f) => connection.subscribe(f, (m) => this.onMessage(m))),
      ...(availability
        ? [connection.subscribe(availability.topic, (m) => this.onAvailability(m, availability))]
        : []),
    ];
    this.onLink();
  }

  /** Unsubscribes; the shared connection stays up for the others. */
  async stop(): Promise<void> {
    this.halt();
    this.running = false;
    for (const off of this.unsubscribe.splice(0)) off();
  }

  protected linkState(): { state: HealthState; since: number } {
    const h = this.connection.health();
    return { state: this.stopped ? "stopped" : h.state, since: h.since };
  }

  private onLink(): void {
    if (this.stopped) return;
    if (!this.connection.isOpen()) {
      const h = this.connection.health();
      this.down(`broker not connected${h.lastError ? ` (${h.lastError.message})` : ""}`);
      return;
    }
    this.linkChanged();
    this.awaitingReading();
    this.query();
  }

  private onAvailability(m: MqttMessage, a: Availability): "rejected" | undefined {
    const said = m.payload.toString("utf8").trim();
    if (said !== a.online && said !== a.offline)
      return this.reject("bad_format", `${m.topic}: expected "${a.online}" or "${a.offline}"`, {
        topic: m.topic,
      });
    const online = said === a.online;
    const was = this.online;
    this.online = online;
    if (!online) this.down(`the device reports ${a.offline} (${m.topic})`);
    else if (was === false) this.query();
    return undefined;
  }

  private onMessage(m: MqttMessage): "rejected" | undefined {
    if (this.stopped) return undefined;
    if (m.payload.length > MAX_INPUT_PAYLOAD_BYTES)
      return this.reject("too_long", `payload of ${m.payload.length} bytes on ${m.topic}`, {
        topic: m.topic,
      });
    const reading = this.protocol.parse(m);
    if (reading.kind === "error")
      return this.reject(reading.code, `${m.topic}: ${reading.error}`, { topic: m.topic });
    // A device its last will calls offline says nothing trustworthy (a retained state from before).
    if (reading.kind === "level" && this.online !== false) this.reading(reading.active);
    return undefined;
  }

  private query(): void {
    const q = this.protocol.query?.();
    if (q === undefined) return;
    this.connection.publish(q.topic, q.payload).catch((err: unknown) => {
      this.log.debug({ err, topic: q.topic }, "state query not sent");
    });
  }
}
