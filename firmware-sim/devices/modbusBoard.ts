/**
 * A simulated Modbus RTU relay board, as the common 1–16 channel boards behave: FC05 (write one
 * coil) answers with the echo, FC15 (write several coils) with start and quantity, FC01 (read
 * coils) with the states, FC02 (read discrete inputs) with its inputs (a turnstile's PASS outputs,
 * a door contact wired to it), so a technician's mbpoll can drive and read it. Coils >= N get exception
 * 02 (illegal data address), other function codes exception 01, bad values or quantities exception
 * 03; requests for other unit ids are ignored, broadcasts (unit 0) applied without a reply.
 */
import {
  crc16modbus,
  decodeRequest,
  encodeException,
  encodeReadBitsReply,
  FC_READ_DISCRETE_INPUTS,
} from "../../drivers/codecs/modbusRtu.js";
import { deliver, type LineFault } from "./faults.js";
import { type RelayBoardEvents, type RelayChange, RelayStateRecorder } from "./relayState.js";
import type { DeviceLink } from "./serialDeviceServer.js";

/** Requests of the single-register/coil functions (01..06) are all this long. */
const FIXED_REQUEST_LENGTH = 8;
const FC_READ_COILS = 0x01;
const FC_WRITE_MULTIPLE_COILS = 0x0f;
const FC_WRITE_MULTIPLE_REGISTERS = 0x10;
/** Modbus limits on the quantity of coils in one read (FC01) and one write (FC15). */
const MAX_READ_COILS = 2000;
const MAX_WRITE_COILS = 1968;

/**
 * Length of the request starting at `head[0]`: 8 for functions 01..06, 9 + byte count for 15 and
 * 16, "need_more" until that is known, "unknown" for functions a relay board never sees.
 */
function requestLength(head: Uint8Array): number | "need_more" | "unknown" {
  if (head.length < 2) return "need_more";
  const fc = head[1] ?? 0;
  if (fc >= 0x01 && fc <= 0x06) return FIXED_REQUEST_LENGTH;
  if (fc === FC_WRITE_MULTIPLE_COILS || fc === FC_WRITE_MULTIPLE_REGISTERS) {
    return head.length < 7 ? "need_more" : 9 + (head[6] ?? 0);
  }
  return "unknown";
}

function crcValid(frame: Uint8Array): boolean {
  const n = frame.length;
  const crc = crc16modbus(frame.subarray(0, n - 2));
  return frame[n - 2] === (crc & 0xff) && frame[n - 1] === crc >> 8;
}

function withCrc(body: number[]): Uint8Array {
  const crc = crc16modbus(Uint8Array.from(body));
  return Uint8Array.from([...body, crc & 0xff, crc >> 8]);
}

const word = (frame: Uint8Array, at: number) => ((frame[at] ?? 0) << 8) | (frame[at + 1] ?? 0);

/** What a SimModbusBoard is handed. */
export interface SimModbusBoardOptions {
  link: DeviceLink;
  /** Default 1. */
  unitId?: number;
  /** Coils 0..coils-1 exist; default 8. */
  coils?: number;
  /** Discrete inputs 0..inputs-1 exist; default 8. */
  inputs?: number;
  /** Stamps changes (ms); default Date.now. */
  clock?: () => number;
  /** Applied to every reply, in order. */
  faults?: readonly LineFault[];
}

/** Running totals of a simulated Modbus board. */
export interface SimModbusCounters {
  requests: number;
  replies: number;
  exceptions: number;
  /** Requests for another unit, ignored as a real board on a shared bus would. */
  foreign: number;
  /** Bytes dropped while resyncing (bad CRC, noise). */
  discarded: number;
}

/** A Modbus board on a DeviceLink; start() listens to the line, stop() stops listening. */
export class SimModbusBoard {
  private readonly link: DeviceLink;
  private readonly unitId: number;
  private readonly coilCount: number;
  private readonly inputCount: number;
  private readonly inputStates = new Set<number>();
  private readonly faults: readonly LineFault[];
  private readonly relays: RelayStateRecorder;
  private readonly totals: SimModbusCounters = {
    requests: 0,
    replies: 0,
    exceptions: 0,
    foreign: 0,
    discarded: 0,
  };
  private buffer: number[] = [];
  private unsubscribe: (() => void) | undefined;

  constructor(options: SimModbusBoardOptions) {
    this.link = options.link;
    this.unitId = options.unitId ?? 1;
    this.coilCount = options.coils ?? 8;
    this.inputCount = options.inputs ?? 8;
    this.faults = options.faults ?? [];
    this.relays = new RelayStateRecorder(options.clock ?? Date.now);
  }

  /** Every coil change, oldest first (`channel` is the coil address). */
  get history(): readonly RelayChange[] {
    return this.relays.history;
  }

  /** A snapshot of the counters. */
  counters(): SimModbusCounters {
    return { ...this.totals };
  }

  /** Whether `coil` is on. */
  isOn(coil: number): boolean {
    return this.relays.isOn(coil);
  }

