/**
 * A simulated LCUS USB relay board: parses `A0 ch op sum` frames from the gateway and switches
 * its relays. Like the real board it never answers, so it has no outgoing faults; and like the real
 * multi-channel boards it can drop a command that arrives too soon after the previous one.
 */
import { decodeLcus, LcusFrameSplitter } from "../../drivers/codecs/lcus.js";
import { type RelayBoardEvents, type RelayChange, RelayStateRecorder } from "./relayState.js";
import type { DeviceLink } from "./serialDeviceServer.js";

/** What a SimLcusBoard is handed. */
export interface SimLcusBoardOptions {
  link: DeviceLink;
  /** Stamps changes and times frames (ms); default Date.now. */
  clock?: () => number;
  /**
   * A command arriving less than this many ms after the last one the board took is dropped, as
   * real multi-channel LCUS boards do (about 100 ms); default 0 (never).
   */
  dropWithinMs?: number;
}

/** An LCUS board on a DeviceLink; start() listens to the line, stop() stops listening. */
export class SimLcusBoard {
  private readonly link: DeviceLink;
  private readonly relays: RelayStateRecorder;
  private readonly clock: () => number;
  private readonly dropWithinMs: number;
  private lastTakenAt: number | undefined;
  private tooSoon = 0;
  private readonly splitter = new LcusFrameSplitter();
  private unsubscribe: (() => void) | undefined;
  private bad = 0;
  private commandCount = 0;

  constructor(options: SimLcusBoardOptions) {
    this.link = options.link;
    this.clock = options.clock ?? Date.now;
    this.relays = new RelayStateRecorder(this.clock);
    this.dropWithinMs = options.dropWithinMs ?? 0;
  }

  /** Every relay change, oldest first. */
  get history(): readonly RelayChange[] {
    return this.relays.history;
  }

  /** Checksum-valid frames that still were not commands (channel 0, op other than 0/1). */
  get badFrames(): number {
    return this.bad;
  }

  /** Bytes thrown away while resyncing (noise, bad checksums). */
  get discardedBytes(): number {
    return this.splitter.discarded;
  }

  /** Valid commands received, including ones that did not change a relay (dropped ones not counted). */
  get commands(): number {
    return this.commandCount;
  }

  /** Valid commands dropped because they came within `dropWithinMs` of the previous one. */
  get droppedTooSoon(): number {
    return this.tooSoon;
  }

  /** Whether relay `channel` (1-based) is on. */
  isOn(channel: number): boolean {
    return this.relays.isOn(channel);
  }

  /** Subscribes to "change"; returns a function that unsubscribes. */
  on<K extends keyof RelayBoardEvents>(event: K, listener: RelayBoardEvents[K]): () => void {
    return this.relays.on(event, listener);
  }

  /** Starts listening to the line; later calls do nothing. */
  start(): void {
    this.unsubscribe ??= this.link.onData((bytes) => this.receive(bytes));
  }

  /** Stops listening. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Feeds bytes as if they came down the line (also what start() wires to the link). */
  receive(bytes: Uint8Array): void {
    for (const frame of this.splitter.push(bytes)) {
      const command = decodeLcus(frame);
      if (!command.ok) {
        this.bad += 1;
        continue;
      }
      const now = this.clock();
      if (this.lastTakenAt !== undefined && now - this.lastTakenAt < this.dropWithinMs) {
        this.tooSoon += 1;
        continue;
      }
      this.lastTakenAt = now;
      this.commandCount += 1;
      this.relays.set(command.channel, command.on);
    }
  }
}
