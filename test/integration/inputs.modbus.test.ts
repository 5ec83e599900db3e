import { expect } from "vitest";
import { Input } from "../../config/inputs.js";
import type { InputLevel } from "../../drivers/inputs/levelFilter.js";
import { ModbusInput, type ModbusInputConfig } from "../../drivers/inputs/modbusInput.js";
import { ModbusBuses } from "../../drivers/modbus/modbusBus.js";
import { createRelay } from "../../drivers/relays/createRelay.js";
import { openTransport } from "../../drivers/transport/transport.js";
import { SimModbusBoard } from "../../firmware-sim/devices/modbusBoard.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { it } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";

const backoff = { baseMs: 20, capMs: 100, factor: 2, jitter: "none" } as const;

/** Resolves once `check` holds, polling every 10 ms; fails after `ms`. */
async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

it("D1: Modbus inputs share a real pty with a Modbus relay board: a pulse and polls interleave, neither starving", async ({
  ptyLink,
  defer,
}) => {
  const line = await ptyLink();
  const board = new SimModbusBoard({ link: line, unitId: 1 });
  board.start();
  defer(() => board.stop());
  const deps = { transportFactory: openTransport, scheduler: realScheduler, logger: silentLogger(), backoff };
  const buses = new ModbusBuses(deps);
  const relay = createRelay(
    { id: "board", driver: "modbus-rtu", port: line.target, unitId: 1, baudRate: 9600 },
    { ...deps, restingStates: () => [], modbusBuses: buses },
  );
  const inputs = [0, 1].map((address) => {
    const config = Input.parse({
      id: `pass-${address}`,
      driver: "modbus-rtu",
      port: line.target,
      address,
      debounceMs: 0,
      pollMs: 20,
    }) as ModbusInputConfig;
    return new ModbusInput(config, {
      scheduler: realScheduler,
      clock: Date.now,
      logger: silentLogger(),
      bus: buses.bus(line.target, 9600),
    });
  });
  const seen: [string, InputLevel][] = [];
  for (const input of inputs) {
    input.on("level", (c) => seen.push([c.inputId, c.level]));
    input.start();
    defer(() => input.stop());
  }
  relay.start();
  defer(() => relay.stop());
  await until(() => inputs.every((i) => i.level() === "inactive"));
  expect(buses.bus(line.target).health().state).toBe("open");

  // A pulse while both inputs poll: it gets its turn on the bus and the board switches.
  const pulse = relay.pulse(3, 300);
  board.setInput(1, true);
  await until(() => inputs[1]?.level() === "active");
  await pulse;
  expect(board.history.map((c) => [c.channel, c.on])).toEqual([
    [3, true],
    [3, false],
  ]);
  // The polls went on during the pulse: the PASS edge was seen while the coil was on.
  expect(seen).toContainEqual(["pass-1", "active"]);
  expect(inputs[0]?.level()).toBe("inactive");
  const polls = inputs.map((i) => i.counters().readings);
  await until(() => inputs.every((i, n) => i.counters().readings > (polls[n] ?? 0) + 2));
});

it("D1: a Modbus input whose unit does not answer becomes unknown, never inactive, and readable again when it answers", async ({
  ptyLink,
  defer,
}) => {
  const line = await ptyLink();
  const board = new SimModbusBoard({ link: line, unitId: 1 });
  board.start();
  defer(() => board.stop());
  const buses = new ModbusBuses({
    transportFactory: openTransport,
    scheduler: realScheduler,
    logger: silentLogger(),
    backoff,
    replyTimeoutMs: 50,
  });
  const config = Input.parse({
    id: "contact",
    driver: "modbus-rtu",
    port: line.target,
    address: 2,
    pollMs: 20,
  }) as ModbusInputConfig;
  const input = new ModbusInput(config, {
    scheduler: realScheduler,
    clock: Date.now,
    logger: silentLogger(),
    bus: buses.bus(line.target),
  });
  input.start();
  defer(() => input.stop());
  await until(() => input.level() === "inactive");
  board.stop();
  await until(() => input.level() === "unknown");
  expect(input.health().reason).toBe("no answer from unit 1 to discrete input 2 within 50 ms");
  expect(input.health().downSince).toBeTypeOf("number");
  board.start();
  await until(() => input.level() === "inactive");
  expect(input.health().downSince).toBeUndefined();
});
