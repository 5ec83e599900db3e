/**
 * The OSDP frame reader: bytes in, in any chunks; packets or named errors out. Pure (no I/O, no
 * timers): the poll loop feeds it what the port delivers and calls {@link OsdpFrameReader.flush}
 * when a reply times out, so a half-received packet (or a corrupt length field) never holds up
 * the packets behind it.
 *
 * Bytes before a SOM are skipped (the control panel's 0xFF mark byte, line noise). A candidate
 * packet that does not check out is reported and the reader moves on by one byte, so a real packet
 * that began inside the bad one is still found. A length field outside what the codec accepts is
 * refused at once instead of waited for.
 */
import {
  announcedLength,
  decodePacket,
  MARK,
  MAX_PACKET_LENGTH,
  MIN_PACKET_LENGTH,
  type OsdpPacket,
  type PacketErrorCode,
  SOM,
} from "./packet.js";

/** What the reader produced: a packet, or a candidate that did not check out (with its bytes). */
export type FrameEvent =
  | { kind: "packet"; packet: OsdpPacket; bytes: Uint8Array }
  | { kind: "error"; error: PacketErrorCode; message: string; bytes: Uint8Array };

/** Running counts, for status and troubleshooting. */
export interface FrameReaderCounts {
  packets: number;
  /** Candidates that began with SOM and did not decode. */
  badPackets: number;
  /** Bytes skipped that were neither a packet nor a mark byte (includes skipped SOMs of bad candidates). */
  droppedBytes: number;
  /** 0xFF mark bytes skipped before a SOM. */
  markBytes: number;
}

/** Reassembles OSDP packets from a byte stream and counts what it dropped. */
export class OsdpFrameReader {
  private buffer: Uint8Array = new Uint8Array(0);
  private readonly tally: FrameReaderCounts = { packets: 0, badPackets: 0, droppedBytes: 0, markBytes: 0 };

  /** Takes the next chunk of the stream; returns the packets and errors it completed, in order. */
  push(chunk: Uint8Array): FrameEvent[] {
    this.buffer = concat(this.buffer, chunk);
    const events: FrameEvent[] = [];
    let at = 0;
    for (;;) {
      at = this.skipToSom(at);
      if (this.buffer.length - at < 4) break;
      const length = announcedLength(this.buffer, at);
      if (length < MIN_PACKET_LENGTH || length > MAX_PACKET_LENGTH) {
        events.push(
          this.bad(
            "bad_length",
            `length field ${length} outside ${MIN_PACKET_LENGTH}..${MAX_PACKET_LENGTH}`,
            at,
            4,
          ),
        );
        at += 1;
        continue;
      }
      if (this.buffer.length - at < length) break;
      const bytes = this.buffer.slice(at, at + length);
      const result = decodePacket(bytes);
      if (result.ok) {
        this.tally.packets++;
        events.push({ kind: "packet", packet: result.packet, bytes });
        at += length;
      } else {
        events.push(this.bad(result.error, result.message, at, length));
        at += 1;
      }
    }
    this.buffer = this.buffer.slice(at);
    return events;
  }

  /**
   * Gives up on the packet being waited for (a reply timed out): its SOM is dropped and the bytes
   * after it are searched again, so a good packet behind a corrupt length field still comes out.
   * Returns what that search found, the abandoned candidates as `truncated` errors first.
   */
  flush(): FrameEvent[] {
    const events: FrameEvent[] = [];
    while (this.buffer.length > 0) {
      events.push(
        this.bad(
          "truncated",
          `${this.buffer.length} bytes of a packet that never completed`,
          0,
          this.buffer.length,
        ),
      );
      this.buffer = this.buffer.slice(1);
      events.push(...this.push(new Uint8Array(0)));
    }
    return events;
  }

  /** Bytes held while waiting for the rest of a packet. */
  get pending(): number {
    return this.buffer.length;
  }

  /** A copy of the running counts. */
  counts(): FrameReaderCounts {
    return { ...this.tally };
  }

  private skipToSom(from: number): number {
    let at = from;
    while (at < this.buffer.length && this.buffer[at] !== SOM) {
      if (this.buffer[at] === MARK) this.tally.markBytes++;
      else this.tally.droppedBytes++;
      at++;
    }
    return at;
  }

  private bad(error: PacketErrorCode, message: string, at: number, length: number): FrameEvent {
    // Only the SOM is dropped: the bytes after it are searched again for the next SOM.
    this.tally.badPackets++;
    this.tally.droppedBytes++;
    return { kind: "error", error, message, bytes: this.buffer.slice(at, at + length) };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return Uint8Array.from(b);
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
