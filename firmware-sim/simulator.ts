/**
 * The simulator: builds the devices of a sim.yaml through the kind registry, starts and stops them
 * (and an embedded broker when asked), and gives a technician's verbs (present, hold, unplug…)
 * by device id. Relay changes of every board come out as one stream, stamped and attributed.
 */
import { AccessGwError } from "../config/errors.js";
import { Listeners } from "../drivers/transport/listeners.js";
import { realScheduler, type Scheduler } from "../runtime/scheduler.js";
import { MQTT_KINDS, type SimConfig } from "./config.js";
import {
  type DeviceContext,
  type DeviceRegistry,
  type DeviceStatus,
  deviceKinds,
  type SimDeviceHandle,
} from "./deviceKinds.js";
import type { Random } from "./devices/faults.js";
import type { OsdpPd } from "./devices/osdpPd.js";
import type { ReaderOutput } from "./devices/readerDisplay.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "./embeddedBroker.js";
import { ptyExposure } from "./ptyExposure.js";
import type { SerialExposure } from "./serialKinds.js";

/** One relay channel switching on one simulated board. */
export interface RelayEvent {
  deviceId: string;
  channel: number;
  on: boolean;
  /** When the board applied it (ms, from the simulator's clock). */
  at: number;
  /** For an OFF: how long the channel was on; null for ONs and for OFFs with no ON seen. */
  heldMs: number | null;
}

/** D6: what one simulated reader showed or sounded. */
export interface ReaderShownEvent extends ReaderOutput {
  deviceId: string;
}

/** What a Simulator reports. */
export interface SimulatorEvents {
  relay: (event: RelayEvent) => void;
  /** A reader showed a message or beeped (the gateway's feedback, D6). */
  reader: (event: ReaderShownEvent) => void;
  /** A background failure of a device (a disconnect cycle that could not replug…). */
  error: (deviceId: string, err: unknown) => void;
}

/** One device as `devices` lists it. */
export interface DeviceInfo extends DeviceStatus {
  id: string;
  kind: string;
  role: "reader" | "relay" | "reader+relay" | "signals" | "osdp";
  where: string;
}

/** One relay channel in the relay table. */
export interface RelayRow {
  deviceId: string;
  channel: number;
  on: boolean;
  /** When it last changed; null when it never did. */
  since: number | null;
}

/** What a Simulator is handed. */
export interface SimulatorOptions {
  config: SimConfig;
  clock?: () => number;
  scheduler?: Scheduler;
  /** For the drop/garble faults and default garbage bytes. */
  random?: Random;
  /** Default: every kind this build knows. */
  registry?: DeviceRegistry;
  /** Makes `expose: { pty }` exposures; default a socat pty pair. */
  ptyExposure?: (path: string, deviceId: string) => SerialExposure;
}

/** The simulated devices of one sim.yaml; start() brings them up, stop() takes them down. */
export class Simulator {
  /** The devices, in config order. */
  readonly devices: readonly SimDeviceHandle[];
  /** The configuration the devices were built from. */
  readonly config: SimConfig;
  private readonly random: Random;
  private readonly listeners = new Listeners<SimulatorEvents>();
  private readonly unsubscribes: (() => void)[] = [];
  private broker: EmbeddedBroker | undefined;
  private started: SimDeviceHandle[] = [];

  constructor(options: SimulatorOptions) {
    this.config = options.config;
    this.random = options.random ?? Math.random;
    const context: DeviceContext = {
      clock: options.clock ?? Date.now,
      scheduler: options.scheduler ?? realScheduler,
      random: this.random,
      brokerUrl: options.config.broker?.url,
      ptyExposure: options.ptyExposure ?? ptyExposure,
      onError: (deviceId, err) => this.listeners.emit("error", deviceId, err),
      device: (id) => this.devices.find((d) => d.id === id),
    };
    this.devices = buildDevices(options.config, options.registry ?? deviceKinds, context);
  }

