/** LCUS-style USB relay boards (lcus-serial): ON frame, wait, OFF frame. The board never answers. */
import { encodeLcus } from "../codecs/lcus.js";
import { KeyedQueue } from "./keyedQueue.js";
import { SerialRelay, type SerialRelayOptions } from "./relayDriver.js";

/** What an LcusRelay is handed on top of the serial options. */
export type LcusRelayOptions = SerialRelayOptions & {
  /** Least time between two frames to the board, in ms (0: none). */
  frameGapMs: number;
};

/**
 * An LCUS board; channels are the board's relay numbers (RELAY_CHANNELS["lcus-serial"]).
 * Multi-channel LCUS boards drop a command that arrives within about 100 ms of the previous one,
 * so frames to one board go out one at a time, `frameGapMs` apart: two doors on one board both
 * open, the second a moment later.
 */
export class LcusRelay extends SerialRelay {
  private readonly frameGapMs: number;
  /** One key: the board's line. */
  private readonly line = new KeyedQueue<"line">();

  constructor(options: LcusRelayOptions) {
    super(options);
    this.frameGapMs = options.frameGapMs;
  }

  protected checkChannel(channel: number): void {
    encodeLcus(channel, false);
  }

  /** Resolves once the frame is written; the next frame waits out the gap after it. */
  protected switchChannel(channel: number, on: boolean): Promise<void> {
    const frame = encodeLcus(channel, on);
    return new Promise<void>((resolve, reject) => {
      void this.line.run("line", async () => {
        try {
          // No reply to wait for: the write reaching the OS is all the confirmation there is.
          await this.transport.write(frame);
        } catch (err) {
          reject(err);
          return;
        }
        resolve();
        if (this.frameGapMs > 0)
          await new Promise<void>((done) => this.scheduler.setTimeout(done, this.frameGapMs));
      });
    });
  }
}
