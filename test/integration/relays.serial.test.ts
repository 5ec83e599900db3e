import { SerialPort } from "serialport";
import { beforeAll, describe, expect, vi } from "vitest";
import { decodeLcus, LcusFrameSplitter } from "../../drivers/codecs/lcus.js";
import {
  decodeRequest,
  encodeException,
  FC_WRITE_SINGLE_COIL,
  rtuFrameLength,
  type WriteCoilRequest,
} from "../../drivers/codecs/modbusRtu.js";
import { createRelay } from "../../drivers/relays/createRelay.js";
import type { RelayDriver } from "../../drivers/relays/relayDriver.js";
import { openTransport } from "../../drivers/transport/transport.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { type Defer, test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import { requireSocat, startPtyPair } from "../helpers/socat.js";

/** Opens the device end of a pty pair with serialport, as the board would sit there. */
async function openPeer(
  defer: Defer,
  path: string,
  onData: (bytes: Uint8Array, port: SerialPort) => void,
): Promise<void> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  port.on("data", (b: Buffer) => onData(new Uint8Array(b), port));
  port.on("error", () => {});
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  defer(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())));
}

/** A pty pair with `device` on the far end and a started relay driver on the near end. */
async function wire(
  defer: Defer,
  config: Parameters<typeof createRelay>[0],
  device: (bytes: Uint8Array, port: SerialPort) => void,
  replyTimeoutMs?: number,
): Promise<RelayDriver> {
  const pair = await startPtyPair();
  defer(() => pair.stop());
  await openPeer(defer, pair.b, device);
  const relay = createRelay({ ...config, port: pair.a } as Parameters<typeof createRelay>[0], {
    restingStates: () => [],
    logger: silentLogger(),
    transportFactory: openTransport,
    scheduler: realScheduler,
    ...(replyTimeoutMs ? { replyTimeoutMs } : {}),
  });
  relay.start();
  defer(() => relay.stop());
  await vi.waitFor(() => expect(relay.health().state).toBe("open"), { timeout: 3000 });
  return relay;
}

const it = test.extend(
  "wire",
  ({ defer }) =>
    (
      config: Parameters<typeof createRelay>[0],
      device: (bytes: Uint8Array, port: SerialPort) => void,
      replyTimeoutMs?: number,
    ) =>
      wire(defer, config, device, replyTimeoutMs),
);

/** A Modbus board that echoes FC05 requests for its unit, answering coil 9 with exception 2. */
function modbusDevice(unit: number, seen: WriteCoilRequest[]): (bytes: Uint8Array, port: SerialPort) => void {
  let buffer: number[] = [];
  return (bytes, port) => {
    buffer.push(...bytes);
    for (;;) {
      const length = rtuFrameLength(Uint8Array.from(buffer));
      if (length === "need_more" || (typeof length === "number" && buffer.length < length)) return;
      if (length === "unknown") {
        buffer = buffer.slice(1);
        continue;
      }
      const frame = Uint8Array.from(buffer.slice(0, length));
      buffer = buffer.slice(length);
      const request = decodeRequest(frame);
      if (!request.ok || request.unit !== unit) continue;
      seen.push({ unit: request.unit, coil: request.coil, on: request.on });
      port.write(Buffer.from(request.coil === 9 ? encodeException(unit, FC_WRITE_SINGLE_COIL, 2) : frame));
    }
  };
}

describe("serial relay drivers over socat pseudo-terminals", () => {
  beforeAll(() => {
    requireSocat();
  });

  it("LCUS: a pulse reaches the board as ON then, after the pulse, OFF", async ({ wire }) => {
    const splitter = new LcusFrameSplitter();
    const seen: { frame: string; at: number }[] = [];
    const relay = await wire(
      { id: "gate", driver: "lcus-serial", port: "", baudRate: 9600, frameGapMs: 100 },
      (bytes) => {
        for (const f of splitter.push(bytes)) {
          const c = decodeLcus(f);
          if (c.ok) seen.push({ frame: `ch${c.channel}-${c.on ? "on" : "off"}`, at: Date.now() });
        }
      },
    );
    await relay.pulse(2, 150);
    await vi.waitFor(() => expect(seen.map((s) => s.frame)).toEqual(["ch2-on", "ch2-off"]), {
      timeout: 3000,
    });
    const [on, off] = seen;
    expect((off?.at ?? 0) - (on?.at ?? 0)).toBeGreaterThanOrEqual(100);
    expect(relay.counters()).toMatchObject({ pulses: 1, completed: 1, failed: 0 });
  });

  it("Modbus: a pulse is confirmed by the board's echoes for coil on and coil off", async ({ wire }) => {
    const seen: WriteCoilRequest[] = [];
    const relay = await wire(
      { id: "turnstile", driver: "modbus-rtu", port: "", unitId: 1, baudRate: 9600 },
      modbusDevice(1, seen),
    );
    await relay.pulse(0, 100);
    expect(seen).toEqual([
      { unit: 1, coil: 0, on: true },
      { unit: 1, coil: 0, on: false },
    ]);
  });

  it("Modbus: the board's exception for coil 9 rejects the pulse with RELAY_FAILED", async ({ wire }) => {
    const seen: WriteCoilRequest[] = [];
    const relay = await wire(
      { id: "turnstile", driver: "modbus-rtu", port: "", unitId: 1, baudRate: 9600 },
      modbusDevice(1, seen),
    );
    await expect(relay.pulse(9, 100)).rejects.toMatchObject({
      code: "RELAY_FAILED",
      relayId: "turnstile",
      channel: 9,
      failure: "exception",
      message: expect.stringContaining("illegal_data_address"),
    });
    expect(seen).toEqual([{ unit: 1, coil: 9, on: true }]);
    // The bus is free again afterwards.
    await relay.pulse(1, 50);
    expect(relay.counters()).toMatchObject({ pulses: 2, completed: 1, failed: 1, exceptions: 1 });
  });

  it("Modbus: a board that does not answer our unit id times out with RELAY_FAILED", async ({ wire }) => {
    const seen: WriteCoilRequest[] = [];
    const relay = await wire(
      { id: "turnstile", driver: "modbus-rtu", port: "", unitId: 7, baudRate: 9600 },
      modbusDevice(1, seen),
      200,
    );
    await expect(relay.pulse(0, 100)).rejects.toMatchObject({ code: "RELAY_FAILED", failure: "timeout" });
    expect(relay.counters()).toMatchObject({ timeouts: 1 });
  });
});
