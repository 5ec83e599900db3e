import { describe, expect, it } from "vitest";
import { encodeRdm6300Frame } from "../../drivers/codecs/rdm6300.js";
import {
  applyLineFaults,
  delay,
  deliver,
  disconnect,
  drop,
  garble,
  isDeferred,
  type LineFault,
  type Pluggable,
} from "../../firmware-sim/devices/faults.js";
import { SimRdm6300Module } from "../../firmware-sim/devices/rdm6300Module.js";
import type { DeviceLink } from "../../firmware-sim/devices/serialDeviceServer.js";
import { SimSerialLineReader } from "../../firmware-sim/devices/serialLineReader.js";
import { ManualScheduler } from "../helpers/fakeTransport.js";

/** A DeviceLink whose other end is the test; it can be unplugged like a real one. */
class FakeLink implements DeviceLink, Pluggable {
  readonly written: string[] = [];
  readonly plugEvents: string[] = [];
  plugged = true;
  write(bytes: Uint8Array): boolean {
    if (!this.plugged) return false;
    this.written.push(new TextDecoder().decode(bytes));
    return true;
  }
  onData(): () => void {
    return () => {};
  }
  unplug(): void {
    this.plugged = false;
    this.plugEvents.push("unplug");
  }
  replug(): void {
    this.plugged = true;
    this.plugEvents.push("replug");
  }
}

const text = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Runs the chain and collects what comes out, now or later. */
function run(faults: readonly LineFault[], input: string, out: string[]): void {
  deliver(faults, text(input), (b) => {
    out.push(new TextDecoder().decode(b));
    return true;
  });
}

describe("delay fault", () => {
  it("holds each write back on the scheduler and lets them out in order", () => {
    const scheduler = new ManualScheduler();
    const out: string[] = [];
    const faults = [delay(250, scheduler)];
    run(faults, "a", out);
    run(faults, "b", out);
    expect(out).toEqual([]);
    expect(scheduler.pending).toBe(2);
    scheduler.runNext();
    expect(out).toEqual(["a"]);
    scheduler.runNext();
    expect(out).toEqual(["a", "b"]);
  });

  it("runs the faults after the delay only once the bytes are released", () => {
    const scheduler = new ManualScheduler();
    const seen: string[] = [];
    const spy: LineFault = (b) => {
      seen.push(new TextDecoder().decode(b));
      return b;
    };
    const out: string[] = [];
    run([delay(10, scheduler), spy, garble(1, () => 0)], "12", out);
    expect(seen).toEqual([]);
    scheduler.runNext();
    expect(seen).toEqual(["12"]);
    expect(out).toHaveLength(1);
    expect(out[0]).not.toBe("12");
  });

  it("chains two delays and still drops when a later fault drops", () => {
    const scheduler = new ManualScheduler();
    const out: string[] = [];
    run([delay(5, scheduler), delay(5, scheduler), drop(1, () => 0)], "x", out);
    scheduler.runNext();
    expect(scheduler.pending).toBe(1);
    scheduler.runNext();
    expect(scheduler.pending).toBe(0);
    expect(out).toEqual([]);
  });

  it("reports a drop before the delay at once, and a delayed write as accepted", () => {
    const scheduler = new ManualScheduler();
    expect(applyLineFaults([drop(1, () => 0), delay(5, scheduler)], text("x"))).toBeNull();
    const result = applyLineFaults([delay(5, scheduler)], text("x"));
    expect(result !== null && isDeferred(result)).toBe(true);
    expect(deliver([delay(5, scheduler)], text("y"), () => false)).toBe(true);
    expect(() => delay(-1, scheduler)).toThrow(RangeError);
  });

  it("delays a serial-line reader's line without changing it", () => {
    const scheduler = new ManualScheduler();
    const link = new FakeLink();
    const reader = new SimSerialLineReader({ link, lineEnding: "LF", faults: [delay(100, scheduler)] });
    reader.start();
    expect(reader.present(42)).toBe(true);
    expect(link.written).toEqual([]);
    scheduler.runNext();
    expect(link.written).toEqual(["42\n"]);
  });

  it("counts a delayed RDM6300 frame as sent only once it is written", () => {
    const scheduler = new ManualScheduler();
    const frames: string[] = [];
    const link: DeviceLink = {
      write: (b) => {
        frames.push(hex(b));
        return true;
      },
      onData: () => () => {},
    };
    const module = new SimRdm6300Module({ link, scheduler, faults: [delay(50, scheduler)] });
    module.start();
    module.present(0x008ec793);
    expect(module.framesSent).toBe(0);
    scheduler.runNext();
    expect(module.framesSent).toBe(1);
    expect(frames).toEqual([hex(encodeRdm6300Frame(0x008ec793))]);
  });
});

describe("disconnect fault", () => {
  it("lets N frames through, loses the next one while unplugging, and replugs after the pause", async () => {
    const scheduler = new ManualScheduler();
    const link = new FakeLink();
    const changes: boolean[] = [];
    const reader = new SimSerialLineReader({
      link,
      lineEnding: "LF",
      faults: [
        disconnect({
          target: link,
          scheduler,
          forMs: 3000,
          afterFrames: 2,
          onChange: (p) => changes.push(p),
        }),
      ],
    });
    reader.start();
    expect([reader.present(1), reader.present(2), reader.present(3), reader.present(4)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(link.written).toEqual(["1\n", "2\n"]);
    expect(link.plugEvents).toEqual(["unplug"]);
    expect(changes).toEqual([false]);

    scheduler.runNext();
    await Promise.resolve();
    await Promise.resolve();
    expect(link.plugEvents).toEqual(["unplug", "replug"]);
    expect(changes).toEqual([false, true]);
    reader.present(5);
    reader.present(6);
    reader.present(7);
    expect(link.written).toEqual(["1\n", "2\n", "5\n", "6\n"]);
    expect(link.plugEvents).toEqual(["unplug", "replug", "unplug"]);
  });

  it("unplugs with a probability per frame", () => {
    const scheduler = new ManualScheduler();
    const link = new FakeLink();
    const draws = [0.9, 0.05];
    const fault = disconnect({
      target: link,
      scheduler,
      forMs: 10,
      probability: 0.1,
      random: () => draws.shift() ?? 1,
    });
    expect(fault(text("a"))).not.toBeNull();
    expect(fault(text("b"))).toBeNull();
    expect(link.plugEvents).toEqual(["unplug"]);
    expect(scheduler.pending).toBe(1);
  });

  it("refuses a disconnect with neither a frame count nor a probability", () => {
    expect(() => disconnect({ target: new FakeLink(), scheduler: new ManualScheduler(), forMs: 1 })).toThrow(
      /afterFrames or probability/,
    );
  });
});
