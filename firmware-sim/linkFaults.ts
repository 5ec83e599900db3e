/**
 * Turns a device's `faults:` list into the pluggable pieces of devices/faults.ts (drop, garble,
 * delay, disconnect after writes), plus what those cannot do: a delay for devices that take only
 * immediate faults (a link wrapper, order kept) and unplugging on a timer (`disconnect.everyMs`).
 */
import type { Scheduler } from "../runtime/scheduler.js";
import type { FaultSpec } from "./config.js";
import {
  delay,
  disconnect,
  drop,
  type Fault,
  garble,
  type LineFault,
  type Pluggable,
  type Random,
} from "./devices/faults.js";
import type { DeviceLink } from "./devices/serialDeviceServer.js";

/** What the faults act with: the random source, the timers, and what a disconnect unplugs. */
export interface FaultContext {
  random: Random;
  scheduler: Scheduler;
  target: Pluggable;
}

/** The immediate faults of a list (drop, garble, disconnect after writes), in order. */
export function immediateFaults(specs: readonly FaultSpec[], context: FaultContext): Fault[] {
  const out: Fault[] = [];
  for (const spec of specs) {
    if ("drop" in spec) out.push(drop(spec.drop, context.random));
    else if ("garble" in spec) out.push(garble(spec.garble, context.random));
    else if ("disconnect" in spec && spec.disconnect.everyMs === undefined) {
      const { forMs, afterFrames, probability } = spec.disconnect;
      out.push(
        disconnect({
          target: context.target,
          scheduler: context.scheduler,
          forMs,
          afterFrames,
          probability,
          random: context.random,
        }),
      );
    }
  }
  return out;
}

/** Every per-write fault of a list, delay included, in order (for devices that write through `deliver`). */
export function lineFaults(specs: readonly FaultSpec[], context: FaultContext): LineFault[] {
  const out: LineFault[] = [];
  for (const spec of specs) {
    if ("delay" in spec) out.push(delay(spec.delay, context.scheduler));
    else out.push(...immediateFaults([spec], context));
  }
  return out;
}

/** The total `delay` of a fault list in ms (0 when none). */
export function delayOf(specs: readonly FaultSpec[]): number {
  let ms = 0;
  for (const spec of specs) if ("delay" in spec) ms += spec.delay;
  return ms;
}

/**
 * A link whose writes reach the real link `ms` later, for devices that take only immediate
 * faults. write() reports true when the bytes were queued.
 */
export function delayedLink(link: DeviceLink, ms: number, scheduler: Scheduler): DeviceLink {
  if (ms <= 0) return link;
  return {
    write(bytes) {
      const copy = Uint8Array.from(bytes);
      scheduler.setTimeout(() => link.write(copy), ms);
      return true;
    },
    onData: (listener) => link.onData(listener),
  };
}

/** Something unplugged on a cycle: the promise-returning half of Pluggable. */
export interface CyclePluggable {
  unplug(): Promise<void>;
  replug(): Promise<void>;
}

/**
 * Runs a `disconnect: { everyMs, forMs }` fault: unplugs `device` every `everyMs` for `forMs`.
 * Returns a function that stops the cycle (without replugging: the device's stop() follows).
 */
export function startDisconnectCycle(
  specs: readonly FaultSpec[],
  device: CyclePluggable,
  scheduler: Scheduler,
  onError: (err: unknown) => void,
): () => void {
  const spec = specs.find((s) => "disconnect" in s && s.disconnect.everyMs !== undefined);
  if (spec === undefined || !("disconnect" in spec) || spec.disconnect.everyMs === undefined) return () => {};
  const { everyMs, forMs } = spec.disconnect;
  let timer: unknown;
  let stopped = false;
  const plan = (fn: () => Promise<void>, ms: number) => {
    timer = scheduler.setTimeout(() => {
      if (!stopped) fn().catch(onError);
    }, ms);
  };
  const unplug = async () => {
    await device.unplug();
    if (!stopped) plan(replug, forMs);
  };
  const replug = async () => {
    await device.replug();
    if (!stopped) plan(unplug, everyMs);
  };
  plan(unplug, everyMs);
  return () => {
    stopped = true;
    scheduler.clearTimeout(timer);
  };
}
