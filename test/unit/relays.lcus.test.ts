import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseHexFrames } from "../../drivers/codecs/hexText.js";
import { decodeLcus } from "../../drivers/codecs/lcus.js";
import { LcusRelay } from "../../drivers/relays/lcusRelay.js";
import type { RelayHealth } from "../../drivers/relays/relayDriver.js";
import { TransportError } from "../../drivers/transport/errors.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { type FakeTransport, fakeTransportFactory } from "../helpers/fakeTransport.js";
import { silentLogger } from "../helpers/logs.js";

const frames = new Map(
  parseHexFrames(readFileSync(new URL("../fixtures/frames/lcus.hex", import.meta.url), "utf8")).map((f) => [
    f.note,
    f.bytes,
  ]),
);
function frame(name: string): Uint8Array {
  const bytes = frames.get(name);
  if (bytes === undefined) throw new Error(`fixture frame "${name}" is missing`);
  return bytes;
}

/** A started relay; without a frame gap unless asked (the gap has tests of its own). */
async function startedRelay(frameGapMs = 0): Promise<{ relay: LcusRelay; t: FakeTransport }> {
  const f = fakeTransportFactory();
  const relay = new LcusRelay({
    restingStates: () => [],
    logger: silentLogger(),
    id: "gate",
    port: "/dev/ttyFAKE",
    transportFactory: f.factory,
    scheduler: realScheduler,
    frameGapMs,
  });
  relay.start();
  await vi.advanceTimersByTimeAsync(0);
  return { relay, t: f.last() };
}