  /** Sets discrete input `address` (what FC02 reads); throws RangeError for an input the board lacks. */
  setInput(address: number, on: boolean): void {
    if (!Number.isInteger(address) || address < 0 || address >= this.inputCount)
      throw new RangeError(`the board has discrete inputs 0..${this.inputCount - 1}, not ${address}`);
    if (on) this.inputStates.add(address);
    else this.inputStates.delete(address);
  }

  /** Whether discrete input `address` is on. */
  inputOn(address: number): boolean {
    return this.inputStates.has(address);
  }

  /** Subscribes to "change"; returns a function that unsubscribes. */
  on<K extends keyof RelayBoardEvents>(event: K, listener: RelayBoardEvents[K]): () => void {
    return this.relays.on(event, listener);
  }

  /** Starts listening to the line; later calls do nothing. */
  start(): void {
    this.unsubscribe ??= this.link.onData((bytes) => this.receive(bytes));
  }

  /** Stops listening and forgets a partial request. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.buffer = [];
  }

  /** Feeds bytes as if they came down the line (also what start() wires to the link). */
  receive(bytes: Uint8Array): void {
    this.buffer.push(...bytes);
    for (;;) {
      const head = Uint8Array.from(this.buffer);
      const length = requestLength(head);
      if (length === "need_more") return;
      // Functions a relay board never sees are framed like 01..06 so that a valid one still gets
      // its exception 01; if the CRC does not hold there, the bytes are noise.
      const size = length === "unknown" ? FIXED_REQUEST_LENGTH : length;
      if (head.length < size) return;
      const frame = head.subarray(0, size);
      if (!crcValid(frame)) {
        // No inter-frame silence over TCP: drop one byte and look for the next frame start.
        this.buffer.shift();
        this.totals.discarded += 1;
        continue;
      }
      this.buffer.splice(0, size);
      this.handle(frame);
    }
  }

  private handle(frame: Uint8Array): void {
    const reply = this.respond(frame);
    if (reply !== null) this.reply(reply.bytes, reply.exception);
  }

  /** The reply to a valid frame (null: none, for other units and broadcasts); applies writes. */
  private respond(frame: Uint8Array): { bytes: Uint8Array; exception: boolean } | null {
    const unit = frame[0] ?? 0;
    const fc = frame[1] ?? 0;
    if (unit !== this.unitId && unit !== 0) {
      this.totals.foreign += 1;
      return null;
    }
    this.totals.requests += 1;
    const broadcast = unit === 0;
    const answer = (bytes: Uint8Array, exception: boolean) => (broadcast ? null : { bytes, exception });
    const exception = (code: number) => answer(encodeException(this.unitId, fc, code), true);
    switch (fc) {
      case 0x05: {
        const decoded = decodeRequest(frame);
        if (!decoded.ok) return exception(3);
        if (decoded.coil >= this.coilCount) return exception(2);
        this.relays.set(decoded.coil, decoded.on);
        // FC05: the normal reply is an exact echo of the request.
        return answer(Uint8Array.from(frame), false);
      }
      case FC_READ_COILS: {
        if (broadcast) return null; // a read cannot be broadcast
        const start = word(frame, 2);
        const quantity = word(frame, 4);
        if (quantity < 1 || quantity > MAX_READ_COILS) return exception(3);
        if (start + quantity > this.coilCount) return exception(2);
        const data = new Array<number>(Math.ceil(quantity / 8)).fill(0);
        for (let i = 0; i < quantity; i++) {
          if (this.relays.isOn(start + i)) data[i >> 3] = (data[i >> 3] ?? 0) | (1 << (i & 7));
        }
        return answer(withCrc([this.unitId, fc, data.length, ...data]), false);
      }
      case FC_READ_DISCRETE_INPUTS: {
        if (broadcast) return null;
        const start = word(frame, 2);
        const quantity = word(frame, 4);
        if (quantity < 1 || quantity > MAX_READ_COILS) return exception(3);
        if (start + quantity > this.inputCount) return exception(2);
        const bits = Array.from({ length: quantity }, (_, i) => this.inputStates.has(start + i));
        return answer(encodeReadBitsReply(this.unitId, FC_READ_DISCRETE_INPUTS, bits), false);
      }
      case FC_WRITE_MULTIPLE_COILS: {
        const start = word(frame, 2);
        const quantity = word(frame, 4);
        const byteCount = frame[6] ?? 0;
        if (quantity < 1 || quantity > MAX_WRITE_COILS || byteCount !== Math.ceil(quantity / 8)) {
          return exception(3);
        }
        if (start + quantity > this.coilCount) return exception(2);
        for (let i = 0; i < quantity; i++) {
          this.relays.set(start + i, (((frame[7 + (i >> 3)] ?? 0) >> (i & 7)) & 1) === 1);
        }
        return answer(withCrc([this.unitId, fc, ...frame.subarray(2, 6)]), false);
      }
      default:
        return exception(1);
    }
  }

  private reply(bytes: Uint8Array, exception: boolean): void {
    if (exception) this.totals.exceptions += 1;
    // A delayed reply counts once it is handed to the line (as a real board's would have been sent).
    if (deliver(this.faults, bytes, (b) => this.link.write(b))) this.totals.replies += 1;
  }
}
