import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { encodeException, encodeReadBits, encodeReadBitsReply } from "../../drivers/codecs/modbusRtu.js";
import { ModbusInput, POLL_FAILURES_DOWN } from "../../drivers/inputs/modbusInput.js";
import { ModbusBus } from "../../drivers/modbus/modbusBus.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { type FakeTransport, fakeTransportFactory } from "../helpers/fakeTransport.js";
import { silentLogger } from "../helpers/logs.js";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** A discrete-input poller on a fake line, started and open. */
async function started(extra: { activeLow?: boolean; debounceMs?: number } = {}) {
  const f = fakeTransportFactory();
  const bus = new ModbusBus({
    port: "/dev/ttyRS485",
    transportFactory: f.factory,
    scheduler: realScheduler,
    logger: silentLogger(),
  });
  const input = new ModbusInput(
    {
      id: "pass-in",
      driver: "modbus-rtu",
      port: "/dev/ttyRS485",
      baudRate: 9600,
      unitId: 1,
      address: 0,
      function: "discrete-inputs",
      pollMs: 50,
      activeLow: extra.activeLow ?? false,
      debounceMs: extra.debounceMs ?? 0,
    },
    { bus, scheduler: realScheduler, clock: () => Date.now(), logger: silentLogger() },
  );
  input.start();
  await vi.advanceTimersByTimeAsync(0);
  return { input, t: f.last() as FakeTransport };
}

const POLL = encodeReadBits(1, 2, 0);
const reply = (on: boolean) => encodeReadBitsReply(1, 2, [on]);

describe("D1: a polled Modbus input", () => {
  it("D1: polls FC02 and paces the next poll pollMs after each answer; activeLow turns the bit round", async () => {
    const { input, t } = await started({ activeLow: true });
    expect(t.written).toEqual([POLL]);
    t.push(reply(false));
    await vi.advanceTimersByTimeAsync(0);
    expect(input.level()).toBe("active");
    await vi.advanceTimersByTimeAsync(49);
    expect(t.written).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.written).toHaveLength(2);
    t.push(reply(true));
    await vi.advanceTimersByTimeAsync(0);
    expect(input.level()).toBe("inactive");
    await input.stop();
  });

  it(`D1: one lost reply is noise; ${POLL_FAILURES_DOWN} in a row make the level unknown, never inactive`, async () => {
    const { input, t } = await started();
    t.push(reply(false));
    await vi.advanceTimersByTimeAsync(0);
    expect(input.level()).toBe("inactive");
    await vi.advanceTimersByTimeAsync(50 + 500);
    expect(input.level()).toBe("inactive");
    await vi.advanceTimersByTimeAsync((50 + 500) * (POLL_FAILURES_DOWN - 1));
    expect(input.level()).toBe("unknown");
    expect(input.health().reason).toBe("no answer from unit 1 to discrete input 0 within 500 ms");
    await input.stop();
  });

  it("D1: an exception answer (a wrong address) makes the level unknown at once, saying so", async () => {
    const { input, t } = await started();
    t.push(reply(true));
    await vi.advanceTimersByTimeAsync(50);
    t.push(encodeException(1, 2, 2));
    await vi.advanceTimersByTimeAsync(0);
    expect(input.level()).toBe("unknown");
    expect(input.health().reason).toBe(
      "unit 1 answers discrete input 0 with exception 2 illegal_data_address",
    );
    await input.stop();
  });

  it("D1: a link that goes down makes the level unknown at once", async () => {
    const { input, t } = await started();
    t.push(reply(true));
    await vi.advanceTimersByTimeAsync(0);
    t.disconnect();
    await vi.advanceTimersByTimeAsync(0);
    expect(input.level()).toBe("unknown");
    expect(input.health().reason).toMatch(/^serial link (waiting|connecting)/);
    await input.stop();
  });
});
