/** Serial readers that print one card per line (keyboard-wedge style, TTL readers). */
import { parseSerialLine, type SerialLineFormat } from "../codecs/serialLine.js";
import { LineSplitter } from "./lineSplitter.js";
import {
  type DecodedRead,
  SerialReader,
  type SerialReaderConfig,
  type SerialReaderDeps,
} from "./serialReader.js";

/** The config slice of a `serial-line` reader. */
export interface SerialLineReaderConfig extends SerialReaderConfig {
  format: SerialLineFormat;
}

/** Splits lines on CR, LF or CRLF and parses each with the configured format. */
export class SerialLineReader extends SerialReader {
  private readonly format: SerialLineFormat;
  private readonly splitter = new LineSplitter();

  constructor(config: SerialLineReaderConfig, deps: SerialReaderDeps) {
    super(config, deps);
    this.format = config.format;
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