/** The written frames as "ch1-on" / "ch1-off" words. */
function commands(t: FakeTransport): string[] {
  return t.written.map((bytes) => {
    const c = decodeLcus(bytes);
    return c.ok ? `ch${c.channel}-${c.on ? "on" : "off"}` : "garbage";
  });
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("LcusRelay", () => {
  it("writes the fixture's ON frame, then the OFF frame exactly `ms` later, and resolves", async () => {
    const { relay, t } = await startedRelay();
    let done = false;
    const pulse = relay.pulse(1, 1000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(t.written).toEqual([frame("ch1-on")]);
    await vi.advanceTimersByTimeAsync(999);
    expect(t.written).toHaveLength(1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.written).toEqual([frame("ch1-on"), frame("ch1-off")]);
    await pulse;
    expect(done).toBe(true);
    expect(relay.counters()).toMatchObject({ pulses: 1, completed: 1, failed: 0, inFlight: 0 });
  });

  it("queues a second pulse on the same channel behind the first, while another channel runs alongside", async () => {
    const { relay, t } = await startedRelay();
    const all = Promise.all([relay.pulse(1, 500), relay.pulse(1, 500), relay.pulse(2, 300)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(commands(t)).toEqual(["ch1-on", "ch2-on"]);
    expect(relay.counters().inFlight).toBe(3);
    await vi.advanceTimersByTimeAsync(300);
    expect(commands(t)).toEqual(["ch1-on", "ch2-on", "ch2-off"]);
    await vi.advanceTimersByTimeAsync(200);
    expect(commands(t)).toEqual(["ch1-on", "ch2-on", "ch2-off", "ch1-off", "ch1-on"]);
    await vi.advanceTimersByTimeAsync(500);
    await all;
    const ch1 = commands(t).filter((c) => c.startsWith("ch1"));
    expect(ch1).toEqual(["ch1-on", "ch1-off", "ch1-on", "ch1-off"]);
  });

  it("rejects at once with RELAY_FAILED naming relay and channel when the transport is down", async () => {
    const { relay, t } = await startedRelay();
    t.disconnect();
    await expect(relay.pulse(3, 1000)).rejects.toMatchObject({
      name: "RelayError",
      code: "RELAY_FAILED",
      relayId: "gate",
      channel: 3,
      failure: "transport_down",
      cause: { code: "TRANSPORT_DISCONNECTED" },
    });
    expect(t.written).toEqual([]);
    expect(relay.health().state).toBe("waiting");
    await relay.stop();
  });

  it("rejects with the transport error as cause when a write fails", async () => {
    const { relay, t } = await startedRelay();
    const boom = new TransportError("TRANSPORT_WRITE_FAILED", t.target, "EIO");
    t.write = () => Promise.reject(boom);
    await expect(relay.pulse(1, 100)).rejects.toMatchObject({
      code: "RELAY_FAILED",
      failure: "write_failed",
      channel: 1,
      cause: boom,
    });
    expect(relay.counters()).toMatchObject({ pulses: 1, completed: 0, failed: 1 });
  });

  it("still switches off on the reopened link when the board comes back during the pulse", async () => {
    const f = fakeTransportFactory();
    const relay = new LcusRelay({
      restingStates: () => [],
      logger: silentLogger(),
      id: "gate",
      port: "/dev/ttyFAKE",
      transportFactory: f.factory,
      scheduler: realScheduler,
      frameGapMs: 0,
    });
    relay.start();
    await vi.advanceTimersByTimeAsync(0);
    const pulse = relay.pulse(1, 1000);
    await vi.advanceTimersByTimeAsync(10);
    f.last().disconnect();
    await vi.advanceTimersByTimeAsync(990);
    await pulse;
    expect(f.opened).toHaveLength(2);
    expect(f.opened[0]?.written).toEqual([frame("ch1-on")]);
    expect(f.opened[1]?.written).toEqual([frame("ch1-off")]);
  });

  it("rejects when the board is still gone when the pulse should end", async () => {
    const f = fakeTransportFactory();
    const relay = new LcusRelay({
      restingStates: () => [],
      logger: silentLogger(),
      id: "gate",
      port: "/dev/ttyFAKE",
      transportFactory: f.factory,
      scheduler: realScheduler,
      backoff: { baseMs: 5000, factor: 2, capMs: 5000, jitter: "none" },
      frameGapMs: 0,
    });
    relay.start();
    await vi.advanceTimersByTimeAsync(0);
    const pulse = expect(relay.pulse(1, 1000)).rejects.toMatchObject({
      code: "RELAY_FAILED",
      failure: "transport_down",
      cause: { code: "TRANSPORT_NOT_OPEN" },
    });
    await vi.advanceTimersByTimeAsync(10);
    f.last().disconnect();
    await vi.advanceTimersByTimeAsync(990);
    await pulse;
    await relay.stop();
  });

  it("rejects a channel the board cannot have without writing anything", async () => {
    const { relay, t } = await startedRelay();
    await expect(relay.pulse(0, 100)).rejects.toMatchObject({ code: "RELAY_FAILED", failure: "bad_channel" });
    await expect(relay.pulse(1, 0)).rejects.toMatchObject({ code: "RELAY_FAILED", failure: "bad_channel" });
    expect(t.written).toEqual([]);
  });

  it("on stop, finishes the running pulse (no relay left on) and rejects the queued one", async () => {
    const { relay, t } = await startedRelay();
    const first = relay.pulse(1, 400);
    const second = expect(relay.pulse(1, 400)).rejects.toMatchObject({ failure: "stopped" });
    await vi.advanceTimersByTimeAsync(0);
    const stopped = relay.stop();
    await expect(relay.pulse(2, 100)).rejects.toMatchObject({ failure: "stopped" });
    await vi.advanceTimersByTimeAsync(400);
    await first;
    await second;
    await stopped;
    expect(commands(t)).toEqual(["ch1-on", "ch1-off"]);
    expect(t.isOpen).toBe(false);
    expect(relay.health().state).toBe("stopped");
  });

  it("spaces frames to one board by frameGapMs, so two doors on one LCUS board both open", async () => {
    const { relay, t } = await startedRelay(100);
    const at: number[] = [];
    const write = t.write.bind(t);
    t.write = (bytes) => {
      at.push(Date.now());
      return write(bytes);
    };
    const start = Date.now();
    const both = Promise.all([relay.pulse(1, 500), relay.pulse(2, 500)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(commands(t)).toEqual(["ch1-on"]);
    await vi.advanceTimersByTimeAsync(99);
    expect(commands(t)).toEqual(["ch1-on"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(commands(t)).toEqual(["ch1-on", "ch2-on"]);
    await vi.advanceTimersByTimeAsync(600);
    await both;
    expect(commands(t)).toEqual(["ch1-on", "ch2-on", "ch1-off", "ch2-off"]);
    // Each pulse lasts its full 500 ms from its own ON; every frame is ≥ 100 ms after the one before.
    expect(at.map((ms) => ms - start)).toEqual([0, 100, 500, 600]);
  });

  it("sends the next frame after the gap even when the frame before it failed to write", async () => {
    const { relay, t } = await startedRelay(100);
    const write = t.write.bind(t);
    t.write = () => {
      t.write = write;
      return Promise.reject(new TransportError("TRANSPORT_WRITE_FAILED", t.target, "EIO"));
    };
    const failed = expect(relay.pulse(1, 300)).rejects.toMatchObject({ failure: "write_failed" });
    const second = relay.pulse(2, 300);
    await vi.advanceTimersByTimeAsync(0);
    await failed;
    expect(commands(t)).toEqual(["ch2-on"]);
    await vi.advanceTimersByTimeAsync(400);
    await second;
    expect(commands(t)).toEqual(["ch2-on", "ch2-off"]);
  });

  it("on open puts the resting channels OFF, before a pulse asked for at that moment, and not as a pulse", async () => {
    const f = fakeTransportFactory();
    const relay = new LcusRelay({
      id: "gate",
      port: "/dev/ttyFAKE",
      transportFactory: f.factory,
      scheduler: realScheduler,
      logger: silentLogger(),
      restingStates: () => [
        { channel: 1, on: false },
        { channel: 2, on: false },
      ],
      frameGapMs: 0,
    });
    relay.start();
    await vi.advanceTimersByTimeAsync(0);
    const pulse = relay.pulse(1, 300);
    expect(relay.counters().inFlight).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(commands(f.last())).toEqual(["ch1-off", "ch2-off", "ch1-on"]);
    await vi.advanceTimersByTimeAsync(300);
    await pulse;
    f.last().disconnect();
    await vi.advanceTimersByTimeAsync(1000);
    expect(f.opened).toHaveLength(2);
    expect(commands(f.last())).toEqual(["ch1-off", "ch2-off"]);
    await relay.stop();
  });

  it("reports its link state as 'state' events", async () => {
    const f = fakeTransportFactory();
    const relay = new LcusRelay({
      restingStates: () => [],
      logger: silentLogger(),
      id: "gate",
      port: "/dev/ttyFAKE",
      transportFactory: f.factory,
      scheduler: realScheduler,
      frameGapMs: 0,
    });
    const states: RelayHealth[] = [];
    relay.on("state", (h) => states.push(h));
    relay.start();
    await vi.advanceTimersByTimeAsync(0);
    f.last().disconnect();
    expect(states.map((s) => s.state)).toEqual(["connecting", "open", "waiting"]);
    expect(states.at(-1)).toMatchObject({ relayId: "gate", lastError: { code: "TRANSPORT_DISCONNECTED" } });
    await relay.stop();
  });
});
