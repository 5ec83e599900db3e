/**
 * The byte-level pieces of the packed history (packedCodec.ts): LEB128 varints (signed ones
 * zigzagged) and ids front-coded against the id before, or written as a step of its trailing number.
 */
import { AccessGwError } from "../../config/errors.js";

/** The error for a packed value that cannot be read or written. */
export function corrupt(what: string): AccessGwError {
  return new AccessGwError("STORE", `a packed history value is damaged: ${what}`);
}

/** A growing byte buffer. */
export class Out {
  private buf = Buffer.allocUnsafe(64);
  private n = 0;

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.n + k));
    this.buf.copy(next, 0, 0, this.n);
    this.buf = next;
  }

  /** An unsigned integer (up to 2^53), 7 bits a byte. */
  uint(v: number): void {
    this.room(8);
    // Arithmetic, not bit operations: values go past 2^31.
    while (v >= 128) {
      this.buf[this.n++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.n++] = v;
  }

  /** A signed integer, zigzagged: small magnitudes stay short either way. */
  int(v: number): void {
    this.uint(v < 0 ? -2 * v - 1 : 2 * v);
  }

  /** Bytes as they are. */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }

  /** What was written, in a buffer of its own. */
  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.n));
  }
}

/** Reads what Out wrote. */
export class In {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  /** The unsigned integer Out.uint wrote. */
  uint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw corrupt("it ends inside a number");
      v += (b & 127) * scale;
      if (b < 128) return v;
      scale *= 128;
      if (scale > 2 ** 56) throw corrupt("a number is too long");
    }
  }

  /** The signed integer Out.int wrote. */
  int(): number {
    const z = this.uint();
    return z % 2 === 1 ? -(z + 1) / 2 : z / 2;
  }

  /** The next `k` bytes. */
  bytes(k: number): Uint8Array {
    if (this.pos + k > this.buf.length) throw corrupt("it ends inside a text");
    const b = this.buf.subarray(this.pos, this.pos + k);
    this.pos += k;
    return b;
  }
}

/** Front coding: the previous id's bytes, so the next one is written as what differs. */
export class IdChain {
  private prev: Buffer = Buffer.alloc(0);

  /**
   * A header, then what differs. Odd header: the id is the one before with its trailing number
   * moved by (header − 1) / 2, zigzagged (`srv:1:0:7` after `srv:1:0:6`, `gw-1:1305` after
   * `gw-1:1298`). Even header: the bytes shared with the one before (header / 2), then the rest.
   */
  write(out: Out, id: string): void {
    const b = Buffer.from(id, "utf8");
    const step = numberStep(this.prev, b);
    if (step !== null) out.uint(2 * (step < 0 ? -2 * step - 1 : 2 * step) + 1);
    else {
      const max = Math.min(b.length, this.prev.length);
      let shared = 0;
      while (shared < max && b[shared] === this.prev[shared]) shared++;
      out.uint(2 * shared);
      out.uint(b.length - shared);
      out.bytes(b.subarray(shared));
    }
    this.prev = b;
  }

  /** The id write wrote, given the ones before it were read in order. */
  read(input: In): string {
    const header = input.uint();
    let b: Buffer;
    if (header % 2 === 1) {
      const z = (header - 1) / 2;
      const split = trailingNumber(this.prev);
      if (split === null) throw corrupt("an id steps a number the one before does not end with");
      const n = split.n + (z % 2 === 1 ? -(z + 1) / 2 : z / 2);
      b = Buffer.concat([this.prev.subarray(0, split.at), Buffer.from(String(n), "latin1")]);
    } else {
      const shared = header / 2;
      if (shared > this.prev.length) throw corrupt("an id shares more than the one before has");
      b = Buffer.concat([this.prev.subarray(0, shared), input.bytes(input.uint())]);
    }
    this.prev = b;
    return b.toString("utf8");
  }
}

/** Digits of a trailing number that round-trips through a double and String (no leading zero). */
const MAX_DIGITS = 12;

/** An id's trailing number and where it starts, when it is written the way String writes it. */
function trailingNumber(b: Buffer): { at: number; n: number } | null {
  let at = b.length;
  while (at > 0 && (b[at - 1] as number) >= 48 && (b[at - 1] as number) <= 57) at--;
  const digits = b.length - at;
  if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && b[at] === 48)) return null;
  return { at, n: Number(b.subarray(at).toString("latin1")) };
}

/** How far the id's trailing number moved from the one before's, when only that differs. */
function numberStep(prev: Buffer, b: Buffer): number | null {
  const p = trailingNumber(prev);
  const c = trailingNumber(b);
  if (p === null || c === null || p.at !== c.at || prev.compare(b, 0, c.at, 0, p.at) !== 0) return null;
  return c.n - p.n;
}
