/**
 * Adapters for the serial device kinds: each wraps a simulated device from devices/ on a serial
 * exposure (a TCP port like a serial device server) and applies the configured faults.
 */
import { AccessGwError } from "../config/errors.js";
import type { Expose, SimDeviceSpec } from "./config.js";
import type { DeviceContext, DeviceRegistry, ReaderSide, RelaySide, SimDeviceHandle } from "./deviceKinds.js";
import { SimLcusBoard } from "./devices/lcusBoard.js";
import { SimModbusBoard } from "./devices/modbusBoard.js";
import type { SimOsdpBus } from "./devices/osdpBus.js";
import { SimRdm6300Module } from "./devices/rdm6300Module.js";
import { type DeviceLink, SerialDeviceServer } from "./devices/serialDeviceServer.js";
import { SimSerialLineReader } from "./devices/serialLineReader.js";
import { delayedLink, delayOf, immediateFaults, lineFaults, startDisconnectCycle } from "./linkFaults.js";

/** A serial line as the simulator exposes it to the gateway. */
export interface SerialExposure {
  readonly link: DeviceLink;
  where(): string;
  plugged(): boolean;
  /** Whether the gateway has the line open; null when the exposure cannot tell (a pty). */
  connected(): boolean | null;
  start(): Promise<void>;
  stop(): Promise<void>;
  unplug(): Promise<void>;
  replug(): Promise<void>;
}

/** A TCP listener on 127.0.0.1:port standing in for a serial device server. */
export function tcpExposure(port: number): SerialExposure {
  const server = new SerialDeviceServer({ port });
  return {
    link: server,
    where: () => `tcp://127.0.0.1:${server.port || port}`,
    plugged: () => server.plugged,
    connected: () => server.connected,
    start: async () => {
      await server.start();
    },
    stop: () => server.stop(),
    unplug: () => server.unplug(),
    replug: () => server.replug(),
  };
}

/** The exposure a serial device's `expose:` names (a TCP port, or a pty pair when available). */
export function expose(spec: { id: string; expose: Expose }, context: DeviceContext): SerialExposure {
  if ("tcp" in spec.expose) return tcpExposure(spec.expose.tcp);
  if (context.ptyExposure === undefined)
    throw new AccessGwError("CONFIG_INVALID", `${spec.id}: pty exposure is not available in this build`);
  return context.ptyExposure(spec.expose.pty, spec.id);
}

/** The parts every serial adapter shares: exposure lifecycle, disconnect cycle, raw writes. */
export function serialHandle(
  spec: Extract<SimDeviceSpec, { expose: Expose }>,
  context: DeviceContext,
  exposure: SerialExposure,
  device: { start(): void; stop(): void },
  sides: {
    reader?: ReaderSide;
    relays?: RelaySide;
    setInput?: (address: number, on: boolean) => void;
    osdp?: SimOsdpBus;
  },
): SimDeviceHandle {
  let stopCycle = () => {};
  const handle: SimDeviceHandle = {
    id: spec.id,
    kind: spec.kind,
    ...sides,
    where: () => exposure.where(),
    status: () => ({ plugged: exposure.plugged(), connected: exposure.connected() }),
    start: async () => {
      await exposure.start();
      device.start();
      stopCycle = startDisconnectCycle(spec.faults, exposure, context.scheduler, (err) =>
        context.onError(spec.id, err),
      );
    },
    stop: async () => {
      stopCycle();
      device.stop();
      await exposure.stop();
    },
    unplug: () => exposure.unplug(),
    replug: () => exposure.replug(),
    garbage: (bytes) => exposure.link.write(bytes),
  };
  return handle;
}

/** A card typed by a technician as a 32-bit tag: decimal digits, or 8 hex digits. */
export function parseTag(card: string, deviceId: string): number {
  const text = card.trim();
  let tag = Number.NaN;
  if (/^\d{1,10}$/.test(text)) tag = Number(text);
  else if (/^(0x)?[0-9a-f]{8}$/i.test(text)) tag = Number.parseInt(text.replace(/^0x/i, ""), 16);
  if (!Number.isInteger(tag) || tag > 0xffff_ffff)
    throw new AccessGwError(
      "USAGE",
      `${deviceId}: "${card}" is not an EM4100 tag (expected a decimal number up to 4294967295 or 8 hex digits)`,
    );
  return tag;
}

function cannotHold(spec: { id: string; kind: string }): never {
  throw new AccessGwError(
    "USAGE",
    `${spec.id}: a ${spec.kind} prints a card once and cannot hold it; use present`,
  );
}

/** Channel numbers 1..n or 0..n-1. */
function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** The serial kinds, by sim.yaml `kind`. */
export const serialKinds: DeviceRegistry = {
  "serial-line-reader": (spec, context) => {
    const exposure = expose(spec, context);
    const device = new SimSerialLineReader({
      link: exposure.link,
      format: spec.format,
      lineEnding: spec.lineEnding,
      faults: lineFaults(spec.faults, { ...context, target: exposure }),
      clock: context.clock,
    });
    const reader: ReaderSide = {
      display: device.display,
      // A numeric card is printed in the reader's format; anything else exactly as typed.
      present: (card) =>
        device.present(/^\d{1,10}$/.test(card) && spec.format !== "decimal" ? Number(card) : card),
      hold: () => cannotHold(spec),
      release: () => {},
    };
    return serialHandle(spec, context, exposure, device, { reader });
  },
  rdm6300: (spec, context) => {
    const exposure = expose(spec, context);
    const device = new SimRdm6300Module({
      link: exposure.link,
      scheduler: context.scheduler,
      model: spec.model,
      faults: lineFaults(spec.faults, { ...context, target: exposure }),
    });
    const reader: ReaderSide = {
      present: (card) => device.present(parseTag(card, spec.id)),
      hold: (card) => {
        // Held until release(): the module repeats its frame for as long as the tag is there.
        void device.hold(parseTag(card, spec.id), Number.POSITIVE_INFINITY, spec.repeatMs);
      },
      release: () => device.release(),
    };
    return serialHandle(spec, context, exposure, device, { reader });
  },
  "lcus-board": (spec, context) => {
    const exposure = expose(spec, context);
    const board = new SimLcusBoard({
      link: exposure.link,
      clock: context.clock,
      dropWithinMs: spec.dropWithinMs,
    });
    const relays: RelaySide = {
      channels: range(1, spec.channels),
      get history() {
        return board.history;
      },
      isOn: (channel) => board.isOn(channel),
      on: (event, listener) => board.on(event, listener),
    };
    return serialHandle(spec, context, exposure, board, { relays });
  },
  "modbus-board": (spec, context) => {
    const exposure = expose(spec, context);
    const board = new SimModbusBoard({
      link: delayedLink(exposure.link, delayOf(spec.faults), context.scheduler),
      unitId: spec.unitId,
      coils: spec.coils,
      inputs: spec.inputs,
      clock: context.clock,
      // The board takes immediate faults only: its delay is a link that holds replies back.
      faults: immediateFaults(spec.faults, { ...context, target: exposure }),
    });
    const relays: RelaySide = {
      channels: range(0, Math.min(spec.coils, 16)),
      get history() {
        return board.history;
      },
      isOn: (channel) => board.isOn(channel),
      on: (event, listener) => board.on(event, listener),
    };
    return serialHandle(spec, context, exposure, board, {
      relays,
      setInput: (address, on) => board.setInput(address, on),
    });
  },
};
