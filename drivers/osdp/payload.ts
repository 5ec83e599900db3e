/**
 * What the command and reply codecs share: the result of decoding a payload (never thrown) and
 * little-endian field helpers. Payload errors name what was expected and what was found.
 */

/** Why a payload did not decode. */
export type PayloadErrorCode = "unknown_code" | "bad_length" | "bad_bit_count" | "bad_value";

/** A decoded payload, or why not. */
export type PayloadResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: PayloadErrorCode; message: string };

/** A payload error. */
export function payloadError(
  error: PayloadErrorCode,
  message: string,
): { ok: false; error: PayloadErrorCode; message: string } {
  return { ok: false, error, message };
}

/** A `bad_length` error unless `data` is exactly `length` bytes. */
export function lengthError(name: string, data: Uint8Array, length: number) {
  return data.length === length
    ? null
    : payloadError("bad_length", `${name} carries ${length} bytes, found ${data.length}`);
}

/** A `bad_length` error unless `data` is a whole, non-empty number of `size`-byte records. */
export function recordsError(name: string, data: Uint8Array, size: number) {
  return data.length > 0 && data.length % size === 0
    ? null
    : payloadError("bad_length", `${name} carries records of ${size} bytes, found ${data.length} bytes`);
}

/** Unsigned little-endian integer of `size` bytes at `at`. */
export function readLe(data: Uint8Array, at: number, size: number): number {
  let n = 0;
  for (let i = size - 1; i >= 0; i--) n = n * 256 + (data[at + i] ?? 0);
  return n;
}

/** `n` as `size` little-endian bytes; throws RangeError when it does not fit. */
export function le(name: string, n: number, size: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n >= 256 ** size) {
    throw new RangeError(`${name} must be an integer 0..${256 ** size - 1}, found ${n}`);
  }
  const out: number[] = [];
  for (let i = 0, v = n; i < size; i++, v = Math.floor(v / 256)) out.push(v % 256);
  return out;
}

/** `n` as one byte; throws RangeError when it is not 0..255. */
export function byte(name: string, n: number): number {
  return le(name, n, 1)[0] ?? 0;
}

/** Exactly `length` bytes; throws RangeError otherwise. */
export function fixed(name: string, bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length !== length) throw new RangeError(`${name} must be ${length} bytes, found ${bytes.length}`);
  return bytes;
}
