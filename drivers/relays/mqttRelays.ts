/**
 * Relay drivers over MQTT: Tasmota (PulseTime + POWER, the device ends the pulse), Shelly Gen2
 * (JSON-RPC Switch.Set with toggle_after, the device ends the pulse) and Shelly Gen1 ("on" then
 * "off", timed by the gateway). A pulse fails with "timeout" when the device does not confirm
 * that it switched on: the member did not get in and the gateway refunds.
 */
import { inChannelRange, RELAY_CHANNELS } from "../../config/deviceLimits.js";
import {
  encodeSwitchSet,
  gen1RelayCommand,
  gen1RelayStateTopic,
  parseGen1RelayState,
  parseRpcResponse,
  rpcResponseTopic,
} from "../codecs/shelly.js";
import {
  DEFAULT_STATE_TEXT,
  parsePowerState,
  powerCommand,
  powerStateTopic,
  pulseTimeCommand,
  pulseTimeMs,
  pulseTimeValue,
  type StateText,
} from "../codecs/tasmotaRelay.js";
import { topicSafe } from "../mqtt/topics.js";
import { type Availability, MqttRelay, type MqttRelayDeps } from "./mqttRelay.js";

/**
 * Tasmota: `cmnd/<topic>/PulseTime<ch>` once per (channel, duration) — again after a broker
 * reconnect, in case the device was reset meanwhile — then `cmnd/<topic>/POWER<ch>` `ON` per
 * pulse, confirmed by `stat/<topic>/POWER<ch>` `ON` (single-relay devices say `POWER`). The pulse
 * resolves when the device reports `OFF`; if it does not within the pulse time plus the reply
 * timeout, the gateway sends `OFF` itself (the member did get in, so it still resolves). A device
 * with a custom StateText reports its own words (`stateText`), or 1/0.
 */
export class TasmotaRelay extends MqttRelay {
  private readonly topic: string;
  private readonly stateText: StateText;
  /** PulseTime value last set per channel. */
  private readonly armed = new Map<number, number>();

  constructor(config: { id: string; topic: string; stateText?: StateText }, deps: MqttRelayDeps) {
    super(config.id, deps);
    this.topic = config.topic;
    this.stateText = config.stateText ?? DEFAULT_STATE_TEXT;
  }

  protected checkChannel(channel: number): void {
    powerStateTopic(this.topic, channel);
  }

  protected replyFilters(): string[] {
    return [`stat/${this.topic}/+`];
  }

  protected override reconnected(): void {
    this.armed.clear();
  }

  protected availability(): Availability {
    return { topic: `tele/${this.topic}/LWT`, online: "Online" };
  }

  protected async restChannel(channel: number, on: boolean): Promise<void> {
    if (on) {
      // Held on, not pulsed: the device must not switch itself off after the last PulseTime.
      const hold = pulseTimeCommand(this.topic, channel, 0);
      await this.connection.publish(hold.topic, hold.payload);
      this.armed.set(channel, 0);
    }
    const command = powerCommand(this.topic, channel, on);
    await this.connection.publish(command.topic, command.payload);
  }

  protected async runPulse(channel: number, ms: number): Promise<void> {
    const value = pulseTimeValue(ms);
    if (this.armed.get(channel) !== value) {
      const arm = pulseTimeCommand(this.topic, channel, ms);
      await this.connection.publish(arm.topic, arm.payload);
      this.armed.set(channel, value);
    }
    const topics = new Set([powerStateTopic(this.topic, channel)]);
    if (channel === 1) topics.add(`stat/${this.topic}/POWER`);
    let on = false;
    const state = (payload: Uint8Array) => {
      const parsed = parsePowerState(payload, this.stateText);
      return parsed.ok ? parsed.on : undefined;
    };
    // Both waits exist before the command goes out: a 100 ms pulse can report OFF very soon after ON.
    const confirmOn = this.waitFor(channel, `stat ${[...topics][0]} ON`, this.replyTimeoutMs, (m) => {
      if (!topics.has(m.topic) || state(m.payload) !== true) return undefined;
      on = true;
      return true;
    });
    const confirmOff = this.waitFor(channel, "OFF", pulseTimeMs(value) + this.replyTimeoutMs * 2, (m) =>
      on && topics.has(m.topic) && state(m.payload) === false ? true : undefined,
    );
    const command = powerCommand(this.topic, channel, true);
    try {
      await this.connection.publish(command.topic, command.payload);
      await confirmOn.promise;
    } catch (err) {
      confirmOn.cancel();
      confirmOff.cancel();
      const off = powerCommand(this.topic, channel, false);
      if (this.connection.isOpen())
        await this.publishQuietly(off.topic, off.payload, "switch off after a failed pulse");
      throw err;
    }
    try {
      await confirmOff.promise;
    } catch {
      const off = powerCommand(this.topic, channel, false);
      this.log.warn({ relayId: this.id, channel }, "no OFF report after the pulse; sending OFF");
      await this.publishQuietly(off.topic, off.payload, "switch off after the pulse");
    }
  }
}

/**
 * Shelly Gen2+: `Switch.Set` with `toggle_after` on `<device>/rpc`, answered on `<src>/rpc` (src =
 * the gateway id, made topic-safe) and matched by id. A result means the switch is on; the pulse
 * resolves once the pulse time has passed (the device switches back itself). An error → "exception".
 */
export class ShellyGen2Relay extends MqttRelay {
  private readonly device: string;
  readonly src: string;

  constructor(config: { id: string; device: string; gatewayId: string }, deps: MqttRelayDeps) {
    super(config.id, deps);
    this.device = config.device;
    this.src = topicSafe(config.gatewayId);
  }

