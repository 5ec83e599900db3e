/** Serial readers that print one card per line (keyboard-wedge style, TTL readers). */
import type { SerialReply } from "../../config/gateway.js";
import { replyLine } from "../codecs/readerFeedback.js";
import { parseSerialLine, type SerialLineFormat } from "../codecs/serialLine.js";
import { LineSplitter } from "./lineSplitter.js";
import type { ReaderFeedback } from "./readerDriver.js";
import {
  type DecodedRead,
  SerialReader,
  type SerialReaderConfig,
  type SerialReaderDeps,
} from "./serialReader.js";

/** The config slice of a `serial-line` reader. */
export interface SerialLineReaderConfig extends SerialReaderConfig {
  format: SerialLineFormat;
  /** D6: the line written back after each decision; none when absent. */
  reply?: SerialReply | undefined;
}

/** Splits lines on CR, LF or CRLF and parses each with the configured format; replies when `reply:` is set. */
export class SerialLineReader extends SerialReader {
  private readonly format: SerialLineFormat;
  private readonly reply: SerialReply | undefined;
  private readonly splitter = new LineSplitter();

  constructor(config: SerialLineReaderConfig, deps: SerialReaderDeps) {
    super(config, deps);
    this.format = config.format;
    this.reply = config.reply;
  }

  /** D6: the reply line for a decision, when the reader has `reply:` (fire-and-forget). */
  feedback(f: ReaderFeedback): void {
    if (this.reply !== undefined) this.write(replyLine(this.reply, f), "reply");
  }

  protected override decode(chunk: Uint8Array): DecodedRead[] {
    return this.splitter.push(chunk).map((line) => {
      if (line.kind === "too_long") return { ok: false, error: "too_long", detail: line.detail };
      return parseSerialLine(line.bytes, this.format);
    });
  }

  protected override resetDecoder(): void {
    this.splitter.reset();
  }
}
