/**
 * OSDP in the gateway configuration: the `osdp` reader's and the `osdp-output` relay's fields, and
 * what `check` says about OSDP buses (several readers on one RS-485 port), PD outputs and key files.
 * The cross checks work on the parsed, possibly invalid document, like config/gatewayChecks.ts.
 */
import { statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { WIEGAND_FORMAT_NAMES } from "./deviceLimits.js";
import { SerialPort } from "./fields.js";
import { rawItems, serialPortProblem } from "./gatewayChecks.js";
import { Id } from "./site.js";

/** The speeds OSDP defines for its RS-485 line. */
export const OSDP_BAUD_RATES = [9600, 19200, 38400, 57600, 115200, 230400] as const;

/** The highest PD address; 0x7F is OSDP's broadcast address, which no PD has as its own. */
export const OSDP_MAX_ADDRESS = 126;

/** How a reader's RAW card data becomes a card number (config/osdp.ts, drivers/osdp/cardData.ts). */
export const OSDP_CARD_FORMATS = ["auto", "raw", ...WIEGAND_FORMAT_NAMES] as const;

const OsdpBaudRate = z
  .literal(OSDP_BAUD_RATES, {
    error: (iss) => `expected one of OSDP's rates ${OSDP_BAUD_RATES.join(", ")} (found ${String(iss.input)})`,
  })
  .default(9600)
  .describe(`the bus speed: one of ${OSDP_BAUD_RATES.join(", ")}; every PD on one port at the same rate`);

/** The fields of an `osdp` reader besides those every reader has. */
export const osdpReaderFields = {
  driver: z.literal("osdp"),
  /** The RS-485 adapter (or tcp://host:port); several `osdp` readers on one port share the bus. */
  port: SerialPort,
  baudRate: OsdpBaudRate,
  address: z
    .number()
    .int()
    .min(0)
    .max(OSDP_MAX_ADDRESS)
    .describe(`the PD's address on its bus, 0..${OSDP_MAX_ADDRESS} (127 is the broadcast address)`),
  /** The secure channel base key (32 hex digits), relative to this file; absent: install mode until keyset. */
  scbkFile: z
    .string()
    .min(1)
    .optional()
    .describe(
      "the PD's secure channel key file (32 hex digits, mode 0600), relative to this file; absent: install mode until `accessgw osdp keyset`",
    ),
  /** `required`: a PD that answers in clear is reported and its reads refused; `off`: clear only. */
  secureChannel: z.enum(["required", "off"]).default("required"),
  cardFormat: z
    .enum(OSDP_CARD_FORMATS)
    .default("auto")
    .describe("auto: the Wiegand format from the bit count; raw: the bits as hex; or a Wiegand format name"),
};

/** The fields of an `osdp-output` relay: a PD's own outputs, which doors name by `channel`. */
export const osdpOutputFields = {
  id: Id,
  driver: z.literal("osdp-output"),
  /** The `osdp` reader whose PD has the outputs; a door's `channel` is the output number. */
  reader: Id.describe(
    "the id of the osdp reader whose PD drives the outputs (a door's channel is the output number)",
  ),
};

/** Which bus a port names: host names and the scheme of `tcp://` are case-insensitive, device paths are not. */
export function osdpBusKey(port: string): string {
  return /^tcp:/i.test(port) ? port.toLowerCase() : port;
}

/** An osdp reader of the parsed document, with its well-formed fields only. */
interface RawOsdpReader {
  at: string;
  id: string | undefined;
  port: string | undefined;
  baudRate: number;
  address: number | undefined;
  scbkFile: string | undefined;
}

/** The `osdp` readers of a parsed (possibly invalid) document. */
function osdpReaders(raw: unknown): RawOsdpReader[] {
  const items = (raw as { readers?: unknown } | null)?.readers;
  if (!Array.isArray(items)) return [];
  return items.flatMap((r: unknown, index) => {
    const o = r !== null && typeof r === "object" ? (r as Record<string, unknown>) : {};
    if (o.driver !== "osdp") return [];
    const port = typeof o.port === "string" && serialPortProblem(o.port) === undefined ? o.port : undefined;
    const address = Number.isInteger(o.address) ? (o.address as number) : undefined;
    return [
      {
        at: `readers[${index}]`,
        id: Id.safeParse(o.id).success ? (o.id as string) : undefined,
        port: port === undefined ? undefined : osdpBusKey(port),
        baudRate: typeof o.baudRate === "number" ? o.baudRate : 9600,
        address,
        scbkFile: typeof o.scbkFile === "string" && o.scbkFile !== "" ? o.scbkFile : undefined,
      },
    ];
  });
}

/** Who names a reader in messages: its id when it has one, else its place. */
const named = (r: RawOsdpReader) => (r.id === undefined ? r.at : `reader "${r.id}" (${r.at})`);

/**
 * One RS-485 bus has one speed and one PD per address: a second speed garbles every frame, and two
 * PDs with one address answer over each other. Problems as `path: message`.
 */
export function osdpBusProblems(raw: unknown): string[] {
  const problems: string[] = [];
  const firstOnPort = new Map<string, RawOsdpReader>();
  const byAddress = new Map<string, RawOsdpReader>();
  for (const r of osdpReaders(raw)) {
    if (r.port === undefined) continue;
    const first = firstOnPort.get(r.port);
    if (first === undefined) firstOnPort.set(r.port, r);
    else if (first.baudRate !== r.baudRate)
      problems.push(
        `${r.at}.baudRate: ${named(r)} is at ${r.baudRate} baud but ${named(first)} on the same OSDP bus ${r.port} is at ${first.baudRate}; one bus has one speed`,
      );
    if (r.address === undefined) continue;
    const key = `${r.port}\n${r.address}`;
    const same = byAddress.get(key);
    if (same === undefined) byAddress.set(key, r);
    else
      problems.push(
        `${r.at}.address: ${named(r)} and ${named(same)} both have address ${r.address} on ${r.port}; each PD on a bus needs its own address`,
      );
  }
  return problems;
}

/** An `osdp-output` relay drives a PD's outputs, so it must name an `osdp` reader. */
export function osdpOutputProblems(raw: unknown): string[] {
  const readers = rawItems(raw, "readers");
  const relays = (raw as { relays?: unknown } | null)?.relays;
  if (!Array.isArray(relays)) return [];
  return relays.flatMap((r: unknown, index) => {
    const o = r !== null && typeof r === "object" ? (r as Record<string, unknown>) : {};
    if (o.driver !== "osdp-output" || !Id.safeParse(o.reader).success) return [];
    const target = readers.find((x) => x.id === o.reader);
    const at = `relays[${index}].reader`;
    if (target === undefined)
      return [`${at}: unknown reader "${o.reader}" (an osdp-output relay names an osdp reader)`];
    if (target.driver === "osdp") return [];
    return [
      `${at}: reader "${o.reader}" (readers[${target.index}]) is a ${target.driver ?? "reader without a driver"}, not an osdp reader; only an OSDP PD has outputs an osdp-output relay can drive`,
    ];
  });
}

/** What `stat` tells the key file check: the permission bits, or that the file is not there. */
export type KeyFileStat = { mode: number } | "missing";

/** The mode of `path`, or "missing"; other failures (a folder not searchable…) are thrown. */
export function statKeyFile(path: string): KeyFileStat {
  try {
    return { mode: statSync(path).mode & 0o777 };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw err;
  }
}

/** The key file a reader names, resolved against the configuration file's folder. */
export function resolveKeyFile(configFile: string, scbkFile: string): string {
  return isAbsolute(scbkFile) ? scbkFile : resolve(dirname(configFile), scbkFile);
}

/** Whether a key file's mode lets group or others read or change it (the daemon refuses such a key). */
export function keyFileTooOpen(mode: number): boolean {
  return (mode & 0o077) !== 0;
}

/**
 * The key files of `osdp` readers: one readable by group or others is a problem (anyone on the box
 * could take over the readers' secure channel); a missing one a warning (the PD stays in install
 * mode until `accessgw osdp keyset`). `stat` is handed in for tests. Messages as `path: message`.
 */
export function osdpKeyFileFindings(
  raw: unknown,
  configFile: string,
  stat: (path: string) => KeyFileStat = statKeyFile,
): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const r of osdpReaders(raw)) {
    if (r.scbkFile === undefined) continue;
    const file = resolveKeyFile(configFile, r.scbkFile);
    let found: KeyFileStat;
    try {
      found = stat(file);
    } catch (err) {
      problems.push(`${r.at}.scbkFile: ${file} cannot be read (${(err as Error).message})`);
      continue;
    }
    if (found === "missing")
      warnings.push(
        `${r.at}.scbkFile: ${file} does not exist (yet): ${named(r)} stays in install mode until \`accessgw osdp keyset --reader ${r.id ?? "<id>"}\` writes it`,
      );
    else if (keyFileTooOpen(found.mode))
      problems.push(
        `${r.at}.scbkFile: ${file} has mode 0${found.mode.toString(8)}, open to group or others; the daemon refuses the key of ${named(r)} (chmod 600 ${file})`,
      );
  }
  return { problems, warnings };
}
