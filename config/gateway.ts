import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { parseText } from "./dataFile.js";
import { CARD_NUMBER_MODES, RELAY_CHANNELS } from "./deviceLimits.js";
import { doorFields, doorProblems, FireInput } from "./doors.js";
import { AccessGwError, formatPath } from "./errors.js";
import {
  BaudRate,
  byDriver,
  checkedString,
  FieldPath,
  ModbusUnit,
  ReadTopic,
  SerialPort,
  Topic,
} from "./fields.js";
import {
  configWarnings,
  crossProblems,
  emptyConfigProblem,
  mqttUrlProblem,
  rawReaders,
} from "./gatewayChecks.js";
import { GatewayId } from "./gatewayId.js";
import { HttpSettings, httpWarnings } from "./http.js";
import { Input } from "./inputs.js";
import { knownKeysAt, unknownKeysMessage } from "./keyHints.js";
import {
  osdpBusProblems,
  osdpKeyFileFindings,
  osdpOutputFields,
  osdpOutputProblems,
  osdpReaderFields,
  resolveKeyFile,
} from "./osdp.js";
import { readerPinFields } from "./readerPin.js";
import { Id } from "./site.js";
import { SyncSettings, syncConfigProblems } from "./sync.js";

/** What every reader declares, whatever its driver. */
const readerCommon = {
  id: Id,
  area: Id,
  direction: z.enum(["in", "out"]),
  /** The door that opens on a grant; an `out` reader opens its `channelB` side when it has one. */
  door: Id.optional(),
  /** R17: a second read of the same card within this time is ignored. */
  debounceMs: z.number().int().nonnegative().default(2000),
  /** How the raw read becomes the card number the site knows. */
  cardNumber: z.enum(CARD_NUMBER_MODES).default("as-is"),
  ...readerPinFields,
};

export const READER_DRIVERS = [
  "serial-line",
  "rdm6300",
  "mqtt-tasmota",
  "mqtt-esp-rfid",
  "mqtt-json",
  "mqtt-text",
  "osdp",
] as const;

/** D6: the placeholders a serial-line reply may use. */
export const REPLY_PLACEHOLDERS = ["decision", "reason", "message"] as const;

