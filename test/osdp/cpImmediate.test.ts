/**
 * Issue 13 "Benchmarks": the bus sends its next packet straight after a reply, not on a zero-delay
 * timer (Node runs one no sooner than 1 ms later, a millisecond per exchange on a half-duplex bus).
 * A scheduler run by hand shows which of the two the bus asked for; one without `setImmediate`
 * still gets the zero-delay timer.
 */
import { describe, expect, it } from "vitest";
import { OsdpBus } from "../../drivers/osdp/osdpBus.js";
import { cancel, soon } from "../../runtime/scheduler.js";
import { ManualScheduler } from "../helpers/fakeTransport.js";
import { silentLogger } from "../helpers/logs.js";
import { LED } from "./cpRig.js";
import { FakeLine, FakePd } from "./fakePds.js";

/** A manual scheduler that also queues immediates, and remembers each timer's delay. */
class ImmediateScheduler extends ManualScheduler {
  readonly immediates = new Map<number, () => void>();
  readonly delays: number[] = [];
  private next = 1;

  override setTimeout(fn: () => void, ms: number): unknown {
    this.delays.push(ms);
    return super.setTimeout(fn, ms);
  }

  setImmediate(fn: () => void): unknown {
    const id = this.next++;
    this.immediates.set(id, fn);
    return id;
  }

  clearImmediate(handle: unknown): void {
    this.immediates.delete(handle as number);
  }

  /** Runs the oldest immediate; returns whether there was one. */
  runImmediate(): boolean {
    const first = this.immediates.entries().next();
    if (first.done === true) return false;
    this.immediates.delete(first.value[0]);
    first.value[1]();
    return true;
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Two PDs in clear on a fake line, the bus started on a hand-run scheduler. */
function handRunBus() {
  const scheduler = new ImmediateScheduler();
  const clock = { now: 0 };
  const line = new FakeLine([new FakePd({ address: 1 }), new FakePd({ address: 2 })]);
  const bus = new OsdpBus({
    port: "/dev/ttyFAKE",
    link: line,
    pds: [1, 2].map((address) => ({ address, secureChannel: "off" as const, scbk: null })),
    scheduler,
    now: () => clock.now,
    random: () => new Uint8Array(8),
    logger: silentLogger(),
  });
  bus.start();
  /** Immediates first (a packet after a reply); when none is queued, the clock moves to the next poll. */
  const run = async (steps: number) => {
    for (let step = 0; step < steps; step++) {
      if (!scheduler.runImmediate()) {
        clock.now += 50;
        scheduler.runNext();
      }
      await flush();
    }
  };
  return { scheduler, line, bus, run };
}

describe("the bus's next packet", () => {
  it("goes out straight after a reply, with no zero-delay timer in between", async () => {
    const { scheduler, line, bus, run } = handRunBus();
    await run(40);
    expect(line.written.length).toBeGreaterThan(10);
    expect(new Set(line.written.map((w) => w.address))).toEqual(new Set([1, 2]));
    expect(scheduler.delays.length).toBeGreaterThan(0);
    expect(scheduler.delays.filter((ms) => ms <= 0)).toEqual([]);
    bus.stop();
    expect(scheduler.immediates.size).toBe(0);
  });

  it("falls back to a zero-delay timer on a scheduler without setImmediate, and cancels either", () => {
    const manual = new ManualScheduler();
    let ran = 0;
    const pending = soon(manual, () => ran++, 0);
    expect(pending.immediate).toBe(false);
    expect(manual.pending).toBe(1);
    cancel(manual, pending);
    expect(manual.pending).toBe(0);
    const withImmediate = new ImmediateScheduler();
    cancel(
      withImmediate,
      soon(withImmediate, () => ran++, 0),
    );
    expect(withImmediate.immediates.size).toBe(0);
    soon(withImmediate, () => ran++, 5);
    expect(withImmediate.delays).toEqual([5]);
    expect(withImmediate.runNext()).toBe(true);
    expect(ran).toBe(1);
  });

  it("is a command for an idle bus, written within send() itself; on a busy bus it waits for the reply", async () => {
    const { scheduler, line, bus, run } = handRunBus();
    // Both PDs online and polled: the bus sleeps on a timer until the next POLL is due.
    await run(20);
    while (scheduler.runImmediate()) await flush();
    const idle = line.written.length;
    // Idle: the LED is on the line when send() returns, before any timer or immediate runs.
    const done = bus.send(2, LED);
    expect(line.written.slice(idle).map((w) => [w.address, w.kind])).toEqual([[2, "led"]]);
    // Busy (that LED's reply not yet read): the next command waits for it, then goes next.
    const second = bus.send(1, LED);
    expect(line.written.length).toBe(idle + 1);
    await flush();
    expect(await done).toEqual({ kind: "ack" });
    while (scheduler.runImmediate()) await flush();
    expect(line.written.slice(idle).map((w) => [w.address, w.kind])).toEqual([
      [2, "led"],
      [1, "led"],
    ]);
    expect(await second).toEqual({ kind: "ack" });
    bus.stop();
  });
});
