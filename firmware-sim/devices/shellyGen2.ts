/**
 * A simulated Shelly Gen2+ device on MQTT: JSON-RPC requests on `<device>/rpc`, answers on
 * `<src>/rpc`, `<device>/online` true/false (retained, the last will), and NotifyStatus on
 * `<device>/events/rpc`. Only `Switch.Set` is implemented; `toggle_after` flips the switch back
 * on the injected scheduler. Error codes are Shelly's: -103 invalid argument, -105 not found,
 * 404 no handler for the method. Requests it cannot answer (no JSON, no `src`) are counted.
 */
import { encodeRpcResponse, parseSwitchSetRequest } from "../../drivers/codecs/shelly.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import {
  type SimMqttBrokerOptions,
  SimMqttConnection,
  SimMqttDevice,
  simClientId,
} from "./mqttDeviceClient.js";
import { type RelayBoardEvents, type RelayChange, RelayStateRecorder } from "./relayState.js";

/** What a SimShellyGen2 is handed. */
export interface SimShellyGen2Options extends SimMqttBrokerOptions {
  /** The device's topic prefix, e.g. "shellyplus1-a8032ab12345". */
  device: string;
  /** Switch components 0..switches-1; default 1. */
  switches?: number;
  /** Times toggle_after; handed in so tests can run it by hand. */
  scheduler: Scheduler;
  /** Stamps relay changes (ms); default Date.now. */
  clock?: () => number;
}

interface RpcHead {
  id: number;
  src: string;
  method: string;
}

/** A Shelly Gen2 switch device on MQTT; start() connects, stop() disconnects cleanly. */
export class SimShellyGen2 extends SimMqttDevice {
  private readonly device: string;
  private readonly switchCount: number;
  private readonly scheduler: Scheduler;
  private readonly clock: () => number;
  private readonly relays: RelayStateRecorder;
  protected readonly connection: SimMqttConnection;
  private readonly timers = new Map<number, unknown>();
  private bad = 0;
  private errorReplies = 0;
  /** The last requester: where garbage() goes, since that is the topic the gateway reads. */
  private lastSrc: string | undefined;

  constructor(options: SimShellyGen2Options) {
    super();
    this.device = options.device;
    this.switchCount = options.switches ?? 1;
    this.scheduler = options.scheduler;
    this.clock = options.clock ?? Date.now;
    this.relays = new RelayStateRecorder(this.clock);
    this.connection = new SimMqttConnection({
      ...options,
      clientId: options.clientId ?? simClientId(options.device),
      availability: { topic: `${options.device}/online`, online: "true", offline: "false" },
      subscriptions: [`${options.device}/rpc`],
      onMessage: (topic, payload) => this.receive(topic, payload),
    });
  }

  /** Every switch change, oldest first (`channel` is the switch id, 0-based). */
  get history(): readonly RelayChange[] {
    return this.relays.history;
  }

  /** Requests that could not be answered at all (not JSON, no id or src). */
  get badCommands(): number {
    return this.bad;
  }

  /** Requests answered with an error object. */
  get errors(): number {
    return this.errorReplies;
  }

  /** Whether switch `id` is on. */
  isOn(id: number): boolean {
    return this.relays.isOn(id);
  }

  /** Subscribes to "change"; returns a function that unsubscribes. */
  on<K extends keyof RelayBoardEvents>(event: K, listener: RelayBoardEvents[K]): () => void {
    return this.relays.on(event, listener);
  }

  /** Publishes online false itself and disconnects; pending toggle_after timers are cancelled. */
  override async stop(): Promise<void> {
    for (const id of [...this.timers.keys()]) this.cancelTimer(id);
    await this.connection.stop();
  }

  /** Publishes raw text or bytes on the last requester's `<src>/rpc` (else `<device>/events/rpc`); false when offline. */
  garbage(payload: string | Uint8Array): boolean {
    const topic = this.lastSrc === undefined ? `${this.device}/events/rpc` : `${this.lastSrc}/rpc`;
    return this.connection.publish(topic, payload);
  }

  /** Handles one request (also what the connection feeds it). */
  receive(topic: string, payload: Buffer | string): void {
    if (topic !== `${this.device}/rpc`) return;
    const text = payload.toString();
    const head = rpcHead(text);
    if (head === null) {
      this.bad += 1;
      return;
    }
    this.lastSrc = head.src;
    if (head.method !== "Switch.Set") {
      this.fail(head, 404, `No handler for ${head.method}`);
      return;
    }
    const parsed = parseSwitchSetRequest(text);
    if (!parsed.ok) {
      this.fail(head, -103, `Invalid argument: ${parsed.detail}`);
      return;
    }
    const { id, on, toggle_after } = parsed.request.params;
    if (id >= this.switchCount) {
      this.fail(head, -105, `Argument 'id', value ${id} not found!`);
      return;
    }
    const wasOn = this.isOn(id);
    this.switchTo(id, on, "MQTT");
    if (toggle_after !== undefined) {
      const timer = this.scheduler.setTimeout(() => {
        if (this.timers.get(id) !== timer) return;
        this.timers.delete(id);
        this.switchTo(id, !on, "timer");
      }, toggle_after * 1000);
      this.timers.set(id, timer);
    }
    this.send(encodeRpcResponse(head, this.device, { result: { was_on: wasOn } }));
  }

  private switchTo(id: number, on: boolean, source: string): void {
    // A new Switch.Set replaces a pending toggle_after, as on the device.
    this.cancelTimer(id);
    const changed = this.isOn(id) !== on;
    this.relays.set(id, on);
    if (!changed) return;
    const params = { ts: this.clock() / 1000, [`switch:${id}`]: { id, output: on, source } };
    this.connection.publish(
      `${this.device}/events/rpc`,
      JSON.stringify({ src: this.device, dst: `${this.device}/events`, method: "NotifyStatus", params }),
    );
  }

  private fail(head: RpcHead, code: number, message: string): void {
    this.errorReplies += 1;
    this.send(encodeRpcResponse(head, this.device, { error: { code, message } }));
  }

  private send(message: { topic: string; payload: string }): void {
    this.connection.publish(message.topic, message.payload);
  }

  private cancelTimer(id: number): void {
    const timer = this.timers.get(id);
    if (timer === undefined) return;
    this.timers.delete(id);
    this.scheduler.clearTimeout(timer);
  }
}

/** The id, src and method of a request, or null when there is nobody to answer. */
function rpcHead(text: string): RpcHead | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null) return null;
  const { id, src, method } = raw as Record<string, unknown>;
  if (typeof id !== "number" || typeof src !== "string" || src === "") return null;
  return { id, src, method: typeof method === "string" ? method : "" };
}
