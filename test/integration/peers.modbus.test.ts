/**
 * Independent peers on real pseudo-terminals: the modbus-rtu relay driver against a pymodbus RTU
 * slave, and the simulator's Modbus board against the mbpoll master. Neither peer shares our
 * codec, so a CRC or framing bug cannot hide on both sides.
 */
import { beforeAll, describe, expect, vi } from "vitest";
import type { Relay } from "../../config/gateway.js";
import { createRelay } from "../../drivers/relays/createRelay.js";
import { RelayError } from "../../drivers/relays/errors.js";
import type { RelayDriver } from "../../drivers/relays/relayDriver.js";
import { openTransport } from "../../drivers/transport/transport.js";
import { SimModbusBoard } from "../../firmware-sim/devices/modbusBoard.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { type Defer, test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import {
  type MbpollResult,
  openSerialDeviceLink,
  type PymodbusServer,
  requireMbpoll,
  requirePymodbus,
  runMbpoll,
  startPymodbusServer,
} from "../helpers/peers.js";
import { type PtyPair, requireSocat } from "../helpers/socat.js";

/** pymodbus serving `unit` with `coils` coils on end A, the real driver on end B. */
async function driverAgainstPymodbus(
  { defer, ptyPair }: { defer: Defer; ptyPair: () => Promise<PtyPair> },
  server: { unit: number; coils: number },
  relay: { unitId: number; replyTimeoutMs: number },
): Promise<{ peer: PymodbusServer; driver: RelayDriver }> {
  const pair = await ptyPair();
  const peer = await startPymodbusServer({ device: pair.a, unit: server.unit, coils: server.coils });
  defer(() => peer.stop());
  const config: Relay = {
    id: "peer-board",
    driver: "modbus-rtu",
    port: pair.b,
    unitId: relay.unitId,
    baudRate: 9600,
  };
  const driver = createRelay(config, {
    restingStates: () => [],
    logger: silentLogger(),
    transportFactory: openTransport,
    scheduler: realScheduler,
    replyTimeoutMs: relay.replyTimeoutMs,
  });
  driver.start();
  defer(() => driver.stop());
  await vi.waitFor(() => expect(driver.health().state).toBe("open"), { timeout: 5000 });
  return { peer, driver };
}

// Every child (socat, python) and port is stopped after each test, also when it failed half-way.
const it = test
  .extend(
    "driverAgainstPymodbus",
    ({ defer, ptyPair }) =>
      (server: { unit: number; coils: number }, relay: { unitId: number; replyTimeoutMs: number }) =>
        driverAgainstPymodbus({ defer, ptyPair }, server, relay),
  )
  /** The simulated board (unit 1, 8 coils) on end A over a real serial port; mbpoll gets end B. */
  .extend(
    "boardOnPty",
    ({ defer, ptyPair }) =>
      async (): Promise<{ board: SimModbusBoard; device: string }> => {
        const pair = await ptyPair();
        const link = await openSerialDeviceLink(pair.a, 9600);
        defer(() => link.close());
        const board = new SimModbusBoard({ link, unitId: 1, coils: 8 });
        board.start();
        defer(() => board.stop());
        return { board, device: pair.b };
      },
  );

