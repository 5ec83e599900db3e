import { describe, expect, vi } from "vitest";
import type { Relay } from "../../config/gateway.js";
import { createRelay } from "../../drivers/relays/createRelay.js";
import { RelayError } from "../../drivers/relays/errors.js";
import type { RelayDriver } from "../../drivers/relays/relayDriver.js";
import { openTransport } from "../../drivers/transport/transport.js";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { SimModbusBoard } from "../../firmware-sim/devices/modbusBoard.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { type Defer, test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";

/** Starts the real relay driver against the server and waits until its link is open. */
async function startRelay(defer: Defer, config: Relay): Promise<RelayDriver> {
  const relay = createRelay(config, {
    restingStates: () => [],
    logger: silentLogger(),
    transportFactory: openTransport,
    scheduler: realScheduler,
    backoff: { baseMs: 20, factor: 2, capMs: 100, jitter: "none" },
    replyTimeoutMs: 500,
  });
  relay.start();
  defer(() => relay.stop());
  await vi.waitFor(() => expect(relay.health().state).toBe("open"), { timeout: 3000 });
  return relay;
}

const it = test
  .extend(
    "startRelay",
    ({ defer }) =>
      (config: Relay) =>
        startRelay(defer, config),
  )
  /** A simulated LCUS board on a TCP serial server, and the real lcus-serial driver with its link open. */
  .extend("lcusOnServer", ({ serialServer, startRelay }) => async (frameGapMs: number, dropWithinMs = 0) => {
    const server = await serialServer();
    const board = new SimLcusBoard({ link: server, dropWithinMs });
    board.start();
    const relay = await startRelay({
      id: "doors",
      driver: "lcus-serial",
      port: server.target,
      baudRate: 9600,
      frameGapMs,
    });
    return { board, relay };
  });

describe("simulated relay boards on a TCP serial server, driven by the real drivers", () => {
  it("records relay 1 on then off, about 200 ms apart, when the lcus-serial driver pulses it", async ({
    lcusOnServer,
  }) => {
    const { board, relay } = await lcusOnServer(100);

    await relay.pulse(1, 200);

    await vi.waitFor(() =>
      expect(board.history.map((c) => [c.channel, c.on])).toEqual([
        [1, true],
        [1, false],
      ]),
    );
    const [on, off] = board.history;
    expect((off?.at ?? 0) - (on?.at ?? 0)).toBeGreaterThanOrEqual(150);
    expect(board.badFrames).toBe(0);
  });

  it.for([
    [100, [true, true], 0],
    // Without the gap the second ON and the second OFF both come too soon and are lost.
    [0, [true, false], 2],
  ] as const)(
    "with frameGapMs %i, two doors on one LCUS board that drops early frames open: %j",
    async ([frameGapMs, opened, dropped], { lcusOnServer }) => {
      // The simulator's default: a command within 80 ms of the last one it took is dropped.
      const { board, relay } = await lcusOnServer(frameGapMs, 80);

      await Promise.all([relay.pulse(1, 300), relay.pulse(2, 300)]);

      await vi.waitFor(() => expect(board.commands + board.droppedTooSoon).toBe(4));
      const onAt = (channel: number) => board.history.some((c) => c.channel === channel && c.on);
      expect([onAt(1), onAt(2)]).toEqual(opened);
      expect(board.droppedTooSoon).toBe(dropped);
    },
  );

  it.for([
    ["unit 3", 3, 0],
    ["unit 255, an LCTech-style board's default (reserved by Modbus)", 255, 1],
  ] as const)(
    "records the coil on then off when the modbus-rtu driver pulses a board at %s",
    async ([_name, unitId, coil], { serialServer, startRelay }) => {
      const server = await serialServer();
      const board = new SimModbusBoard({ link: server, unitId });
      board.start();
      const relay = await startRelay({
        id: "gates",
        driver: "modbus-rtu",
        port: server.target,
        unitId,
        baudRate: 9600,
      });

      await relay.pulse(coil, 50);

      expect(board.history.map((c) => [c.channel, c.on])).toEqual([
        [coil, true],
        [coil, false],
      ]);
      expect(board.isOn(coil)).toBe(false);
      expect(relay.counters()).toMatchObject({ completed: 1, timeouts: 0 });
    },
  );

  it("rejects a pulse on coil 9 of an 8-coil board with the board's illegal data address exception", async ({
    serialServer,
    startRelay,
  }) => {
    const server = await serialServer();
    const board = new SimModbusBoard({ link: server });
    board.start();
    const relay = await startRelay({
      id: "gates",
      driver: "modbus-rtu",
      port: server.target,
      unitId: 1,
      baudRate: 9600,
    });

    const err = await relay.pulse(9, 50).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(RelayError);
    expect((err as RelayError).failure).toBe("exception");
    expect((err as RelayError).message).toContain("illegal_data_address");
    expect((err as RelayError).cause).toMatchObject({ code: 2, name: "illegal_data_address" });
    expect(board.history).toEqual([]);
  });
});
