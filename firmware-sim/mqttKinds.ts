/**
 * Adapters for the MQTT device kinds (Tasmota, Shelly Gen2 and Gen1, esp-rfid, mqtt-json readers):
 * each wraps a simulated device from devices/ connected to the sim.yaml broker. Faults: `drop`
 * loses presented cards, `disconnect` unplugs the device on a cycle (config.ts refuses the rest).
 */
import { AccessGwError } from "../config/errors.js";
import type { FaultSpec, SimDeviceSpec } from "./config.js";
import type { DeviceContext, DeviceRegistry, ReaderSide, RelaySide, SimDeviceHandle } from "./deviceKinds.js";
import { SimEspRfidReader } from "./devices/espRfidReader.js";
import { SimMqttJsonReader } from "./devices/mqttJsonReader.js";
import type { RelayBoardEvents, RelayChange } from "./devices/relayState.js";
import { SimShellyGen1 } from "./devices/shellyGen1.js";
import { SimShellyGen2 } from "./devices/shellyGen2.js";
import { SimTasmotaDevice } from "./devices/tasmotaDevice.js";
import { startDisconnectCycle } from "./linkFaults.js";

/** What every simulated MQTT device offers. */
interface MqttDevice {
  readonly plugged: boolean;
  readonly connected: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  unplug(): Promise<void>;
  replug(): Promise<void>;
  garbage(payload: string | Uint8Array): boolean;
}

/** What a simulated MQTT relay device offers. */
interface MqttRelays {
  readonly history: readonly RelayChange[];
  isOn(channel: number): boolean;
  on<K extends keyof RelayBoardEvents>(event: K, listener: RelayBoardEvents[K]): () => void;
}

function brokerUrl(spec: { id: string }, context: DeviceContext): string {
  if (context.brokerUrl === undefined)
    throw new AccessGwError("CONFIG_INVALID", `${spec.id}: an MQTT device needs broker: { url } in sim.yaml`);
  return context.brokerUrl;
}

/** The drop probability of a fault list (0 when none). */
function dropOf(faults: readonly FaultSpec[]): number {
  let keep = 1;
  for (const f of faults) if ("drop" in f) keep *= 1 - f.drop;
  return 1 - keep;
}

/** A reader side whose presents are lost with the configured drop probability; bad cards become USAGE errors. */
function readerSide(
  spec: { id: string; faults: readonly FaultSpec[] },
  context: DeviceContext,
  present: (card: string) => boolean,
): ReaderSide {
  const lose = dropOf(spec.faults);
  return {
    present: (card) => {
      if (lose > 0 && context.random() < lose) return false;
      try {
        return present(card.trim());
      } catch (err) {
        if (err instanceof RangeError) throw new AccessGwError("USAGE", `${spec.id}: ${err.message}`);
        throw err;
      }
    },
    hold: () => {
      throw new AccessGwError("USAGE", `${spec.id}: an MQTT reader sends one read per card; use present`);
    },
    release: () => {},
  };
}

function relaySide(device: MqttRelays, channels: number[]): RelaySide {
  return {
    channels,
    get history() {
      return device.history;
    },
    isOn: (channel) => device.isOn(channel),
    on: (event, listener) => device.on(event, listener),
  };
}