function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe("the modbus-rtu relay driver against a pymodbus RTU slave on a pty", () => {
  beforeAll(() => {
    requireSocat();
    requirePymodbus();
  });

  it("pulses coil 0 and then coil 3 of unit 1: pymodbus takes ON then OFF for each, as FC05", async ({
    driverAgainstPymodbus,
  }) => {
    const { peer, driver } = await driverAgainstPymodbus(
      { unit: 1, coils: 8 },
      { unitId: 1, replyTimeoutMs: 2000 },
    );

    await driver.pulse(0, 50);
    await driver.pulse(3, 50);

    // waitFor: pymodbus' log (a pipe) may reach us after its reply (the pty) did.
    await vi.waitFor(() =>
      expect(peer.writes()).toEqual([
        { fc: 5, address: 0, value: true },
        { fc: 5, address: 0, value: false },
        { fc: 5, address: 3, value: true },
        { fc: 5, address: 3, value: false },
      ]),
    );
    // The fixture bytes for coil 0 on and off, as pymodbus read them off the line.
    expect(peer.received().startsWith("01050000ff008c3a010500000000cdca")).toBe(true);
    expect(driver.counters()).toMatchObject({ pulses: 2, completed: 2, failed: 0, timeouts: 0 });
  });

  it("pulses coil 5 of unit 17 when both sides are configured for unit 17", async ({
    driverAgainstPymodbus,
  }) => {
    const { peer, driver } = await driverAgainstPymodbus(
      { unit: 17, coils: 8 },
      { unitId: 17, replyTimeoutMs: 2000 },
    );

    await driver.pulse(5, 50);

    await vi.waitFor(() =>
      expect(peer.writes()).toEqual([
        { fc: 5, address: 5, value: true },
        { fc: 5, address: 5, value: false },
      ]),
    );
    expect(peer.received().startsWith("11050005ff00")).toBe(true);
    expect(driver.counters()).toMatchObject({ completed: 1, failed: 0 });
  });

  it("serialises overlapping pulses on coils 1 and 2 so pymodbus answers each request in turn", async ({
    driverAgainstPymodbus,
  }) => {
    const { peer, driver } = await driverAgainstPymodbus(
      { unit: 1, coils: 8 },
      { unitId: 1, replyTimeoutMs: 2000 },
    );

    await Promise.all([driver.pulse(1, 80), driver.pulse(2, 80)]);

    await vi.waitFor(() => expect(peer.writes()).toHaveLength(4));
    const writes = peer.writes();
    expect(writes.filter((w) => w.address === 1).map((w) => w.value)).toEqual([true, false]);
    expect(writes.filter((w) => w.address === 2).map((w) => w.value)).toEqual([true, false]);
    expect(driver.counters()).toMatchObject({ completed: 2, failed: 0, inFlight: 0 });
  });

  it("rejects a pulse on coil 8 of a 4-coil slave with pymodbus' illegal data address exception", async ({
    driverAgainstPymodbus,
  }) => {
    const { peer, driver } = await driverAgainstPymodbus(
      { unit: 1, coils: 4 },
      { unitId: 1, replyTimeoutMs: 2000 },
    );

    const err = await failureOf(driver.pulse(8, 50));

    expect(err).toBeInstanceOf(RelayError);
    expect(err).toMatchObject({
      code: "RELAY_FAILED",
      relayId: "peer-board",
      channel: 8,
      failure: "exception",
    });
    expect((err as RelayError).cause).toMatchObject({ code: 2, name: "illegal_data_address" });
    expect(driver.counters()).toMatchObject({ pulses: 1, failed: 1, exceptions: 1, timeouts: 0 });

    // The bus is free again: the next pulse on a coil that exists goes through.
    await driver.pulse(3, 50);
    // pymodbus logs in order, so coil 3's writes alone also prove coil 8 was never written.
    await vi.waitFor(() =>
      expect(peer.writes().map((w) => [w.address, w.value])).toEqual([
        [3, true],
        [3, false],
      ]),
    );
    expect(peer.received()).toContain("01050008ff00");
  });

  it("times out a pulse for unit 5 when pymodbus serves only unit 1 and ignores the frame", async ({
    driverAgainstPymodbus,
  }) => {
    const { peer, driver } = await driverAgainstPymodbus(
      { unit: 1, coils: 8 },
      { unitId: 5, replyTimeoutMs: 300 },
    );

    const err = await failureOf(driver.pulse(0, 50));

    expect(err).toBeInstanceOf(RelayError);
    expect(err).toMatchObject({ code: "RELAY_FAILED", channel: 0, failure: "timeout" });
    // pymodbus did read our request (unit 5, coil 0 on) and chose not to answer it.
    await vi.waitFor(() => expect(peer.received()).toContain("05050000ff00"));
    expect(peer.writes()).toEqual([]);
    expect(driver.counters()).toMatchObject({ failed: 1, timeouts: 1, exceptions: 0 });
  });
});

/** mbpoll as an RTU master at 9600 8N1, one poll (-1), coils (-t 0), 1-based reference (-r). */
function mbpoll(
  device: string,
  poll: {
    reference: number;
    count?: number;
    write?: readonly number[];
    unit?: number;
    timeoutS?: number;
    /** mbpoll -t: 0 coils (default), 4 holding registers. */
    table?: 0 | 4;
  },
): Promise<MbpollResult> {
  const args = [
    "-m",
    "rtu",
    "-a",
    String(poll.unit ?? 1),
    "-b",
    "9600",
    "-d",
    "8",
    "-s",
    "1",
    "-P",
    "none",
    "-t",
    String(poll.table ?? 0),
  ];
  args.push("-r", String(poll.reference), "-1");
  if (poll.count !== undefined) args.push("-c", String(poll.count));
  if (poll.timeoutS !== undefined) args.push("-o", String(poll.timeoutS));
  // Values after the device mean "write"; none means "read".
  args.push(device, ...(poll.write ?? []).map(String));
  return runMbpoll(args);
}

