/**
 * A simulated text-line card reader (keyboard-wedge / TTL style): prints one card per line on
 * its serial line, as the `serial-line` driver expects.
 */
import { deliver, type LineFault } from "./faults.js";
import { ReaderDisplay } from "./readerDisplay.js";
import type { DeviceLink } from "./serialDeviceServer.js";

/** How the simulated reader ends its lines. */
export type LineEnding = "CR" | "LF" | "CRLF";

/** How a numeric card is printed; strings are always printed as given. */
export type SimLineFormat = "decimal" | "hex" | "fc-cn";

/** What a SimSerialLineReader is handed. */
export interface SimSerialLineReaderOptions {
  link: DeviceLink;
  /** Default "decimal". */
  format?: SimLineFormat;
  /** Default "CRLF". */
  lineEnding?: LineEnding;
  /** Applied to every write, in order (a delay fault writes later). */
  faults?: readonly LineFault[];
  /** Stamps the reply lines it shows (ms); default Date.now. */
  clock?: () => number;
}

const ENDINGS: Record<LineEnding, string> = { CR: "\r", LF: "\n", CRLF: "\r\n" };

/** Formats a numeric card the way a reader configured for `format` prints it. */
export function formatCardLine(card: number, format: SimLineFormat): string {
  if (format === "hex") return card.toString(16).toUpperCase().padStart(8, "0");
  if (format === "fc-cn") {
    // Wiegand-26 layout: facility is bits 16..23, card number the low 16 bits.
    const fc = String((card >>> 16) & 0xff).padStart(3, "0");
    const cn = String(card & 0xffff).padStart(5, "0");
    return `${fc}:${cn}`;
  }
  return String(card);
}

/**
 * A line reader on a DeviceLink; start()/stop() gate writing and showing. D6: the lines the
 * gateway writes back (a `reply:` line) are shown on its display, one per line.
 */
export class SimSerialLineReader {
  private readonly link: DeviceLink;
  private readonly format: SimLineFormat;
  private readonly ending: string;
  private readonly faults: readonly LineFault[];
  private running = false;
  private partial = "";
  private readonly decoder = new TextDecoder();
  private offData: (() => void) | undefined;
  /** D6: the reply lines it showed, oldest first. */
  readonly display: ReaderDisplay;

  constructor(options: SimSerialLineReaderOptions) {
    this.link = options.link;
    this.format = options.format ?? "decimal";
    this.ending = ENDINGS[options.lineEnding ?? "CRLF"];
    this.faults = options.faults ?? [];
    this.display = new ReaderDisplay(options.clock ?? Date.now);
  }

  /** Powers the reader on: present() and garbage() write, and reply lines show, from now on. */
  start(): void {
    this.running = true;
    this.offData ??= this.link.onData((bytes) => this.received(bytes));
  }

  /** Powers it off: writes are ignored, replies are not shown. */
  stop(): void {
    this.running = false;
    this.offData?.();
    this.offData = undefined;
    this.partial = "";
  }

  /** Reply bytes: shown a line at a time, whatever the gateway's line ending (CR, LF or CRLF). */
  private received(bytes: Uint8Array): void {
    // Streaming: a UTF-8 character cut between two chunks is joined, not mangled.
    this.partial += this.decoder.decode(bytes, { stream: true });
    const lines = this.partial.split(/\r\n|\r|\n/);
    this.partial = lines.pop() ?? "";
    // A CRLF cut between chunks leaves an empty line: skipped.
    for (const line of lines) if (line !== "") this.display.show("reply", line);
  }

  /** Prints `card` and the line ending; returns whether the bytes went out (or, delayed, will). */
  present(card: string | number): boolean {
    const text = typeof card === "number" ? formatCardLine(card, this.format) : card;
    return this.send(new TextEncoder().encode(text + this.ending));
  }

  /** Writes raw bytes (line noise, a half line); returns whether they went out. */
  garbage(bytes: Uint8Array | string): boolean {
    return this.send(typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes);
  }

  private send(bytes: Uint8Array): boolean {
    if (!this.running) return false;
    return deliver(this.faults, bytes, (out) => this.link.write(out));
  }
}