/** A reply line template: text with {decision}, {reason} and {message}; no line breaks (the ending is added). */
const ReplyTemplate = z
  .string()
  .min(1)
  .max(200)
  .refine((t) => !/[\r\n]/.test(t), { error: "no line breaks in a reply (lineEnding adds the ending)" })
  .superRefine((t, ctx) => {
    for (const [, name] of t.matchAll(/\{([^}]*)\}/g))
      if (!(REPLY_PLACEHOLDERS as readonly string[]).includes(name as string))
        ctx.addIssue({
          code: "custom",
          message: `unknown placeholder {${name}}: expected ${REPLY_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
        });
  });

/**
 * D6: the line a serial-line reader gets after each decision. `line` serves both outcomes unless
 * `grant` or `deny` is given (an undone grant gets the deny line).
 */
export const SerialReply = z.strictObject({
  line: ReplyTemplate.default("{decision} {message}"),
  grant: ReplyTemplate.optional(),
  deny: ReplyTemplate.optional(),
  lineEnding: z.enum(["cr", "lf", "crlf"]).default("crlf"),
  /** `ascii`: accents dropped (è → e) and other characters as `?`, for displays without UTF-8. */
  charset: z.enum(["utf-8", "ascii"]).default("utf-8"),
});
export type SerialReply = z.infer<typeof SerialReply>;

/** A reader as the gateway configuration declares it; `driver` says which fields follow. */
export const Reader = byDriver(
  [
    z.strictObject({
      ...readerCommon,
      driver: z.literal("serial-line"),
      port: SerialPort,
      baudRate: BaudRate,
      /** "123:04567" and "123 04567" are fc-cn; lines end with CR, LF or CRLF. */
      format: z.enum(["decimal", "hex", "fc-cn"]).default("decimal"),
      /** D6: a line written back to the reader after each decision; none when absent. */
      reply: SerialReply.optional(),
    }),
    z.strictObject({ ...readerCommon, driver: z.literal("rdm6300"), port: SerialPort, baudRate: BaudRate }),
    /**
     * The Tasmota device topic (e.g. "pool-reader"); reads come on tele/<topic>/RESULT. D6: the
     * buzzer sounds every decision; with `display: true` the message goes to its DisplayText.
     */
    z.strictObject({
      ...readerCommon,
      driver: z.literal("mqtt-tasmota"),
      topic: Topic,
      display: z.boolean().optional(),
    }),
    /** The esp-rfid base topic; reads come on <topic>/send. */
    z.strictObject({ ...readerCommon, driver: z.literal("mqtt-esp-rfid"), topic: Topic }),
    /** Any device publishing JSON on the full `topic`; the card is at `field`. */
    z.strictObject({
      ...readerCommon,
      driver: z.literal("mqtt-json"),
      topic: ReadTopic,
      field: FieldPath,
      /** D6: where the decision, reason and message are published as JSON; none when absent. */
      feedbackTopic: Topic.optional(),
    }),
    /** Any device publishing the card itself as the payload (ESPHome's `return x;`) on the full `topic`. */
    z.strictObject({ ...readerCommon, driver: z.literal("mqtt-text"), topic: ReadTopic }),
    /** An OSDP PD on an RS-485 bus (config/osdp.ts); several may share one port (multi-drop). */
    z.strictObject({ ...readerCommon, ...osdpReaderFields }),
  ],
  READER_DRIVERS,
);
export type Reader = z.infer<typeof Reader>;

/** A word a Tasmota device reports a relay state with: no spaces, as Tasmota's StateText takes it. */
const StateWord = z
  .string()
  .regex(/^\S{1,32}$/, { error: "expected one word (no spaces), at most 32 characters" });

/**
 * Tasmota's `StateText1` (off) and `StateText2` (on), for a device that reports its relays with
 * other words than OFF and ON; 1/0 and ON/OFF are understood anyway.
 */
const StateText = z
  .strictObject({ off: StateWord, on: StateWord })
  .refine((t) => t.off.toUpperCase() !== t.on.toUpperCase(), { error: "off and on must be different words" })
  .refine((t) => !["OFF", "0"].includes(t.on.toUpperCase()) && !["ON", "1"].includes(t.off.toUpperCase()), {
    error: "on cannot be OFF or 0, and off cannot be ON or 1",
  })
  .describe("the device's StateText1 (off) and StateText2 (on), when it reports other words than OFF/ON");

export const RELAY_DRIVERS = [
  "lcus-serial",
  "modbus-rtu",
  "mqtt-tasmota",
  "mqtt-shelly-gen2",
  "mqtt-shelly-gen1",
  "osdp-output",
] as const;

/** A relay board; doors name it and say which of its channels to pulse. */
export const Relay = byDriver(
  [
    z.strictObject({
      id: Id,
      driver: z.literal("lcus-serial"),
      port: SerialPort,
      baudRate: BaudRate,
      /** Multi-channel LCUS boards drop a command sent within ~100 ms of the previous one. */
      frameGapMs: z
        .number()
        .int()
        .min(0)
        .max(1000)
        .default(100)
        .describe("least ms between two frames to the board (LCUS boards drop one sent within ~100 ms)"),
    }),
    z.strictObject({
      id: Id,
      driver: z.literal("modbus-rtu"),
      port: SerialPort,
      unitId: ModbusUnit,
      baudRate: BaudRate,
    }),
    /** The Tasmota device topic; commands go to cmnd/<topic>/POWER<channel>. */
    z.strictObject({
      id: Id,
      driver: z.literal("mqtt-tasmota"),
      topic: Topic,
      stateText: StateText.optional(),
    }),
    /** The Gen2 RPC topic prefix, e.g. "shellyplus1-a8032ab12345" (requests go to <device>/rpc). */
    z.strictObject({ id: Id, driver: z.literal("mqtt-shelly-gen2"), device: Topic }),
    /** The Gen1 Shelly id, e.g. "shelly1-98CDAC1F2E3A" (commands go to shellies/<device>/relay/…). */
    z.strictObject({ id: Id, driver: z.literal("mqtt-shelly-gen1"), device: Topic }),
    /** An OSDP PD's own outputs, switched with OUT through its reader's bus. */
    z.strictObject(osdpOutputFields),
  ],
  RELAY_DRIVERS,
);
export type Relay = z.infer<typeof Relay>;

/** What `channel` means per relay driver, as the door's schema describes it. */
const CHANNEL_MEANING = Object.entries(RELAY_CHANNELS)
  .map(([driver, r]) => `${driver}: ${r.what} ${r.min}..${r.max}`)
  .join("; ");

/**
 * A door (gate, turnstile), the relay channel that opens it, and what doors.md adds (config/doors.ts):
 * its inputs, alarm timings, lock release and schedule. What `channel` means depends on the
 * relay's driver (RELAY_CHANNELS, checked by `checkGatewayConfig`): lcus-serial the board's relay
 * number, mqtt-tasmota POWER<n>, mqtt-shelly-gen1 relay n−1, modbus-rtu the coil address,
 * mqtt-shelly-gen2 the switch id, osdp-output the PD's output number.
 */
export const Door = z.strictObject({
  id: Id,
  relay: Id,
  /** Direction A (`in` readers), and direction B too when there is no `channelB`. */
  channel: z.number().int().nonnegative().describe(`relay channel for direction A (${CHANNEL_MEANING})`),
  /** Direction B of a turnstile, pulsed for `out` readers. */
  channelB: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe("relay channel for direction B (out readers); without it, out readers pulse `channel`"),
  pulseMs: z.number().int().min(100).max(60_000).default(1000),
  ...doorFields,
});
export type Door = z.infer<typeof Door>;

/** The MQTT broker, needed by the mqtt-* drivers (and by sync later). */
export const Mqtt = z.strictObject({
  url: checkedString(mqttUrlProblem).describe("mqtt://, mqtts://, ws:// or wss:// URL of the broker"),
  username: z.string().optional(),
  password: z.string().optional(),
  /** TLS files; relative paths are relative to the configuration file. */
  ca: z.string().min(1).optional(),
  cert: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
  clientId: z.string().min(1).optional(),
});
export type Mqtt = z.infer<typeof Mqtt>;

/** The gateway configuration file (hardware, sync, logging). */
export const GatewayConfig = z.strictObject({
  gateway: z
    .strictObject({
      id: GatewayId.optional(),
      /** The site this gateway belongs to (sync.md `S`); needed when sync is enabled. */
      site: Id.optional(),
      data: z.string().min(1).optional(),
      /**
       * A group that may read the data folder (member data): the folder 2750 and its files 0640 owned
       * by that group instead of 0700 and 0600. A name or a number; the daemon's user must belong to it.
       */
      dataGroup: z.string().min(1).optional(),
    })
    .default({}),
  log: z
    .strictObject({ level: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info") })
    .default({ level: "info" }),
  readers: z.array(Reader).default([]),
  doors: z.array(Door).default([]),
  relays: z.array(Relay).default([]),
  /** Digital signals read from devices (doors.md D1): passage, contact, REX, fire panel. */
  inputs: z.array(Input).default([]),
  /** doors.md D3: fire panel contacts and the doors each releases. */
  fireInputs: z.array(FireInput).default([]),
  mqtt: Mqtt.optional(),
  /** Central sync over MQTT (sync.md); off unless enabled. */
  sync: SyncSettings,
  /** /metrics, /healthz and /readyz over HTTP (config/http.ts); off unless configured. */
  http: HttpSettings.optional(),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;

/** The relay channel a reader's grant pulses: an `out` reader uses `channelB`, else `channel`. */
export function doorChannel(door: Door, direction: Reader["direction"]): number {
  return direction === "out" ? (door.channelB ?? door.channel) : door.channel;
}

/** The channels the doors use on relay `relayId` (each door's channel and channelB), each once, in door order. */
export function doorChannelsOn(doors: readonly Door[], relayId: string): number[] {
  const channels = doors
    .filter((d) => d.relay === relayId)
    .flatMap((d) => (d.channelB === undefined ? [d.channel] : [d.channel, d.channelB]));
  return [...new Set(channels)];
}

/**
 * The outcome of checking a configuration: the config when it is valid, every problem found, and
 * warnings: things that work but deserve a look (they never make the configuration invalid).
 */
export interface GatewayConfigCheck {
  config: GatewayConfig | null;
  /** The parsed document (even when invalid), for checks against the stored site. */
  raw: unknown;
  problems: string[];
  warnings: string[];
}

/**
 * Parses and validates a gateway configuration without throwing: every problem (syntax, schema,
 * duplicate ids, unknown doors and relays, shared ports…) names the file and the path.
 */
export function checkGatewayConfig(file: string, text: string): GatewayConfigCheck {
  const parsed = parseText(file, text);
  if (parsed.problems.length > 0)
    return { config: null, raw: undefined, problems: parsed.problems, warnings: [] };
  const empty = emptyConfigProblem(file, parsed.value);
  if (empty !== undefined) return { config: null, raw: undefined, problems: [empty], warnings: [] };
  const raw = parsed.value;
  const keys = osdpKeyFileFindings(raw, file);
  const warnings = [...configWarnings(raw), ...httpWarnings(raw), ...keys.warnings].map(
    (w) => `${file}: ${w}`,
  );
  const result = GatewayConfig.safeParse(raw);
  const problems = result.success
    ? []
    : result.error.issues.map((i) => `${file}: ${formatPath(i.path) || "(top level)"}: ${issueText(i, raw)}`);
  // Cross checks work on the parsed document, so they report alongside schema problems.
  problems.push(
    ...[
      ...crossProblems(raw),
      ...osdpBusProblems(raw),
      ...osdpOutputProblems(raw),
      ...keys.problems,
      ...doorProblems(raw),
      ...syncConfigProblems(raw),
    ].map((p) => `${file}: ${p}`),
  );
  if (!result.success || problems.length > 0) return { config: null, raw, problems, warnings };
  const config = result.data;
  // gateway.data, the TLS files and OSDP key files may be relative to the configuration file.
  const near = (p: string) => (isAbsolute(p) ? p : resolve(dirname(file), p));
  if (config.gateway.data) config.gateway.data = near(config.gateway.data);
  if (config.mqtt)
    for (const k of ["ca", "cert", "key"] as const) {
      const p = config.mqtt[k];
      if (p !== undefined) config.mqtt[k] = near(p);
    }
  if (config.http?.tls)
    config.http.tls = { cert: near(config.http.tls.cert), key: near(config.http.tls.key) };
  for (const r of config.readers)
    if (r.driver === "osdp" && r.scbkFile !== undefined) r.scbkFile = resolveKeyFile(file, r.scbkFile);
  return { config, raw, problems, warnings };
}

/** An issue's message; an unknown key names the known one it is probably meant as. */
function issueText(issue: z.core.$ZodIssue, raw: unknown): string {
  if (issue.code !== "unrecognized_keys") return issue.message;
  return unknownKeysMessage(issue.keys, knownKeysAt(GatewayConfig, raw, issue.path));
}

/** Reads and validates a gateway configuration; throws CONFIG_INVALID listing every problem. */
export function loadGatewayConfig(file: string, text: string): GatewayConfig {
  const { config, problems } = checkGatewayConfig(file, text);
  if (!config)
    throw new AccessGwError(
      "CONFIG_INVALID",
      `${file}: invalid gateway configuration:\n  ${problems.join("\n  ")}`,
      { problems },
    );
  return config;
}

/**
 * Readers whose area is not an area of the site: one problem per reader, naming file and path.
 * Works on the parsed document, so it reports alongside schema problems of other fields.
 */
export function readerAreaProblems(file: string, raw: unknown, siteAreas: readonly string[]): string[] {
  const known = new Set(siteAreas);
  const has = siteAreas.length > 0 ? siteAreas.join(", ") : "no areas";
  return rawReaders(raw)
    .filter((r) => r.area !== undefined && !known.has(r.area))
    .map((r) => `${file}: readers[${r.index}].area: unknown area "${r.area}" (the site has: ${has})`);
}

/** The `gateway.id` a parsed (possibly invalid) document declares, when it is a well-formed id. */
export function declaredGatewayId(raw: unknown): string | undefined {
  const id = (raw as { gateway?: { id?: unknown } } | null)?.gateway?.id;
  return GatewayId.safeParse(id).success ? (id as string) : undefined;
}
