/**
 * The simulator's configuration file (sim.yaml): which simulated devices exist, how each serial
 * device is exposed (a TCP port like a serial device server, or a pty pair), their faults, and the
 * MQTT broker for the MQTT kinds. The zod schema is the type and the defaults.
 */
import { z } from "zod";
import { parseText } from "../config/dataFile.js";
import { MODBUS_UNIT, RELAY_CHANNELS } from "../config/deviceLimits.js";
import { AccessGwError, formatPath } from "../config/errors.js";
import { OsdpPdSpec, osdpBusProblems, resolvePdKeyFiles } from "./osdpConfig.js";

const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "expected an id of letters, digits, . _ -");
const Probability = z.number().min(0).max(1);

/** Where a serial device is reachable: a TCP port on 127.0.0.1 or a pty pair (the gateway opens `pty`). */
export const Expose = z.union([
  z.strictObject({
    tcp: z.number().int().min(0).max(65_535).describe("port on 127.0.0.1; 0 picks a free one"),
  }),
  z.strictObject({ pty: z.string().min(1).describe("the path the gateway opens (a symlink made by socat)") }),
]);
export type Expose = z.infer<typeof Expose>;

/**
 * Pulling the plug for `forMs`: every `everyMs` (any device), or, for devices that send (readers,
 * Modbus replies), on the write after `afterFrames` writes or with `probability` per write.
 */
export const DisconnectFault = z
  .strictObject({
    forMs: z.number().int().min(10).max(600_000),
    everyMs: z.number().int().min(100).optional(),
    afterFrames: z.number().int().min(0).optional(),
    probability: Probability.optional(),
  })
  .refine((d) => [d.everyMs, d.afterFrames, d.probability].filter((v) => v !== undefined).length === 1, {
    error: "expected exactly one of everyMs, afterFrames, probability (with forMs)",
  });

/** One fault of a device's outgoing bytes (drop, garble, delay) or of its cable (disconnect). */
export const FaultSpec = z.union([
  z.strictObject({ drop: Probability.describe("probability (0..1) that a write is lost") }),
  z.strictObject({ garble: Probability.describe("probability (0..1) that one byte of a write is flipped") }),
  z.strictObject({ delay: z.number().int().min(0).max(60_000).describe("ms every write is held back") }),
  z.strictObject({ disconnect: DisconnectFault }),
]);
export type FaultSpec = z.infer<typeof FaultSpec>;

const Faults = z.array(FaultSpec).default([]);

const SerialLineReaderDevice = z.strictObject({
  id: Id,
  kind: z.literal("serial-line-reader"),
  expose: Expose,
  format: z.enum(["decimal", "hex", "fc-cn"]).default("decimal"),
  lineEnding: z.enum(["CR", "LF", "CRLF"]).default("CRLF"),
  faults: Faults,
});

const Rdm6300Device = z.strictObject({
  id: Id,
  kind: z.literal("rdm6300"),
  expose: Expose,
  /** The real module repeats its frame about every 100 ms while a tag is held. */
  repeatMs: z.number().int().min(10).max(5000).default(100),
  model: z
    .enum(["rdm6300", "id-12la"])
    .default("rdm6300")
    .describe("rdm6300: STX … ETX; id-12la (ID-12LA, ID-20LA): CR LF before the ETX"),
  faults: Faults,
});

const LcusBoardDevice = z.strictObject({
  id: Id,
  kind: z.literal("lcus-board"),
  expose: Expose,
  channels: z.number().int().min(1).max(RELAY_CHANNELS["lcus-serial"].max).default(2),
  /**
   * Real multi-channel boards drop a command sent within about 100 ms of the previous one; the
   * simulator drops those within 80 ms, so the gateway's 100 ms spacing passes despite timer jitter.
   */
  dropWithinMs: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(80)
    .describe("a command within this many ms of the previous one is dropped, as real boards do; 0 never"),
  faults: Faults,
});

