/**
 * Checks of the gateway configuration that span fields or sections (ids, references, shared ports,
 * channel ranges), and the string checks the schema uses. The cross checks work on the parsed,
 * possibly invalid document: each looks only at fields that are well-formed, so every problem is
 * reported at once and none twice.
 */
import { existsSync } from "node:fs";
import { type ChannelRange, MODBUS_UNIT, RELAY_CHANNELS } from "./deviceLimits.js";
import { pinReaderProblems } from "./readerPin.js";
import { Id } from "./site.js";

const TCP = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d+)$/i;

/** Why `s` is not a serial port (a device path or tcp://host:port with port 1..65535), or undefined. */
export function serialPortProblem(s: string): string | undefined {
  if (/^tcp:/i.test(s)) {
    const m = TCP.exec(s);
    if (!m) return `expected tcp://host:port (found "${s}")`;
    const port = Number(m[2]);
    if (port < 1 || port > 65535) return `TCP port must be 1..65535 (found ${m[2]} in "${s}")`;
    return undefined;
  }
  if (s.startsWith("/") || /^COM\d+$/i.test(s) || /^\\\\\.\\COM\d+$/i.test(s)) return undefined;
  return `expected a serial device path (/dev/ttyUSB0, /dev/serial/by-id/…, COM3) or tcp://host:port (found "${s}")`;
}

const MQTT_PROTOCOLS = new Set(["mqtt:", "mqtts:", "ws:", "wss:"]);

/** Why `s` is not a broker URL (mqtt://, mqtts://, ws://, wss:// with a host), or undefined. */
export function mqttUrlProblem(s: string): string | undefined {
  const expected = `expected an mqtt://, mqtts://, ws:// or wss:// URL such as mqtt://127.0.0.1:1883 (found "${s}")`;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return expected;
  }
  if (!MQTT_PROTOCOLS.has(url.protocol) || url.hostname === "" || url.port === "0") return expected;
  return undefined;
}

/**
 * A configuration file with nothing in it (or only comments) is refused: it would start a gateway
 * with no readers and no relays, and is more likely the wrong file or one cut short.
 */
export function emptyConfigProblem(file: string, parsed: unknown): string | undefined {
  if (parsed !== null && parsed !== undefined) return undefined;
  return `${file}: empty file: a gateway configuration declares at least its readers, doors and relays (see config/demo/gateway.yaml)`;
}

type Section = "readers" | "doors" | "relays" | "inputs";
const NOUN: Record<Section, string> = { readers: "reader", doors: "door", relays: "relay", inputs: "input" };

/** One element of a section of the parsed document, with its well-formed fields only. */
interface RawItem {
  index: number;
  id?: string;
  area?: string;
  door?: string;
  relay?: string;
  driver?: string;
  port?: string;
  baudRate?: number;
  channel?: number;
  channelB?: number;
}

const wellFormedId = (v: unknown) => (Id.safeParse(v).success ? (v as string) : undefined);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const channel = (v: unknown) => (Number.isInteger(v) && (v as number) >= 0 ? (v as number) : undefined);

/** The elements of `readers`, `doors`, `relays` or `inputs` in a parsed (possibly invalid) document. */
export function rawItems(raw: unknown, section: Section): RawItem[] {
  const items = (raw as Record<string, unknown> | null)?.[section];
  if (!Array.isArray(items)) return [];
  return items.map((r: unknown, index) => {
    const o = r !== null && typeof r === "object" ? (r as Record<string, unknown>) : {};
    const port = str(o.port);
    return {
      index,
      id: wellFormedId(o.id),
      area: wellFormedId(o.area),
      door: wellFormedId(o.door),
      relay: wellFormedId(o.relay),
      driver: str(o.driver),
      port: port !== undefined && serialPortProblem(port) === undefined ? port : undefined,
      baudRate: typeof o.baudRate === "number" ? o.baudRate : undefined,
      channel: channel(o.channel),
      channelB: channel(o.channelB),
    };
  });
}

/** The readers of a parsed (possibly invalid) document. */
export function rawReaders(raw: unknown): RawItem[] {
  return rawItems(raw, "readers");
}

/**
 * What works but deserves a look, as `path: message` (the caller prefixes the file): a Modbus unit
 * address Modbus reserves, and a serial device path that does not exist (yet: a USB adapter may
 * be plugged in later, and the gateway keeps trying). tcp:// targets are not checked. `exists`
 * is handed in for tests.
 */
export function configWarnings(raw: unknown, exists: (path: string) => boolean = existsSync): string[] {
  const warnings: string[] = [];
  for (const section of ["readers", "relays", "inputs"] as const) {
    for (const item of rawItems(raw, section)) {
      if (item.port?.startsWith("/") && !exists(item.port))
        warnings.push(
          `${section}[${item.index}].port: ${item.port} does not exist (yet); the gateway keeps trying to open it, e.g. until the USB adapter is plugged in`,
        );
    }
  }
  const relays = (raw as Record<string, unknown> | null)?.relays;
  if (Array.isArray(relays))
    relays.forEach((r: unknown, i) => {
      const unit = (r as { driver?: unknown; unitId?: unknown } | null)?.unitId;
      const driver = (r as { driver?: unknown } | null)?.driver;
      if (driver !== "modbus-rtu" || typeof unit !== "number") return;
      if (Number.isInteger(unit) && unit >= MODBUS_UNIT.reservedFrom && unit <= MODBUS_UNIT.max)
        warnings.push(
          `relays[${i}].unitId: ${unit} is in the range Modbus reserves (${MODBUS_UNIT.reservedFrom}..${MODBUS_UNIT.max}); accepted because boards such as LCTech's ship at 255, but no other device on the bus may answer to it (or set the board to 1..${MODBUS_UNIT.reservedFrom - 1})`,
        );
    });
  return warnings;
}

