/** RDM6300 (125 kHz EM4100) readers: framed tags over a serial line. */
import { Rdm6300Parser } from "../codecs/rdm6300.js";
import { type DecodedRead, SerialReader } from "./serialReader.js";

/** Runs the RDM6300 parser over the byte stream; bad checksums, zero tags and broken frames are rejected. */
export class Rdm6300Reader extends SerialReader {
  private readonly parser = new Rdm6300Parser();

  protected override decode(chunk: Uint8Array): DecodedRead[] {
    return this.parser.push(chunk).map((event) => {
      if (event.kind === "error") return { ok: false, error: event.error, detail: event.detail };
      // The card is the 32-bit tag in decimal (008EC793 → 9357203), as printed on EM4100 fobs;
      // `cardNumber: hex` still gives 8EC793.
      return { ok: true, read: { kind: "decimal", text: event.card } };
    });
  }

  protected override resetDecoder(): void {
    this.parser.reset();
  }
}
