/**
 * OSDP command payloads (control panel → PD): typed encode for the gateway's control panel, typed
 * decode for the simulated PD and for reading captures. Times are in the wire's units, tenths of
 * a second, and say so in their names. Decoding never throws; encoding throws RangeError on a
 * value that cannot be sent (the caller's bug).
 */
import { CMD } from "./codes.js";
import { hex } from "./packet.js";
import {
  byte,
  fixed,
  le,
  lengthError,
  type PayloadResult,
  payloadError,
  readLe,
  recordsError,
} from "./payload.js";

/** One output in an OUT command. */
export interface OutputRecord {
  output: number;
  /** An {@link OUTPUT_CONTROL} code. */
  control: number;
  /** For a temporary state: how long, in tenths of a second. */
  timerTenths: number;
}

/** One LED in an LED command: a temporary state (with its own timer) over a permanent one. */
export interface LedRecord {
  reader: number;
  led: number;
  /** 0: no change, 1: cancel the temporary state, 2: set it. */
  temporary: LedState & { control: number; timerTenths: number };
  /** 0: no change, 1: set it. */
  permanent: LedState & { control: number };
}

/** How an LED blinks: on for `onTenths` in `onColor`, off for `offTenths` in `offColor`. */
export interface LedState {
  onTenths: number;
  offTenths: number;
  onColor: number;
  offColor: number;
}

/** A command the gateway sends (or the simulated PD receives). */
export type OsdpCommand =
  | { kind: "poll" }
  | { kind: "id" }
  | { kind: "cap" }
  | { kind: "lstat" }
  | { kind: "out"; outputs: OutputRecord[] }
  | { kind: "led"; leds: LedRecord[] }
  | { kind: "buz"; reader: number; tone: number; onTenths: number; offTenths: number; count: number }
  | {
      kind: "text";
      reader: number;
      command: number;
      tempSeconds: number;
      row: number;
      column: number;
      text: string;
    }
  | { kind: "comset"; address: number; baudRate: number }
  | { kind: "keyset"; keyType: number; key: Uint8Array }
  | { kind: "chlng"; rndA: Uint8Array }
  | { kind: "scrypt"; serverCryptogram: Uint8Array }
  /** Deprecated; decoded so that it can be ignored, never sent. */
  | { kind: "fmt" };

/** A payload ready for {@link encodePacket}: the code and the data bytes. */
export interface EncodedPayload {
  code: number;
  data: Uint8Array;
}

const OUT_RECORD = 4;
const LED_RECORD = 14;

/** Encodes a command's payload, byte for byte as libosdp's control panel builds it. */
export function encodeCommand(command: Exclude<OsdpCommand, { kind: "fmt" }>): EncodedPayload {
  const data = (bytes: number[] | Uint8Array) => Uint8Array.from(bytes);
  switch (command.kind) {
    case "poll":
      return { code: CMD.POLL, data: data([]) };
    case "id":
      // The one byte asks for the standard report.
      return { code: CMD.ID, data: data([0]) };
    case "cap":
      return { code: CMD.CAP, data: data([0]) };
    case "lstat":
      return { code: CMD.LSTAT, data: data([]) };
    case "out":
      return { code: CMD.OUT, data: data(nonEmpty("OUT", command.outputs).flatMap(outBytes)) };
    case "led":
      return { code: CMD.LED, data: data(nonEmpty("LED", command.leds).flatMap(ledBytes)) };
    case "buz":
      return {
        code: CMD.BUZ,
        data: data([
          byte("BUZ reader", command.reader),
          byte("BUZ tone", command.tone),
          byte("BUZ on time", command.onTenths),
          byte("BUZ off time", command.offTenths),
          byte("BUZ count", command.count),
        ]),
      };
    case "text":
      return { code: CMD.TEXT, data: data(textBytes(command)) };
    case "comset":
      return {
        code: CMD.COMSET,
        data: data([byte("COMSET address", command.address), ...le("COMSET baud rate", command.baudRate, 4)]),
      };
    case "keyset":
      return {
        code: CMD.KEYSET,
        data: data([
          byte("KEYSET key type", command.keyType),
          byte("KEYSET key length", command.key.length),
          ...command.key,
        ]),
      };
    case "chlng":
      return { code: CMD.CHLNG, data: data(fixed("CHLNG random number", command.rndA, 8)) };
    case "scrypt":
      return { code: CMD.SCRYPT, data: data(fixed("SCRYPT cryptogram", command.serverCryptogram, 16)) };
  }
}