function output(result: MbpollResult): string {
  return `${result.stdout}\n${result.stderr}`;
}

describe("the simulator's Modbus board against mbpoll on a pty", () => {
  beforeAll(() => {
    requireSocat();
    requireMbpoll();
  });

  it("turns coil 0 on when mbpoll writes 1 to reference 1, and off when it writes 0", async ({
    boardOnPty,
  }) => {
    const { board, device } = await boardOnPty();

    const on = await mbpoll(device, { reference: 1, write: [1] });
    expect(on.code, output(on)).toBe(0);
    expect(on.stdout).toContain("Written 1 references");
    expect(board.isOn(0)).toBe(true);

    const off = await mbpoll(device, { reference: 1, write: [0] });
    expect(off.code, output(off)).toBe(0);
    expect(board.isOn(0)).toBe(false);

    expect(board.history.map((c) => [c.channel, c.on])).toEqual([
      [0, true],
      [0, false],
    ]);
    expect(board.counters()).toMatchObject({ requests: 2, replies: 2, exceptions: 0, discarded: 0 });
  });

  it("answers mbpoll's write to reference 9 (coil 8 of 8) with illegal data address, and counts it", async ({
    boardOnPty,
  }) => {
    const { board, device } = await boardOnPty();

    const result = await mbpoll(device, { reference: 9, write: [1] });

    expect(result.code).not.toBe(0);
    expect(output(result)).toMatch(/Illegal data address/i);
    expect(board.history).toEqual([]);
    expect(board.counters()).toMatchObject({ requests: 1, exceptions: 1 });
  });

  it("reads the coil states back to mbpoll (FC01): coil 1 on, the others off", async ({ boardOnPty }) => {
    const { board, device } = await boardOnPty();
    const setup = await mbpoll(device, { reference: 2, write: [1] });
    expect(setup.code, output(setup)).toBe(0);

    const result = await mbpoll(device, { reference: 1, count: 3 });

    expect(result.code, output(result)).toBe(0);
    expect(result.stdout).toMatch(/\[1\]:\s+0/);
    expect(result.stdout).toMatch(/\[2\]:\s+1/);
    expect(result.stdout).toMatch(/\[3\]:\s+0/);
    expect(board.isOn(1)).toBe(true);
    expect(board.counters()).toMatchObject({ requests: 2, replies: 2, exceptions: 0 });
  });

  it("answers mbpoll's read past the last coil with illegal data address", async ({ boardOnPty }) => {
    const { board, device } = await boardOnPty();

    const result = await mbpoll(device, { reference: 8, count: 2 });

    expect(result.code).not.toBe(0);
    expect(output(result)).toMatch(/Illegal data address/i);
    expect(board.counters()).toMatchObject({ requests: 1, exceptions: 1 });
  });

  it("stays silent to mbpoll's write for unit 2, as a board on a shared bus must, and counts it as foreign", async ({
    boardOnPty,
  }) => {
    const { board, device } = await boardOnPty();

    const result = await mbpoll(device, { reference: 1, write: [1], unit: 2, timeoutS: 0.3 });

    expect(result.code).not.toBe(0);
    expect(output(result)).toMatch(/timed out/i);
    expect(board.history).toEqual([]);
    expect(board.counters()).toMatchObject({ requests: 0, replies: 0, foreign: 1 });
  });

  it("writes two coils at once when mbpoll sends FC15, and answers with start and quantity", async ({
    boardOnPty,
  }) => {
    const { board, device } = await boardOnPty();

    const result = await mbpoll(device, { reference: 1, write: [1, 1] });

    expect(result.code, output(result)).toBe(0);
    expect(result.stdout).toContain("Written 2 references");
    expect(board.history.map((c) => [c.channel, c.on])).toEqual([
      [0, true],
      [1, true],
    ]);
    expect(board.counters()).toMatchObject({ requests: 1, replies: 1, exceptions: 0, discarded: 0 });
  });

  it("answers mbpoll's FC16 (write registers), which a relay board lacks, with illegal function", async ({
    boardOnPty,
  }) => {
    const { board, device } = await boardOnPty();

    const result = await mbpoll(device, { reference: 1, write: [5, 6], table: 4 });

    expect(result.code).not.toBe(0);
    expect(output(result)).toMatch(/Illegal function/i);
    expect(board.history).toEqual([]);
    expect(board.counters()).toMatchObject({ requests: 1, exceptions: 1, discarded: 0 });
  });
});
