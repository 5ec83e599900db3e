import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseHexFrames } from "../../drivers/codecs/hexText.js";
import { ModbusBus } from "../../drivers/modbus/modbusBus.js";
import { startExchange, stepExchange } from "../../drivers/modbus/modbusExchange.js";
import { createRelay } from "../../drivers/relays/createRelay.js";
import { LcusRelay } from "../../drivers/relays/lcusRelay.js";
import { ModbusRelay } from "../../drivers/relays/modbusRelay.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { type FakeTransport, fakeTransportFactory } from "../helpers/fakeTransport.js";
import { silentLogger } from "../helpers/logs.js";

const frames = new Map(
  parseHexFrames(readFileSync(new URL("../fixtures/frames/modbus-rtu.hex", import.meta.url), "utf8")).map(
    (f) => [f.note, f.bytes],
  ),
);
function frame(name: string): Uint8Array {
  const bytes = frames.get(name);
  if (bytes === undefined) throw new Error(`fixture frame "${name}" is missing`);
  return bytes;
}

async function startedRelay(unitId = 1): Promise<{ relay: ModbusRelay; t: FakeTransport }> {
  const f = fakeTransportFactory();
  const bus = new ModbusBus({
    port: "/dev/ttyRS485",
    transportFactory: f.factory,
    scheduler: realScheduler,
    logger: silentLogger(),
  });
  const relay = new ModbusRelay({
    restingStates: () => [],
    logger: silentLogger(),
    id: "turnstile",
    unitId,
    bus,
    scheduler: realScheduler,
  });
  relay.start();
  await vi.advanceTimersByTimeAsync(0);
  return { relay, t: f.last() };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("ModbusRelay", () => {
  it("writes coil-on, waits for its echo, then `ms` later writes coil-off and resolves on its echo", async () => {
    const { relay, t } = await startedRelay();
    let done = false;
    const pulse = relay.pulse(0, 1000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(t.written).toEqual([frame("unit1-coil0-on")]);
    t.push(frame("unit1-coil0-on"));
    await vi.advanceTimersByTimeAsync(999);
    expect(t.written).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.written).toEqual([frame("unit1-coil0-on"), frame("unit1-coil0-off")]);
    expect(done).toBe(false);
    t.push(frame("unit1-coil0-off"));
    await pulse;
    expect(relay.counters()).toMatchObject({ pulses: 1, completed: 1, failed: 0 });
  });

  it("frames an echo that arrives in pieces after line noise and a foreign unit's reply", async () => {
    const { relay, t } = await startedRelay();
    const pulse = relay.pulse(0, 100);
    await vi.advanceTimersByTimeAsync(0);
    const echo = frame("unit1-coil0-on");
    t.push(Uint8Array.of(0x00));
    t.push(frame("unit2-exception-2"));
    t.push(echo.subarray(0, 3));
    t.push(echo.subarray(3));
    await vi.advanceTimersByTimeAsync(100);
    expect(t.written).toHaveLength(2);
    t.push(frame("unit1-coil0-off"));
    await pulse;
  });

  it.each([
    [1, "illegal_function"],
    [2, "illegal_data_address"],
    [4, "server_device_failure"],
  ])("turns exception %i into RELAY_FAILED naming %s", async (code, name) => {
    const { relay, t } = await startedRelay();
    const pulse = expect(relay.pulse(0, 100)).rejects.toMatchObject({
      code: "RELAY_FAILED",
      relayId: "turnstile",
      channel: 0,
      failure: "exception",
      message: expect.stringContaining(name),
      cause: { reason: "exception", code, name },
    });
    await vi.advanceTimersByTimeAsync(0);
    t.push(frame(`unit1-exception-${code}`));
    await pulse;
    expect(t.written).toHaveLength(1);
    expect(relay.counters()).toMatchObject({ failed: 1, exceptions: 1, timeouts: 0 });
  });

  it("fails with a timeout RelayError when no echo comes within 500 ms", async () => {
    const { relay, t } = await startedRelay();
    let settled = false;
    const pulse = expect(
      relay.pulse(0, 100).finally(() => {
        settled = true;
      }),
    ).rejects.toMatchObject({ code: "RELAY_FAILED", failure: "timeout", channel: 0 });
    await vi.advanceTimersByTimeAsync(499);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await pulse;
    expect(t.written).toEqual([frame("unit1-coil0-on")]);
    expect(relay.counters()).toMatchObject({ failed: 1, timeouts: 1 });
  });

  it("keeps one request in flight on the bus: a pulse on another coil waits for the echo", async () => {
    const { relay, t } = await startedRelay(2);
    const both = Promise.all([relay.pulse(0, 100), relay.pulse(3, 100)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.written).toHaveLength(1);
    t.push(t.written[0] as Uint8Array);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.written).toHaveLength(2);
    expect(t.written[1]).toEqual(frame("unit2-coil3-on"));
    t.push(frame("unit2-coil3-on"));
    await vi.advanceTimersByTimeAsync(100);
    // coil 0 off went out; coil 3 off waits behind it on the bus.
    expect(t.written).toHaveLength(3);
    t.push(t.written[2] as Uint8Array);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.written).toHaveLength(4);
    t.push(t.written[3] as Uint8Array);
    await both;
  });

  it("rejects at once with RELAY_FAILED when the transport is down", async () => {
    const { relay, t } = await startedRelay();
    t.disconnect();
    await expect(relay.pulse(0, 100)).rejects.toMatchObject({
      code: "RELAY_FAILED",
      failure: "transport_down",
    });
    expect(t.written).toEqual([]);
    await relay.stop();
  });
});

describe("the Modbus exchange state machine", () => {
  it("ignores events once done", () => {
    const request = frame("unit1-coil0-on");
    const done = stepExchange(startExchange(request), { type: "bytes", bytes: request });
    expect(done).toMatchObject({ phase: "done", outcome: { ok: true } });
    expect(stepExchange(done, { type: "timeout" })).toBe(done);
  });

  it("resyncs past a bad CRC and still finds the echo", () => {
    const request = frame("unit1-coil0-on");
    const bytes = new Uint8Array([...frame("unit1-coil0-on-bad-crc"), ...request]);
    expect(stepExchange(startExchange(request), { type: "bytes", bytes })).toMatchObject({
      phase: "done",
      outcome: { ok: true },
    });
  });
});

describe("createRelay", () => {
  const deps = {
    transportFactory: fakeTransportFactory().factory,
    scheduler: realScheduler,
    logger: silentLogger(),
    restingStates: () => [],
  };

  it("picks the driver the config names", () => {
    expect(
      createRelay(
        { id: "a", driver: "lcus-serial", port: "/dev/ttyUSB0", baudRate: 9600, frameGapMs: 100 },
        deps,
      ),
    ).toBeInstanceOf(LcusRelay);
    const modbus = createRelay(
      { id: "b", driver: "modbus-rtu", port: "/dev/ttyUSB1", unitId: 3, baudRate: 9600 },
      deps,
    );
    expect(modbus).toBeInstanceOf(ModbusRelay);
    expect(modbus.id).toBe("b");
  });

  it("throws RELAY_UNSUPPORTED for the MQTT drivers", () => {
    expect(() => createRelay({ id: "c", driver: "mqtt-tasmota", topic: "tasmota_1" }, deps)).toThrow(
      expect.objectContaining({ code: "RELAY_UNSUPPORTED", relayId: "c" }),
    );
  });
});