/** Decodes a command's payload from its code and data; never throws. */
export function decodeCommand(code: number, data: Uint8Array): PayloadResult<OsdpCommand> {
  const bare = (kind: "poll" | "lstat", name: string) => lengthError(name, data, 0) ?? ok({ kind });
  switch (code) {
    case CMD.POLL:
      return bare("poll", "POLL");
    case CMD.LSTAT:
      return bare("lstat", "LSTAT");
    case CMD.ID:
      return lengthError("ID", data, 1) ?? ok({ kind: "id" });
    case CMD.CAP:
      return lengthError("CAP", data, 1) ?? ok({ kind: "cap" });
    case CMD.OUT:
      return (
        recordsError("OUT", data, OUT_RECORD) ??
        ok({ kind: "out", outputs: records(data, OUT_RECORD, readOut) })
      );
    case CMD.LED:
      return (
        recordsError("LED", data, LED_RECORD) ?? ok({ kind: "led", leds: records(data, LED_RECORD, readLed) })
      );
    case CMD.BUZ: {
      const [reader = 0, tone = 0, onTenths = 0, offTenths = 0, count = 0] = data;
      return lengthError("BUZ", data, 5) ?? ok({ kind: "buz", reader, tone, onTenths, offTenths, count });
    }
    case CMD.TEXT:
      return decodeText(data);
    case CMD.FMT:
      return ok({ kind: "fmt" });
    case CMD.COMSET:
      return (
        lengthError("COMSET", data, 5) ??
        ok({ kind: "comset", address: data[0] ?? 0, baudRate: readLe(data, 1, 4) })
      );
    case CMD.KEYSET: {
      const length = data[1] ?? 0;
      if (data.length < 2 || data.length !== 2 + length) {
        return payloadError("bad_length", `KEYSET announces a ${length}-byte key in ${data.length} bytes`);
      }
      return ok({ kind: "keyset", keyType: data[0] ?? 0, key: data.slice(2) });
    }
    case CMD.CHLNG:
      return lengthError("CHLNG", data, 8) ?? ok({ kind: "chlng", rndA: data.slice() });
    case CMD.SCRYPT:
      return lengthError("SCRYPT", data, 16) ?? ok({ kind: "scrypt", serverCryptogram: data.slice() });
    default:
      return payloadError("unknown_code", `command code ${hex(code)} is not one the gateway knows`);
  }
}

function ok(value: OsdpCommand): PayloadResult<OsdpCommand> {
  return { ok: true, value };
}

function nonEmpty<T>(name: string, list: readonly T[]): readonly T[] {
  if (list.length === 0) throw new RangeError(`${name} needs at least one record`);
  return list;
}

function records<T>(data: Uint8Array, size: number, read: (record: Uint8Array) => T): T[] {
  const out: T[] = [];
  for (let at = 0; at < data.length; at += size) out.push(read(data.subarray(at, at + size)));
  return out;
}

function outBytes(o: OutputRecord): number[] {
  return [
    byte("OUT output", o.output),
    byte("OUT control code", o.control),
    ...le("OUT timer", o.timerTenths, 2),
  ];
}

function readOut(r: Uint8Array): OutputRecord {
  return { output: r[0] ?? 0, control: r[1] ?? 0, timerTenths: readLe(r, 2, 2) };
}

function ledBytes(l: LedRecord): number[] {
  const state = (name: string, s: LedState) => [
    byte(`LED ${name} on time`, s.onTenths),
    byte(`LED ${name} off time`, s.offTenths),
    byte(`LED ${name} on colour`, s.onColor),
    byte(`LED ${name} off colour`, s.offColor),
  ];
  return [
    byte("LED reader", l.reader),
    byte("LED number", l.led),
    byte("LED temporary control", l.temporary.control),
    ...state("temporary", l.temporary),
    ...le("LED temporary timer", l.temporary.timerTenths, 2),
    byte("LED permanent control", l.permanent.control),
    ...state("permanent", l.permanent),
  ];
}

function readLed(r: Uint8Array): LedRecord {
  const state = (at: number): LedState => ({
    onTenths: r[at] ?? 0,
    offTenths: r[at + 1] ?? 0,
    onColor: r[at + 2] ?? 0,
    offColor: r[at + 3] ?? 0,
  });
  return {
    reader: r[0] ?? 0,
    led: r[1] ?? 0,
    temporary: { control: r[2] ?? 0, ...state(3), timerTenths: readLe(r, 7, 2) },
    permanent: { control: r[9] ?? 0, ...state(10) },
  };
}

function textBytes(t: Extract<OsdpCommand, { kind: "text" }>): number[] {
  // OSDP text is ASCII: the caller transliterates (docs/osdp.md, feedback).
  if (!/^[\x20-\x7e]*$/.test(t.text))
    throw new RangeError(`TEXT must be printable ASCII, found ${JSON.stringify(t.text)}`);
  return [
    byte("TEXT reader", t.reader),
    byte("TEXT command", t.command),
    byte("TEXT temporary time", t.tempSeconds),
    byte("TEXT row", t.row),
    byte("TEXT column", t.column),
    byte("TEXT length", t.text.length),
    ...Array.from(t.text, (c) => c.charCodeAt(0)),
  ];
}

function decodeText(data: Uint8Array): PayloadResult<OsdpCommand> {
  const length = data[5] ?? 0;
  if (data.length < 6 || data.length !== 6 + length) {
    return payloadError("bad_length", `TEXT announces ${length} characters in ${data.length} bytes`);
  }
  const [reader = 0, command = 0, tempSeconds = 0, row = 0, column = 0] = data;
  const text = String.fromCharCode(...data.subarray(6));
  return ok({ kind: "text", reader, command, tempSeconds, row, column, text });
}