const ModbusBoardDevice = z.strictObject({
  id: Id,
  kind: z.literal("modbus-board"),
  expose: Expose,
  coils: z
    .number()
    .int()
    .min(1)
    .max(RELAY_CHANNELS["modbus-rtu"].max + 1)
    .default(8),
  inputs: z.number().int().min(0).max(2000).default(8).describe("discrete inputs 0..n-1 (FC02)"),
  /** 248-255 are reserved by Modbus, but LCTech boards ship at 255. */
  unitId: z.number().int().min(MODBUS_UNIT.min).max(MODBUS_UNIT.max).default(1),
  faults: Faults,
});

const TasmotaDevice = z.strictObject({
  id: Id,
  kind: z.literal("tasmota"),
  topic: z.string().min(1).describe("the Tasmota %topic%: tele/<topic>/SENSOR, cmnd/<topic>/POWER<n>"),
  channels: z.number().int().min(0).max(32).default(1).describe("relays POWER1..n; 0 for a reader only"),
  sensor: z
    .enum(["PN532", "RC522", "RDM6300", "Wiegand"])
    .default("PN532")
    .describe("the reader present() reads with"),
  wiegandUid: z
    .enum(["decimal", "hex", "bare-hex"])
    .default("decimal")
    .describe('SetOption123 0 (decimal), 1 ("3110D8h"), or 1 on older firmware (unquoted 3110D8h)'),
  stateText: z
    .strictObject({ off: z.string().regex(/^\S{1,32}$/), on: z.string().regex(/^\S{1,32}$/) })
    .optional()
    .describe("StateText1 (off) and StateText2 (on): the words relay states are reported with"),
  faults: Faults,
});

const ShellyGen2Device = z.strictObject({
  id: Id,
  kind: z.literal("shelly-gen2"),
  device: z.string().min(1).describe("the Shelly device id, e.g. shellyplus1-studio"),
  channels: z.number().int().min(1).max(4).default(1),
  faults: Faults,
});

const ShellyGen1Device = z.strictObject({
  id: Id,
  kind: z.literal("shelly-gen1"),
  device: z.string().min(1).describe("the Shelly device id, e.g. shelly1-123456"),
  channels: z.number().int().min(1).max(4).default(1),
  faults: Faults,
});

const EspRfidDevice = z.strictObject({
  id: Id,
  kind: z.literal("esp-rfid"),
  topic: z.string().min(1).describe("the esp-rfid base topic"),
  layout: z
    .enum(["send", "tag", "bare"])
    .default("send")
    .describe(
      "where scans go: send (2.x, <topic>/send), tag (2.x Home Assistant, <topic>/tag), bare (1.0.x, <topic>)",
    ),
  module: z
    .enum(["mfrc522", "rdm6300"])
    .default("mfrc522")
    .describe('the reader module: mfrc522 prints hex UIDs, rdm6300 "14008ec793" (version byte + tag)'),
  faults: Faults,
});

const MqttJsonReaderDevice = z.strictObject({
  id: Id,
  kind: z.literal("mqtt-json-reader"),
  topic: z.string().min(1),
  field: z.string().min(1).default("uid").describe("dotted path of the card in the JSON payload"),
  format: z
    .enum(["json", "text"])
    .default("json")
    .describe(
      "json: the card at field (gateway driver mqtt-json); text: the payload is the card (mqtt-text)",
    ),
  feedbackTopic: z
    .string()
    .min(1)
    .optional()
    .describe("D6: the gateway reader's feedbackTopic; its messages are shown on the prompt"),
  faults: Faults,
});

