/**
 * Adapters for the door hardware kinds (turnstile, door, fire-panel): the hardware's signals go out
 * through a simulated MQTT input module (mqtt-json, Tasmota, Shelly Gen2/Gen1) or a Modbus board's
 * discrete inputs, as `via` in sim.yaml says.
 */
import { AccessGwError } from "../config/errors.js";
import type { SignalsVia, SimDeviceSpec } from "./config.js";
import type { DeviceContext, DeviceRegistry, SignalSide, SimDeviceHandle } from "./deviceKinds.js";
import {
  HARDWARE_ACTIONS,
  HARDWARE_SIGNALS,
  type HardwareKind,
  type SignalSink,
  SimDoorHardware,
} from "./devices/doorHardware.js";
import { SimSignalDevice } from "./devices/signalDevice.js";

type HardwareSpec = Extract<SimDeviceSpec, { kind: HardwareKind }>;

/** Where the gateway reads the signals, for `devices`. */
function whereOf(via: SignalsVia): string {
  switch (via.driver) {
    case "mqtt-json":
      return `mqtt ${via.topic}/<signal>`;
    case "tasmota":
      return `mqtt stat/${via.topic}/RESULT (Switch<n>)`;
    case "shelly-gen2":
      return `mqtt ${via.device}/events/rpc (input:<n>)`;
    case "shelly-gen1":
      return `mqtt shellies/${via.device}/input/<n>`;
    case "modbus":
      return `modbus ${via.board} discrete inputs ${via.address}..`;
  }
}

/** Builds one piece of door hardware with its module. */
function hardwareHandle(spec: HardwareSpec, context: DeviceContext): SimDeviceHandle {
  const via = spec.via;
  const names = HARDWARE_SIGNALS[spec.kind];
  let module: SimSignalDevice | undefined;
  let sink: SignalSink;
  if (via.driver === "modbus") {
    sink = (index, on) => {
      const board = context.device?.(via.board);
      if (board?.setInput === undefined) return false;
      board.setInput(via.address + index, on);
      return true;
    };
  } else {
    if (context.brokerUrl === undefined)
      throw new AccessGwError(
        "CONFIG_INVALID",
        `${spec.id}: an MQTT input module needs broker: { url } in sim.yaml`,
      );
    const mqttModule = new SimSignalDevice({
      url: context.brokerUrl,
      protocol: via.driver,
      address: via.driver === "mqtt-json" || via.driver === "tasmota" ? via.topic : via.device,
      names,
      clock: context.clock,
    });
    module = mqttModule;
    sink = (index, on) => mqttModule.set(index, on);
  }
  const hardware = new SimDoorHardware({
    kind: spec.kind,
    sink,
    scheduler: context.scheduler,
    pulseMs: spec.pulseMs,
  });
  const signals: SignalSide = {
    actions: HARDWARE_ACTIONS[spec.kind],
    act: (action) => {
      try {
        return hardware.act(action);
      } catch (err) {
        if (err instanceof RangeError) throw new AccessGwError("USAGE", `${spec.id}: ${err.message}`);
        throw err;
      }
    },
    levels: () => hardware.signals(),
  };
  return {
    id: spec.id,
    kind: spec.kind,
    signals,
    where: () => whereOf(via),
    status: () => ({ plugged: module?.plugged ?? true, connected: null }),
    start: async () => {
      await module?.start();
    },
    stop: async () => {
      await module?.stop();
    },
    unplug: async () => {
      await module?.unplug();
    },
    replug: async () => {
      await module?.replug();
    },
    garbage: (bytes) => module?.garbage(bytes) ?? false,
  };
}

/** The door hardware kinds, by sim.yaml `kind`. */
export const signalKinds: DeviceRegistry = {
  turnstile: hardwareHandle,
  door: hardwareHandle,
  "fire-panel": hardwareHandle,
};
