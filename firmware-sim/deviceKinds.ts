/**
 * What the simulator needs from every kind of simulated device, and the registry from a sim.yaml
 * `kind` to the small adapter that builds it. Adding a kind is one factory in this map.
 */
import type { Scheduler } from "../runtime/scheduler.js";
import type { SimDeviceKind, SimDeviceSpec } from "./config.js";
import type { Random } from "./devices/faults.js";
import type { SimOsdpBus } from "./devices/osdpBus.js";
import type { ReaderDisplay } from "./devices/readerDisplay.js";
import type { RelayBoardEvents, RelayChange } from "./devices/relayState.js";
import { mqttKinds } from "./mqttKinds.js";
import { osdpKinds } from "./osdpKind.js";
import { type SerialExposure, serialKinds } from "./serialKinds.js";
import { signalKinds } from "./signalKinds.js";

/** Whether a device is plugged in and whether the gateway is talking to it (null: cannot tell). */
export interface DeviceStatus {
  plugged: boolean;
  connected: boolean | null;
}

/** The relay side of a simulated board. */
export interface RelaySide {
  /** The channels a technician sees in the relay table (more appear once switched). */
  readonly channels: readonly number[];
  readonly history: readonly RelayChange[];
  isOn(channel: number): boolean;
  on<K extends keyof RelayBoardEvents>(event: K, listener: RelayBoardEvents[K]): () => void;
}

/** The reader side of a simulated device; card texts are parsed by the device (throws USAGE when unfit). */
export interface ReaderSide {
  /** Presents a card once; false when the bytes did not go out (unplugged, nobody connected, dropped). */
  present(card: string): boolean;
  /** Keeps a card in the field until release(); throws USAGE when the device cannot. */
  hold(card: string): void;
  release(): void;
  /** D6: what the reader shows and sounds when the gateway gives it feedback; absent when it cannot. */
  display?: ReaderDisplay;
}

/** The signals of a turnstile, door or fire panel (doors.md D1) and what a technician can do at it. */
export interface SignalSide {
  /** The actions, e.g. pass-in, pass-out, walk-away. */
  readonly actions: readonly string[];
  /** Does `action`; returns what happened in words; throws USAGE for an action the device lacks. */
  act(action: string): string;
  /** Each signal's name and level now. */
  levels(): { name: string; on: boolean }[];
}

/** One simulated device as the simulator drives it. */
export interface SimDeviceHandle {
  readonly id: string;
  readonly kind: SimDeviceKind;
  readonly reader?: ReaderSide;
  readonly relays?: RelaySide;
  readonly signals?: SignalSide;
  /** The PDs of an OSDP bus (osdp-bus): a card, keys, tamper and power at each, and what each shows. */
  readonly osdp?: SimOsdpBus;
  /** A Modbus board's discrete inputs (FC02), which a turnstile or door wired to it drives. */
  readonly setInput?: (address: number, on: boolean) => void;
  /** Where the gateway reaches it: `tcp://127.0.0.1:4001`, a pty path, an MQTT topic. */
  where(): string;
  status(): DeviceStatus;
  start(): Promise<void>;
  stop(): Promise<void>;
  unplug(): Promise<void>;
  replug(): Promise<void>;
  /** Writes raw bytes on the device's line (or payload on its topic); false when they did not go out. */
  garbage(bytes: Uint8Array): boolean;
}

/** What every factory is handed. */
export interface DeviceContext {
  clock: () => number;
  scheduler: Scheduler;
  random: Random;
  /** The broker URL for the MQTT kinds (set when the config has a broker). */
  brokerUrl?: string;
  /** Exposes a serial device on a pty pair (`expose: { pty }`); missing when pty pairs are unavailable. */
  ptyExposure?: (path: string, deviceId: string) => SerialExposure;
  /** Another device of the simulator by id (a turnstile finds the Modbus board it is wired to). */
  device?: (id: string) => SimDeviceHandle | undefined;
  /** Reports a background failure (a disconnect cycle that could not replug…). */
  onError: (deviceId: string, err: unknown) => void;
}

/** Builds one device of a kind. */
export type DeviceFactory<S extends SimDeviceSpec = SimDeviceSpec> = (
  spec: S,
  context: DeviceContext,
) => SimDeviceHandle;

/** A factory per kind; kinds whose devices are not available yet are missing. */
export type DeviceRegistry = { [K in SimDeviceKind]?: DeviceFactory<Extract<SimDeviceSpec, { kind: K }>> };

/** Every kind the simulator can build. */
export const deviceKinds: DeviceRegistry = { ...serialKinds, ...osdpKinds, ...mqttKinds, ...signalKinds };