  /** Which broker the MQTT devices use, for the start banner; null when there are none. */
  get brokerDescription(): string | null {
    const broker = this.config.broker;
    if (broker === undefined || !this.config.devices.some((d) => MQTT_KINDS.has(d.kind))) return null;
    return broker.embedded ? `embedded broker (aedes) on ${broker.url}` : `external broker ${broker.url}`;
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof SimulatorEvents>(event: K, listener: SimulatorEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }

  /** Starts the embedded broker (if any) and every device; on a failure stops what was started and throws. */
  async start(): Promise<void> {
    try {
      if (this.config.broker?.embedded) this.broker = await startEmbeddedBroker(this.config.broker.url);
      for (const device of this.devices) {
        this.watchRelays(device);
        this.watchDisplay(device);
        await device.start();
        this.started.push(device);
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stops every started device and the embedded broker; safe to call twice. */
  async stop(): Promise<void> {
    for (const off of this.unsubscribes.splice(0)) off();
    for (const device of this.started.splice(0).reverse()) await device.stop();
    const broker = this.broker;
    this.broker = undefined;
    await broker?.close();
  }

  /** The device with this id; throws USAGE naming the known ids. */
  device(id: string): SimDeviceHandle {
    const found = this.devices.find((d) => d.id === id);
    if (found === undefined)
      throw new AccessGwError(
        "USAGE",
        `no device "${id}" (the simulator has: ${this.devices.map((d) => d.id).join(", ")})`,
      );
    return found;
  }

  /** The ids of the devices that read cards. */
  readerIds(): string[] {
    return this.devices.filter((d) => d.reader !== undefined).map((d) => d.id);
  }

  /** Presents `card` once at a reader; false when the bytes did not go out. */
  present(readerId: string, card: string): boolean {
    return this.readerOf(readerId).present(card);
  }

  /** Holds `card` at a reader until release(). */
  hold(readerId: string, card: string): void {
    this.readerOf(readerId).hold(card);
  }

  /** Takes the held card away. */
  release(readerId: string): void {
    this.readerOf(readerId).release();
  }

  /** The ids of the door hardware (turnstiles, doors, fire panels). */
  hardwareIds(): string[] {
    return this.devices.filter((d) => d.signals !== undefined).map((d) => d.id);
  }

  /** Does `action` at a turnstile, door or fire panel (pass-in, open, alarm…); returns what happened. */
  act(deviceId: string, action: string): string {
    const device = this.device(deviceId);
    if (device.signals === undefined)
      throw new AccessGwError(
        "USAGE",
        `"${deviceId}" is a ${device.kind}, not door hardware (turnstiles, doors, fire panels: ${this.hardwareIds().join(", ") || "none"})`,
      );
    return device.signals.act(action);
  }

  /** The PD at `address` on the OSDP bus `busId`; throws USAGE naming the buses or the addresses. */
  pd(busId: string, address: number): OsdpPd {
    const bus = this.device(busId).osdp;
    if (bus === undefined)
      throw new AccessGwError(
        "USAGE",
        `"${busId}" is not an osdp-bus (OSDP buses: ${
          this.devices
            .filter((d) => d.osdp)
            .map((d) => d.id)
            .join(", ") || "none"
        })`,
      );
    try {
      return bus.pd(address);
    } catch (err) {
      throw new AccessGwError("USAGE", `${busId}: ${(err as Error).message}`);
    }
  }

  /** Pulls a device's cable. */
  unplug(id: string): Promise<void> {
    return this.device(id).unplug();
  }

  /** Plugs it back in. */
  replug(id: string): Promise<void> {
    return this.device(id).replug();
  }

  /** Writes raw bytes (8 random ones by default) on a device's line; returns the bytes and whether they went out. */
  garbage(id: string, bytes?: Uint8Array): { bytes: Uint8Array; sent: boolean } {
    const out = bytes ?? Uint8Array.from({ length: 8 }, () => Math.floor(this.random() * 256) & 0xff);
    return { bytes: out, sent: this.device(id).garbage(out) };
  }

  /** Every device with where it listens and whether the gateway is connected. */
  list(): DeviceInfo[] {
    return this.devices.map((d) => ({
      id: d.id,
      kind: d.kind,
      role: d.osdp
        ? "osdp"
        : d.signals
          ? "signals"
          : d.reader && d.relays
            ? "reader+relay"
            : d.reader
              ? "reader"
              : "relay",
      where: d.where(),
      ...d.status(),
    }));
  }

  /** Every relay channel of every board, on or off, with its last change. */
  relayTable(): RelayRow[] {
    const rows: RelayRow[] = [];
    for (const d of this.devices) {
      const relays = d.relays;
      if (relays === undefined) continue;
      const channels = new Set([...relays.channels, ...relays.history.map((c) => c.channel)]);
      for (const channel of [...channels].sort((a, b) => a - b)) {
        const last = [...relays.history].reverse().find((c) => c.channel === channel);
        rows.push({ deviceId: d.id, channel, on: relays.isOn(channel), since: last?.at ?? null });
      }
    }
    return rows;
  }

  private readerOf(id: string) {
    const device = this.device(id);
    if (device.reader === undefined)
      throw new AccessGwError(
        "USAGE",
        `"${id}" is a ${device.kind}, not a reader (readers: ${this.readerIds().join(", ")})`,
      );
    return device.reader;
  }

  private watchDisplay(device: SimDeviceHandle): void {
    // D6 through OSDP: each PD's LED, beeps, text and outputs, as `bus/address`.
    for (const pd of device.osdp?.pds ?? [])
      this.unsubscribes.push(
        pd.panel.display.on("shown", (output) =>
          this.listeners.emit("reader", { deviceId: `${device.id}/${pd.address}`, ...output }),
        ),
      );
    const display = device.reader?.display;
    if (display === undefined) return;
    this.unsubscribes.push(
      display.on("shown", (output) => this.listeners.emit("reader", { deviceId: device.id, ...output })),
    );
  }

  private watchRelays(device: SimDeviceHandle): void {
    const relays = device.relays;
    if (relays === undefined) return;
    const onSince = new Map<number, number>();
    this.unsubscribes.push(
      relays.on("change", (change) => {
        const since = onSince.get(change.channel);
        if (change.on) onSince.set(change.channel, change.at);
        else onSince.delete(change.channel);
        const heldMs = !change.on && since !== undefined ? change.at - since : null;
        this.listeners.emit("relay", {
          deviceId: device.id,
          channel: change.channel,
          on: change.on,
          at: change.at,
          heldMs,
        });
      }),
    );
  }
}

/** Builds every device; a kind missing from the registry is a config problem naming the device. */
function buildDevices(
  config: SimConfig,
  registry: DeviceRegistry,
  context: DeviceContext,
): SimDeviceHandle[] {
  return config.devices.map((spec, i) => {
    const factory = registry[spec.kind] as
      | ((s: typeof spec, c: DeviceContext) => SimDeviceHandle)
      | undefined;
    if (factory === undefined)
      throw new AccessGwError(
        "CONFIG_INVALID",
        `devices[${i}] (${spec.id}): kind "${spec.kind}" is not available in this simulator (available: ${Object.keys(registry).join(", ")})`,
      );
    return factory(spec, context);
  });
}
