/**
 * A simulated Modbus RTU relay board: coils 0..N-1 answer FC05 with the echo; coils >= N get
 * exception 02 (illegal data address), other function codes exception 01, bad values exception
 * 03; requests for other unit ids are ignored, broadcasts (unit 0) applied without a reply.
 */
import { decodeRequest, encodeException, rtuFrameLength } from "../../drivers/codecs/modbusRtu.js";
import { applyFaults, type Fault } from "./faults.js";
import { type RelayBoardEvents, type RelayChange, RelayStateRecorder } from "./relayState.js";
import type { DeviceLink } from "./serialDeviceServer.js";

/** Requests of the single-register/coil functions (01..06) are all this long. */
const FIXED_REQUEST_LENGTH = 8;

/** What a SimModbusBoard is handed. */
export interface SimModbusBoardOptions {
  link: DeviceLink;
  /** Default 1. */
  unitId?: number;
  /** Coils 0..coils-1 exist; default 8. */
  coils?: number;
  /** Stamps changes (ms); default Date.now. */
  clock?: () => number;
  /** Applied to every reply, in order. */
  faults?: readonly Fault[];
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
  private readonly faults: readonly Fault[];
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
      const length = rtuFrameLength(head);
      if (length === "need_more") return;
      // Requests never carry the exception bit, so a 5-byte "frame" here is noise.
      const size = length === "unknown" || length < FIXED_REQUEST_LENGTH ? FIXED_REQUEST_LENGTH : length;
      if (head.length < size) return;
      const decoded = decodeRequest(head.subarray(0, size));
      if (!decoded.ok && (decoded.error === "bad_crc" || decoded.error === "short")) {
        // No inter-frame silence over TCP: drop one byte and look for the next frame start.
        this.buffer.shift();
        this.totals.discarded += 1;
        continue;
      }
      this.buffer.splice(0, size);
      this.handle(decoded, head.subarray(0, size));
    }
  }

  private handle(decoded: ReturnType<typeof decodeRequest>, frame: Uint8Array): void {
    if (!("unit" in decoded)) return;
    if (decoded.unit !== this.unitId && decoded.unit !== 0) {
      this.totals.foreign += 1;
      return;
    }
    this.totals.requests += 1;
    const broadcast = decoded.unit === 0;
    if (!decoded.ok) {
      const code = decoded.error === "unsupported_function" ? 1 : 3;
      if (!broadcast) this.reply(encodeException(this.unitId, decoded.fc, code), true);
      return;
    }
    if (decoded.coil >= this.coilCount) {
      if (!broadcast) this.reply(encodeException(this.unitId, 0x05, 2), true);
      return;
    }
    this.relays.set(decoded.coil, decoded.on);
    // FC05: the normal reply is an exact echo of the request.
    if (!broadcast) this.reply(Uint8Array.from(frame), false);
  }

  private reply(bytes: Uint8Array, exception: boolean): void {
    if (exception) this.totals.exceptions += 1;
    const out = applyFaults(this.faults, bytes);
    if (out !== null && this.link.write(out)) this.totals.replies += 1;
  }
}
