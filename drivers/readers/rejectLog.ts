/**
 * Rejected reads at the default log level, without flooding it: a reader with the wrong baud rate
 * rejects every byte, and a technician wiring it needs to see that and why, but not a line per
 * byte. The first reject is logged at info at once, then at most one line per window, carrying the
 * count of those not logged in between. The detail (which may quote the bytes or payload, so a
 * card number) only ever goes to debug.
 */
import type { Logger } from "pino";
import type { ReaderRejectCode } from "./readerDriver.js";

/** The least time between two info lines about rejected reads of one reader. */
export const REJECT_LOG_WINDOW_MS = 30_000;

/** Where the reads come from: the hints differ for a serial line and an MQTT topic. */
export type RejectSource = "serial" | "mqtt";

const SERIAL_HINTS: Record<ReaderRejectCode, string> = {
  empty: "blank lines: harmless, but many point at a wrong baud rate or line ending",
  too_long: "no line or frame end where one was expected: wrong baud rate, or the wrong driver?",
  bad_characters: "garbage bytes: wrong baud rate, or the reader prints another format than `format`?",
  bad_format: "a line in another layout than `format` expects: check the reader's output format",
  bad_parity: "Wiegand parity error: a card not read cleanly, D0 and D1 swapped, or another format",
  bad_checksum: "frames damaged on the line: check the cable, its length and the ground",
  zero_tag: "an all-zero tag: a fob read badly, or a blank tag",
  bad_frame: "broken frames: wrong baud rate, or another device on the same line?",
  unsupported: "`cardNumber` cannot express this read: choose another `cardNumber` for this reader",
  not_secured:
    "an OSDP reader sent it in clear although secureChannel is required: a swapped reader, or one reset to factory settings? (accessgw osdp keyset)",
};

const MQTT_HINTS: Record<ReaderRejectCode, string> = {
  ...SERIAL_HINTS,
  empty: "empty payload: check what the device publishes on this topic",
  too_long: "a payload far larger than a card read: is another device publishing on this topic?",
  bad_characters: "a payload that is not text: is another device publishing on this topic?",
  bad_format: "a payload of another shape than this driver reads: check the device's firmware settings",
};

/**
 * One device's rejected-read log: rate-limited at info, everything at debug. Readers name their
 * source (serial or MQTT hints); other devices (inputs) hand in their own hints per code.
 */
export class RejectLog<C extends string = ReaderRejectCode> {
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly hints: Record<C, string>;
  private readonly windowMs: number;
  private lastLoggedAt: number | undefined;
  private suppressed = 0;

  constructor(
    logger: Logger,
    clock: () => number,
    source: RejectSource | Record<C, string>,
    windowMs = REJECT_LOG_WINDOW_MS,
  ) {
    this.logger = logger;
    this.clock = clock;
    this.hints =
      source === "serial"
        ? (SERIAL_HINTS as Record<C, string>)
        : source === "mqtt"
          ? (MQTT_HINTS as Record<C, string>)
          : source;
    this.windowMs = windowMs;
  }

  /** Logs one rejected read; `context` holds fields safe at info (a topic, never a payload). */
  report(error: C, detail: string, context: Record<string, string> = {}): void {
    this.logger.debug({ ...context, error, detail }, "read rejected");
    const now = this.clock();
    if (this.lastLoggedAt !== undefined && now - this.lastLoggedAt < this.windowMs) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed > 0 ? { suppressedSinceLastLine: this.suppressed } : {};
    this.logger.info({ ...context, error, hint: this.hints[error], ...more }, "read rejected");
    this.lastLoggedAt = now;
    this.suppressed = 0;
  }
}