/** How a turnstile's, door's or fire panel's signals reach the gateway: an input module on the broker, or a Modbus board's inputs. */
const SignalsVia = z.discriminatedUnion("driver", [
  z.strictObject({
    driver: z.literal("mqtt-json"),
    topic: z.string().min(1).describe("signals on <topic>/<name>"),
  }),
  z.strictObject({ driver: z.literal("tasmota"), topic: z.string().min(1).describe("the Tasmota %topic%") }),
  z.strictObject({ driver: z.literal("shelly-gen2"), device: z.string().min(1) }),
  z.strictObject({ driver: z.literal("shelly-gen1"), device: z.string().min(1) }),
  z.strictObject({
    driver: z.literal("modbus"),
    board: Id.describe("the id of a modbus-board device in this file"),
    address: z.number().int().min(0).default(0).describe("the discrete input of the first signal"),
  }),
]);
export type SignalsVia = z.infer<typeof SignalsVia>;

/** Several OSDP PDs on one RS-485 line (multi-drop), exposed like the other serial devices. */
const OsdpBusDevice = z.strictObject({
  id: Id,
  kind: z.literal("osdp-bus"),
  expose: Expose,
  pds: z.array(OsdpPdSpec).min(1, "expected at least one PD"),
  faults: Faults,
});

/** A turnstile (PASS in, PASS out), a door (contact, REX) or a fire panel (release contact). */
const hardware = <K extends "turnstile" | "door" | "fire-panel">(kind: K) =>
  z.strictObject({
    id: Id,
    kind: z.literal(kind),
    via: SignalsVia,
    pulseMs: z
      .number()
      .int()
      .min(10)
      .max(10_000)
      .default(200)
      .describe("how long a PASS output or REX press is active"),
    faults: Faults,
  });

/** One simulated device; `kind` selects the fields. */
export const SimDeviceSpec = z.discriminatedUnion("kind", [
  SerialLineReaderDevice,
  Rdm6300Device,
  LcusBoardDevice,
  ModbusBoardDevice,
  OsdpBusDevice,
  TasmotaDevice,
  ShellyGen2Device,
  ShellyGen1Device,
  EspRfidDevice,
  MqttJsonReaderDevice,
  hardware("turnstile"),
  hardware("door"),
  hardware("fire-panel"),
]);
export type SimDeviceSpec = z.infer<typeof SimDeviceSpec>;
export type SimDeviceKind = SimDeviceSpec["kind"];

/** The device kinds that speak over a serial line (and so take `expose`). */
export const SERIAL_KINDS: ReadonlySet<SimDeviceKind> = new Set([
  "serial-line-reader",
  "rdm6300",
  "lcus-board",
  "modbus-board",
  "osdp-bus",
]);

/** The device kinds that talk to the MQTT broker. */
export const MQTT_KINDS: ReadonlySet<SimDeviceKind> = new Set([
  "tasmota",
  "shelly-gen2",
  "shelly-gen1",
  "esp-rfid",
  "mqtt-json-reader",
]);

/** The broker the MQTT kinds connect to; `embedded` starts an in-process one on the URL's port. */
export const SimBroker = z.strictObject({
  url: z
    .string()
    .regex(/^mqtts?:\/\/[^/\s]+$/, "expected mqtt://host:port")
    .default("mqtt://127.0.0.1:1883"),
  embedded: z.boolean().default(false),
});
export type SimBroker = z.infer<typeof SimBroker>;

/** The simulator configuration file. */
export const SimConfig = z.strictObject({
  devices: z.array(SimDeviceSpec).min(1, "expected at least one device"),
  broker: SimBroker.optional(),
});
export type SimConfig = z.infer<typeof SimConfig>;