  protected checkChannel(channel: number): void {
    const range = RELAY_CHANNELS["mqtt-shelly-gen2"];
    if (!inChannelRange(range, channel)) {
      throw new RangeError(
        `Shelly Gen2 switch id must be an integer ${range.min}..${range.max}, found ${channel}`,
      );
    }
  }

  protected replyFilters(): string[] {
    return [rpcResponseTopic(this.src)];
  }

  protected availability(): Availability {
    return { topic: `${this.device}/online`, online: "true" };
  }

  protected async restChannel(channel: number, on: boolean): Promise<void> {
    const rpcId = this.connection.nextRequestId();
    const command = encodeSwitchSet({ device: this.device, rpcId, src: this.src, switchId: channel, on });
    await this.connection.publish(command.topic, command.payload);
  }

  protected async runPulse(channel: number, ms: number): Promise<void> {
    // Ids come from the shared connection: several Gen2 relays answer on the same <src>/rpc topic.
    const rpcId = this.connection.nextRequestId();
    const replyTopic = rpcResponseTopic(this.src);
    const reply = this.waitFor(channel, `RPC reply ${rpcId} on ${replyTopic}`, this.replyTimeoutMs, (m) => {
      if (m.topic !== replyTopic) return undefined;
      const parsed = parseRpcResponse(m.payload);
      if (parsed.ok || parsed.error === "rpc_error") return parsed.id === rpcId ? parsed : undefined;
      this.log.debug(
        { relayId: this.id, error: parsed.error, detail: parsed.detail },
        "bad RPC reply ignored",
      );
      return undefined;
    });
    const command = encodeSwitchSet({
      device: this.device,
      rpcId,
      src: this.src,
      switchId: channel,
      on: true,
      toggleAfterSeconds: ms / 1000,
    });
    let response: Awaited<typeof reply.promise>;
    try {
      await this.connection.publish(command.topic, command.payload);
      response = await reply.promise;
    } catch (err) {
      reply.cancel();
      throw err;
    }
    if (!response.ok) {
      throw this.failure(
        channel,
        "exception",
        `the device answered Switch.Set with error ${response.code}: ${response.message}`,
      );
    }
    await this.sleep(ms);
  }
}

/**
 * Shelly Gen1: `shellies/<id>/relay/<ch-1>/command` `on`, confirmed by `shellies/<id>/relay/<ch-1>`
 * `on`; after the pulse time the gateway sends `off` and the pulse resolves when the device reports
 * `off` (or after the reply timeout). An `off` that cannot be sent (broker gone) is sent again as soon
 * as the broker is back, so the relay does not stay on.
 */
export class ShellyGen1Relay extends MqttRelay {
  private readonly device: string;
  /** Channels whose "off" could not be sent yet. */
  private readonly owedOff = new Set<number>();

  constructor(config: { id: string; device: string }, deps: MqttRelayDeps) {
    super(config.id, deps);
    this.device = config.device;
  }

  protected checkChannel(channel: number): void {
    const range = RELAY_CHANNELS["mqtt-shelly-gen1"];
    if (!inChannelRange(range, channel)) {
      throw new RangeError(
        `Shelly Gen1 relay channel must be an integer ${range.min}..${range.max} (1 = relay/0), found ${channel}`,
      );
    }
  }

  protected replyFilters(): string[] {
    return [`shellies/${this.device}/relay/+`];
  }

  protected override reconnected(): void {
    for (const channel of [...this.owedOff]) void this.switchOff(channel);
  }

  protected availability(): Availability {
    return { topic: `shellies/${this.device}/online`, online: "true" };
  }

  protected async restChannel(channel: number, on: boolean): Promise<void> {
    const command = gen1RelayCommand(this.device, channel - 1, on);
    await this.connection.publish(command.topic, command.payload);
    if (!on) this.owedOff.delete(channel);
  }

  protected async runPulse(channel: number, ms: number): Promise<void> {
    const stateTopic = gen1RelayStateTopic(this.device, channel - 1);
    const confirmOn = this.waitFor(channel, `"on" on ${stateTopic}`, this.replyTimeoutMs, (m) => {
      if (m.topic !== stateTopic) return undefined;
      const parsed = parseGen1RelayState(m.payload);
      return parsed.ok && parsed.on ? true : undefined;
    });
    const command = gen1RelayCommand(this.device, channel - 1, true);
    try {
      await this.connection.publish(command.topic, command.payload);
      await confirmOn.promise;
    } catch (err) {
      confirmOn.cancel();
      if (this.connection.isOpen()) await this.switchOff(channel);
      throw err;
    }
    await this.sleep(ms);
    // The pulse ends once the device reports "off" (or the reply timeout passes: the member is in either way).
    const confirmOff = this.waitFor(channel, `"off" on ${stateTopic}`, this.replyTimeoutMs, (m) => {
      if (m.topic !== stateTopic) return undefined;
      const parsed = parseGen1RelayState(m.payload);
      return parsed.ok && !parsed.on ? true : undefined;
    });
    if (!(await this.switchOff(channel))) {
      confirmOff.cancel();
      return;
    }
    await confirmOff.promise.catch(() => {
      this.log.warn({ relayId: this.id, channel }, 'no "off" report after the pulse');
    });
  }

  private async switchOff(channel: number): Promise<boolean> {
    const off = gen1RelayCommand(this.device, channel - 1, false);
    const sent = await this.publishQuietly(off.topic, off.payload, "switch the relay off");
    if (sent) this.owedOff.delete(channel);
    else this.owedOff.add(channel);
    return sent;
  }
}
