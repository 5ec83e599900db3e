/**
 * Pluggable line faults for simulated devices: each is a small function over the bytes a device
 * is about to send, returning the bytes to send instead, or null to send nothing.
 */

/** One fault: the bytes to send instead of `bytes`, or null to drop them. */
export type Fault = (bytes: Uint8Array) => Uint8Array | null;

/** A random source returning [0, 1), handed in so tests are deterministic. */
export type Random = () => number;

/** Drops a whole write with `probability` (0..1), like a frame lost on a noisy line. */
export function drop(probability: number, random: Random = Math.random): Fault {
  return (bytes) => (random() < probability ? null : bytes);
}

/**
 * With `probability`, flips bits in one byte of the write (XOR with 1..255, so the byte always
 * changes); the input is never mutated.
 */
export function garble(probability: number, random: Random = Math.random): Fault {
  return (bytes) => {
    if (bytes.length === 0 || random() >= probability) return bytes;
    const out = Uint8Array.from(bytes);
    const index = Math.min(out.length - 1, Math.floor(random() * out.length));
    const mask = 1 + Math.min(254, Math.floor(random() * 255));
    out[index] = ((out[index] ?? 0) ^ mask) & 0xff;
    return out;
  };
}

/** Runs `bytes` through every fault in order; null as soon as one drops them. */
export function applyFaults(faults: readonly Fault[], bytes: Uint8Array): Uint8Array | null {
  let out: Uint8Array | null = bytes;
  for (const fault of faults) {
    if (out === null) return null;
    out = fault(out);
  }
  return out;
}
