/**
 * A simulated RDM6300 125 kHz module: while a tag sits on the antenna the real module repeats
 * its frame about every 100 ms, so hold() repeats it on the injected scheduler. As an `id-12la`
 * (ID-12LA / ID-20LA) it sends CR LF before the ETX of every frame.
 */
import { encodeRdm6300Frame } from "../../drivers/codecs/rdm6300.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import { deliver, type LineFault } from "./faults.js";
import type { DeviceLink } from "./serialDeviceServer.js";

/** What a SimRdm6300Module is handed. */
export interface SimRdm6300ModuleOptions {
  link: DeviceLink;
  scheduler: Scheduler;
  /** The version byte in every frame; default 0. */
  version?: number;
  /** `rdm6300` (default): STX … ETX; `id-12la`: STX … CR LF ETX. */
  model?: "rdm6300" | "id-12la";
  /** Applied to every frame, in order (a delay fault writes later). */
  faults?: readonly LineFault[];
}

interface Hold {
  timer: unknown;
  done: () => void;
}

/** An RDM6300 on a DeviceLink; start() powers it, stop() releases any held tag. */
export class SimRdm6300Module {
  private readonly link: DeviceLink;
  private readonly scheduler: Scheduler;
  private readonly version: number;
  private readonly crlf: boolean;
  private readonly faults: readonly LineFault[];
  private running = false;
  private holding: Hold | undefined;
  private sent = 0;

  constructor(options: SimRdm6300ModuleOptions) {
    this.link = options.link;
    this.scheduler = options.scheduler;
    this.version = options.version ?? 0;
    this.crlf = options.model === "id-12la";
    this.faults = options.faults ?? [];
  }

  /** Frames written so far (after faults; dropped ones not counted). */
  get framesSent(): number {
    return this.sent;
  }

  /** Whether a tag is being held. */
  get held(): boolean {
    return this.holding !== undefined;
  }

  /** Powers the module on. */
  start(): void {
    this.running = true;
  }

  /** Releases any held tag and powers off. */
  stop(): void {
    this.release();
    this.running = false;
  }

  /** Writes one frame for `tag`; returns whether it went out (or, delayed, will be written). */
  present(tag: number): boolean {
    if (!this.running) return false;
    return deliver(this.faults, encodeRdm6300Frame(tag, this.version, { crlf: this.crlf }), (out) => {
      if (!this.link.write(out)) return false;
      this.sent += 1;
      return true;
    });
  }

  /**
   * Holds `tag` on the antenna: a frame now and one every `every` ms while less than `ms` has
   * passed (so 1000 ms at 100 ms gives 10 frames). Resolves once released or elapsed; a new
   * hold releases the previous one.
   */
  hold(tag: number, ms: number, every = 100): Promise<void> {
    this.release();
    return new Promise<void>((resolve) => {
      const hold: Hold = { timer: undefined, done: resolve };
      this.holding = hold;
      let elapsed = 0;
      const tick = () => {
        if (this.holding !== hold) return;
        this.present(tag);
        elapsed += every;
        if (elapsed >= ms) {
          this.finish(hold);
          return;
        }
        hold.timer = this.scheduler.setTimeout(tick, every);
      };
      tick();
    });
  }

  /** Takes the tag away: no more frames; the pending hold() resolves. */
  release(): void {
    const hold = this.holding;
    if (hold === undefined) return;
    this.scheduler.clearTimeout(hold.timer);
    this.finish(hold);
  }

  private finish(hold: Hold): void {
    if (this.holding !== hold) return;
    this.holding = undefined;
    hold.done();
  }
}