/** Problems no single field shows: duplicate ids and ports, MQTT devices without a broker. */
function crossProblems(config: SimConfig): string[] {
  const problems: string[] = [];
  const ids = new Map<string, number>();
  const ports = new Map<string, number>();
  config.devices.forEach((d, i) => {
    const first = ids.get(d.id);
    if (first !== undefined)
      problems.push(`devices[${i}].id: "${d.id}" is already used by devices[${first}]`);
    else ids.set(d.id, i);
    // Port 0 means "any free port": never a clash.
    if ("expose" in d && !("tcp" in d.expose && d.expose.tcp === 0)) {
      const key = "tcp" in d.expose ? `tcp port ${d.expose.tcp}` : `pty ${d.expose.pty}`;
      const other = ports.get(key);
      if (other !== undefined)
        problems.push(`devices[${i}].expose: ${key} is already used by devices[${other}]`);
      else ports.set(key, i);
    }
    if ("via" in d) problems.push(...viaProblems(d.via, i, config));
    if (d.kind === "osdp-bus") problems.push(...osdpBusProblems(d.pds, i));
    if (MQTT_KINDS.has(d.kind) && config.broker === undefined)
      problems.push(`devices[${i}]: a ${d.kind} device needs a broker: { url: mqtt://127.0.0.1:1883 }`);
    if (d.kind === "lcus-board")
      d.faults.forEach((f, j) => {
        if (!("disconnect" in f) || f.disconnect.everyMs === undefined)
          problems.push(
            `devices[${i}].faults[${j}]: an LCUS board never sends; it takes only disconnect: { everyMs, forMs }`,
          );
      });
    if (MQTT_KINDS.has(d.kind))
      d.faults.forEach((f, j) => {
        const name = Object.keys(f)[0];
        if (name === "garble" || name === "delay")
          problems.push(
            `devices[${i}].faults[${j}]: ${name} applies to serial devices; MQTT devices take drop and disconnect: { everyMs, forMs }`,
          );
        else if ("disconnect" in f && f.disconnect.everyMs === undefined)
          problems.push(`devices[${i}].faults[${j}].disconnect: MQTT devices unplug on a cycle: use everyMs`);
      });
  });
  return problems;
}

/** A signal device needs the broker for an MQTT module, or a modbus-board to be wired to. */
function viaProblems(via: SignalsVia, i: number, config: SimConfig): string[] {
  if ((config.devices[i]?.faults.length ?? 0) > 0)
    return [`devices[${i}].faults: door hardware takes no faults (unplug its module at the prompt instead)`];
  if (via.driver !== "modbus")
    return config.broker === undefined
      ? [`devices[${i}].via: a ${via.driver} module needs a broker: { url }`]
      : [];
  const board = config.devices.find((d) => d.id === via.board);
  if (board === undefined || board.kind !== "modbus-board")
    return [`devices[${i}].via.board: "${via.board}" is not a modbus-board of this file`];
  return [];
}

/** Validates a parsed sim.yaml; every problem names the file and the path. */
export function checkSimConfig(file: string, text: string): { config: SimConfig | null; problems: string[] } {
  const parsed = parseText(file, text);
  if (parsed.problems.length > 0) return { config: null, problems: parsed.problems };
  const result = SimConfig.safeParse(parsed.value ?? {});
  if (!result.success)
    return {
      config: null,
      problems: result.error.issues.map(
        (i) => `${file}: ${formatPath(i.path) || "(top level)"}: ${issueMessage(i)}`,
      ),
    };
  const problems = crossProblems(result.data).map((p) => `${file}: ${p}`);
  if (problems.length > 0) return { config: null, problems };
  for (const d of result.data.devices) if (d.kind === "osdp-bus") resolvePdKeyFiles(file, d.pds);
  return { config: result.data, problems };
}

/** Reads sim.yaml text; throws CONFIG_INVALID listing every problem. */
export function loadSimConfig(file: string, text: string): SimConfig {
  const { config, problems } = checkSimConfig(file, text);
  if (config === null)
    throw new AccessGwError(
      "CONFIG_INVALID",
      `${file}: invalid simulator configuration:\n  ${problems.join("\n  ")}`,
      {
        problems,
      },
    );
  return config;
}

/** A zod issue as a sentence; unknown keys and bad kinds say what is allowed. */
export function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys")
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  if (issue.code === "invalid_union" && issue.path.at(-1) === "expose")
    return "expected { tcp: PORT } or { pty: PATH }";
  if (issue.code === "invalid_union" && issue.path.at(-2) === "faults")
    return "expected one of { drop: P }, { garble: P }, { delay: MS }, { disconnect: { forMs, everyMs | afterFrames | probability } }";
  return issue.message;
}
