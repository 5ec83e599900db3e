/**
 * Pluggable line faults for simulated devices: each is a small function over the bytes a device
 * is about to send, returning the bytes to send instead, null to send nothing, or a
 * {@link Deferred} to send them later (delay). Devices write through {@link deliver}.
 */
import type { Scheduler } from "../../runtime/scheduler.js";

/** Bytes held back by a fault: `later` calls `resume` once with the bytes to go on with (or null). */
export interface Deferred {
  readonly later: (resume: (bytes: Uint8Array | null) => void) => void;
}

/** What a fault makes of a write: bytes now, nothing, or bytes later. */
export type FaultResult = Uint8Array | null | Deferred;

/** A fault that decides at once: drop, garble, disconnect. */
export type Fault = (bytes: Uint8Array) => Uint8Array | null;

/** Any fault, including ones that hold bytes back (delay); every Fault is one. */
export type LineFault = (bytes: Uint8Array) => FaultResult;

/** A random source returning [0, 1), handed in so tests are deterministic. */
export type Random = () => number;

/** Whether a fault result is deferred. */
export function isDeferred(result: FaultResult): result is Deferred {
  return result !== null && !(result instanceof Uint8Array);
}

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

/**
 * Holds every write back for `ms` on `scheduler` (a slow radio, a buffering device server).
 * Writes keep their order because each waits the same time.
 */
export function delay(ms: number, scheduler: Scheduler): LineFault {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`delay must be ≥ 0 ms, found ${ms}`);
  return (bytes) => ({ later: (resume) => void scheduler.setTimeout(() => resume(bytes), ms) });
}

/** Something that can be unplugged and plugged back in (a device server, a pty link, an MQTT device). */
export interface Pluggable {
  unplug(): void | Promise<void>;
  replug(): void | Promise<void>;
}

/** When a {@link disconnect} fault pulls the plug, and for how long. */
export interface DisconnectOptions {
  target: Pluggable;
  scheduler: Scheduler;
  /** How long the link stays unplugged (ms). */
  forMs: number;
  /** Let this many writes through, then unplug on the next one (and again after each replug). */
  afterFrames?: number;
  /** Or: unplug on each write with this probability (0..1). */
  probability?: number;
  random?: Random;
  /** Told when the plug is pulled and put back (for logs and the technician's live view). */
  onChange?: (plugged: boolean) => void;
}

/**
 * Pulls the plug of `target` for `forMs`: after `afterFrames` writes, or with `probability` per
 * write. The write that triggers it is lost (the cable came out as it was sent); writes while
 * unplugged pass on to the link, which drops them itself.
 */
export function disconnect(options: DisconnectOptions): Fault {
  const { target, scheduler, forMs, afterFrames, probability, onChange } = options;
  const random = options.random ?? Math.random;
  if (afterFrames === undefined && probability === undefined) {
    throw new RangeError("disconnect needs afterFrames or probability");
  }
  let passed = 0;
  let unplugged = false;
  return (bytes) => {
    if (unplugged) return bytes;
    const due = afterFrames !== undefined ? passed >= afterFrames : random() < (probability ?? 0);
    if (!due) {
      passed += 1;
      return bytes;
    }
    unplugged = true;
    passed = 0;
    onChange?.(false);
    void Promise.resolve(target.unplug()).catch(() => undefined);
    scheduler.setTimeout(() => {
      void Promise.resolve(target.replug())
        .catch(() => undefined)
        .finally(() => {
          unplugged = false;
          onChange?.(true);
        });
    }, forMs);
    return null;
  };
}

/** Runs `bytes` through immediate faults in order; null as soon as one drops them. */
export function applyFaults(faults: readonly Fault[], bytes: Uint8Array): Uint8Array | null {
  let out: Uint8Array | null = bytes;
  for (const fault of faults) {
    if (out === null) return null;
    out = fault(out);
  }
  return out;
}

/** Runs `bytes` through any faults in order: null as soon as one drops them, Deferred if one delays. */
export function applyLineFaults(faults: readonly LineFault[], bytes: Uint8Array): FaultResult {
  let out: Uint8Array = bytes;
  for (let i = 0; i < faults.length; i++) {
    const result = (faults[i] as LineFault)(out);
    if (result === null) return null;
    if (isDeferred(result)) {
      const rest = faults.slice(i + 1);
      return {
        later: (resume) =>
          result.later((held) => {
            if (held === null) resume(null);
            else settle(applyLineFaults(rest, held), resume);
          }),
      };
    }
    out = result;
  }
  return out;
}

function settle(result: FaultResult, resume: (bytes: Uint8Array | null) => void): void {
  if (isDeferred(result)) result.later(resume);
  else resume(result);
}

/**
 * Sends `bytes` through `faults` to `write`. Returns whether they went out now; a delayed write
 * returns true (accepted) and is written when its faults let it go.
 */
export function deliver(
  faults: readonly LineFault[],
  bytes: Uint8Array,
  write: (bytes: Uint8Array) => boolean,
): boolean {
  const out = applyLineFaults(faults, bytes);
  if (out === null) return false;
  if (!isDeferred(out)) return write(out);
  out.later((held) => {
    if (held !== null) write(held);
  });
  return true;
}