/** Every cross-field problem, as `path: message` (the caller prefixes the file). */
export function crossProblems(raw: unknown): string[] {
  const readers = rawItems(raw, "readers");
  const doors = rawItems(raw, "doors");
  const relays = rawItems(raw, "relays");
  const inputs = rawItems(raw, "inputs");
  return [
    ...duplicateIds("readers", readers),
    ...duplicateIds("doors", doors),
    ...duplicateIds("relays", relays),
    ...duplicateIds("inputs", inputs),
    ...unknownRefs("readers", readers, "door", doors),
    ...unknownRefs("doors", doors, "relay", relays),
    ...sharedPorts(readers, relays, inputs),
    ...missingMqtt(raw, { readers, relays, inputs }),
    ...channelRanges(doors, relays),
    ...pinReaderProblems(raw),
  ];
}

function duplicateIds(section: Section, items: RawItem[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const r of items) {
    if (r.id === undefined) continue;
    const first = seen.get(r.id);
    if (first !== undefined)
      problems.push(
        `${section}[${r.index}].id: duplicate ${NOUN[section]} id "${r.id}" (first at ${section}[${first}])`,
      );
    else seen.set(r.id, r.index);
  }
  return problems;
}

function unknownRefs(
  section: Section,
  items: RawItem[],
  field: "door" | "relay",
  targets: RawItem[],
): string[] {
  const known = new Set(targets.map((t) => t.id));
  return items
    .filter((r) => r[field] !== undefined && !known.has(r[field]))
    .map((r) => `${section}[${r.index}].${field}: unknown ${field} "${r[field]}"`);
}

/** One serial port's users so far: the first, and whether all of them speak Modbus RTU or OSDP. */
interface PortOwner {
  at: string;
  modbus: boolean;
  osdp: boolean;
  baudRate: number;
  relays: number;
}

/**
 * A serial line has one owner: two drivers on one port would steal each other's bytes. Modbus RTU
 * is a bus, though: one modbus-rtu relay board and any number of modbus-rtu inputs may share a port
 * (the gateway runs one request queue on it), at one baud rate. So is OSDP's RS-485 multi-drop: any
 * number of `osdp` readers share a port (their speeds and addresses: config/osdp.ts).
 */
function sharedPorts(readers: RawItem[], relays: RawItem[], inputs: RawItem[]): string[] {
  const problems: string[] = [];
  const owners = new Map<string, PortOwner>();
  const all = [
    ...readers.map((r) => ({ ...r, at: `readers[${r.index}]`, relay: false })),
    ...relays.map((r) => ({ ...r, at: `relays[${r.index}]`, relay: true })),
    ...inputs.map((r) => ({ ...r, at: `inputs[${r.index}]`, relay: false })),
  ];
  for (const item of all) {
    if (item.port === undefined) continue;
    // Host names and the scheme are case-insensitive; device paths are not.
    const key = /^tcp:/i.test(item.port) ? item.port.toLowerCase() : item.port;
    const modbus = item.driver === "modbus-rtu" && (item.relay || item.at.startsWith("inputs"));
    const osdp = item.driver === "osdp" && !item.relay;
    const baudRate = item.baudRate ?? 9600;
    const first = owners.get(key);
    if (first === undefined) {
      owners.set(key, { at: item.at, modbus, osdp, baudRate, relays: item.relay ? 1 : 0 });
      continue;
    }
    if (first.osdp && osdp) continue;
    const onBus = first.modbus && modbus && !(item.relay && first.relays > 0);
    if (!onBus) problems.push(`${item.at}.port: port ${item.port} is also used by ${first.at}`);
    else if (baudRate !== first.baudRate)
      problems.push(
        `${item.at}.baudRate: ${baudRate} differs from ${first.at} on the same Modbus port ${item.port} (${first.baudRate}); one bus has one speed`,
      );
    else if (item.relay) first.relays++;
  }
  return problems;
}

function missingMqtt(raw: unknown, sections: Partial<Record<Section, RawItem[]>>): string[] {
  if ((raw as Record<string, unknown> | null)?.mqtt !== undefined) return [];
  return Object.entries(sections).flatMap(([section, items]) =>
    (items ?? [])
      .filter((r) => r.driver?.startsWith("mqtt-"))
      .map(
        (r) =>
          `${section}[${r.index}].driver: ${r.driver} needs an mqtt section (mqtt: { url: mqtt://host:1883 })`,
      ),
  );
}

function channelRanges(doors: RawItem[], relays: RawItem[]): string[] {
  const problems: string[] = [];
  const relayById = new Map<string, RawItem>();
  for (const r of relays) if (r.id !== undefined && !relayById.has(r.id)) relayById.set(r.id, r);
  for (const d of doors) {
    const relay = d.relay === undefined ? undefined : relayById.get(d.relay);
    const range: ChannelRange | undefined =
      relay?.driver === undefined ? undefined : RELAY_CHANNELS[relay.driver as keyof typeof RELAY_CHANNELS];
    if (!relay || !range) continue;
    for (const field of ["channel", "channelB"] as const) {
      const ch = d[field];
      if (ch === undefined || (ch >= range.min && ch <= range.max)) continue;
      problems.push(
        `doors[${d.index}].${field}: ${ch} is out of range for relay "${relay.id}" (${relay.driver}: ${range.what} ${range.min}..${range.max})`,
      );
    }
  }
  return problems;
}