/** The parts every MQTT adapter shares: lifecycle, disconnect cycle, raw payloads. */
function mqttHandle(
  spec: SimDeviceSpec,
  context: DeviceContext,
  device: MqttDevice,
  where: string,
  sides: { reader?: ReaderSide; relays?: RelaySide },
): SimDeviceHandle {
  let stopCycle = () => {};
  return {
    id: spec.id,
    kind: spec.kind,
    ...sides,
    where: () => where,
    status: () => ({ plugged: device.plugged, connected: null }),
    start: async () => {
      await device.start();
      stopCycle = startDisconnectCycle(spec.faults, device, context.scheduler, (err) =>
        context.onError(spec.id, err),
      );
    },
    stop: async () => {
      stopCycle();
      await device.stop();
    },
    unplug: () => device.unplug(),
    replug: () => device.replug(),
    garbage: (bytes) => device.garbage(bytes),
  };
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
const HEX_UID = /^(0x)?[0-9a-f]{8}$/i;

/** The MQTT kinds, by sim.yaml `kind`. */
export const mqttKinds: DeviceRegistry = {
  tasmota: (spec, context) => {
    const device = new SimTasmotaDevice({
      url: brokerUrl(spec, context),
      topic: spec.topic,
      relays: spec.channels,
      scheduler: context.scheduler,
      clock: context.clock,
      cardSensor: spec.sensor,
      wiegandUid: spec.wiegandUid,
      ...(spec.stateText === undefined ? {} : { stateText: spec.stateText }),
    });
    // Decimal digits are a card number; 8 hex digits with a letter are a UID as is (of the
    // configured UID sensor; a PN532's for a Wiegand device, which has no UID).
    const uidSensor = spec.sensor === "Wiegand" ? "PN532" : spec.sensor;
    const reader = readerSide(spec, context, (card) =>
      HEX_UID.test(card) && !/^\d+$/.test(card)
        ? device.present({ sensor: uidSensor, uid: card.replace(/^0x/i, "").toUpperCase() })
        : device.presentCard(card),
    );
    reader.display = device.display;
    const where = `mqtt tele/${spec.topic}/SENSOR${spec.channels > 0 ? `, cmnd/${spec.topic}/POWER<n>` : ""}`;
    const relays = spec.channels > 0 ? relaySide(device, range(1, spec.channels)) : undefined;
    return mqttHandle(spec, context, device, where, relays ? { reader, relays } : { reader });
  },
  "shelly-gen2": (spec, context) => {
    const device = new SimShellyGen2({
      url: brokerUrl(spec, context),
      device: spec.device,
      switches: spec.channels,
      scheduler: context.scheduler,
      clock: context.clock,
    });
    return mqttHandle(spec, context, device, `mqtt ${spec.device}/rpc`, {
      relays: relaySide(device, range(0, spec.channels)),
    });
  },
  "shelly-gen1": (spec, context) => {
    const device = new SimShellyGen1({
      url: brokerUrl(spec, context),
      device: spec.device,
      relays: spec.channels,
      clock: context.clock,
    });
    return mqttHandle(spec, context, device, `mqtt shellies/${spec.device}/relay/<n>/command`, {
      relays: relaySide(device, range(1, spec.channels)),
    });
  },
  "esp-rfid": (spec, context) => {
    const device = new SimEspRfidReader({
      url: brokerUrl(spec, context),
      topic: spec.topic,
      clock: context.clock,
      layout: spec.layout,
      module: spec.module,
    });
    const reader = readerSide(spec, context, (card) =>
      /^\d+$/.test(card) ? device.presentCard(card) : device.present(card.replace(/^0x/i, "").toUpperCase()),
    );
    const where = { send: `${spec.topic}/send`, tag: `${spec.topic}/tag`, bare: spec.topic }[spec.layout];
    return mqttHandle(spec, context, device, `mqtt ${where}`, { reader });
  },
  "mqtt-json-reader": (spec, context) => {
    const device = new SimMqttJsonReader({
      url: brokerUrl(spec, context),
      topic: spec.topic,
      field: spec.field,
      format: spec.format,
      clock: context.clock,
      ...(spec.feedbackTopic === undefined ? {} : { feedbackTopic: spec.feedbackTopic }),
    });
    // The card goes out as typed (a string), so leading zeros survive.
    const reader = readerSide(spec, context, (card) => device.present(card));
    if (spec.feedbackTopic !== undefined) reader.display = device.display;
    const what = spec.format === "text" ? "the payload" : `field ${spec.field}`;
    return mqttHandle(spec, context, device, `mqtt ${spec.topic} (${what})`, { reader });
  },
};
