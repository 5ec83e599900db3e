import { connect, type Socket } from "node:net";
import { describe, expect, vi } from "vitest";
import { encodeLcus } from "../../drivers/codecs/lcus.js";
import { crc16modbus, encodeException, encodeWriteCoil } from "../../drivers/codecs/modbusRtu.js";
import { encodeRdm6300Frame } from "../../drivers/codecs/rdm6300.js";
import { applyFaults, drop, garble } from "../../firmware-sim/devices/faults.js";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { SimModbusBoard } from "../../firmware-sim/devices/modbusBoard.js";
import { SimRdm6300Module } from "../../firmware-sim/devices/rdm6300Module.js";
import { buzzerCountOf, displayTextOf } from "../../firmware-sim/devices/readerDisplay.js";
import type { RelayChange } from "../../firmware-sim/devices/relayState.js";
import { type DeviceLink, SerialDeviceServer } from "../../firmware-sim/devices/serialDeviceServer.js";
import { SimSerialLineReader } from "../../firmware-sim/devices/serialLineReader.js";
import { test } from "../harness/index.js";
import { ManualScheduler } from "../helpers/fakeTransport.js";

/** A DeviceLink whose other end is the test. */
class FakeLink implements DeviceLink {
  readonly written: Uint8Array[] = [];
  private readonly listeners = new Set<(bytes: Uint8Array) => void>();
  write(bytes: Uint8Array): boolean {
    this.written.push(Uint8Array.from(bytes));
    return true;
  }
  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  push(bytes: Uint8Array): void {
    for (const l of this.listeners) l(bytes);
  }
  text(): string[] {
    return this.written.map((b) => new TextDecoder().decode(b));
  }
}

const hex = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString("hex");
const withCrc = (body: number[]) => {
  const crc = crc16modbus(Uint8Array.from(body));
  return Uint8Array.from([...body, crc & 0xff, crc >> 8]);
};

/**
 * A client on a loopback port (where the gateway's transport would be): what it received, and whether it
 * closed.
 */
const it = test.extend(
  "client",
  ({ defer }) =>
    async (port: number): Promise<{ socket: Socket; received: number[]; closed: () => boolean }> => {
      const socket = connect({ host: "127.0.0.1", port });
      const received: number[] = [];
      let closed = false;
      socket.on("data", (b: Buffer) => received.push(...b));
      socket.on("error", () => {});
      socket.on("close", () => {
        closed = true;
      });
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      defer(() => {
        socket.destroy();
      });
      return { socket, received, closed: () => closed };
    },
);

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(true));
  });
}

describe("SerialDeviceServer", () => {
  it("listens on an ephemeral loopback port and passes bytes both ways with one client", async ({
    defer,
    client,
  }) => {
    const server = new SerialDeviceServer();
    defer(() => server.stop());
    const port = await server.start();
    expect(port).toBeGreaterThan(0);
    expect(server.target).toBe(`tcp://127.0.0.1:${port}`);
    expect(server.write(Uint8Array.of(1))).toBe(false);

    const seen: number[] = [];
    server.onData((b) => seen.push(...b));
    const c = await client(port);
    await vi.waitFor(() => expect(server.connected).toBe(true));
    c.socket.write(Uint8Array.of(7, 8));
    expect(server.write(Uint8Array.of(9))).toBe(true);

    await vi.waitFor(() => expect(seen).toEqual([7, 8]));
    await vi.waitFor(() => expect(c.received).toEqual([9]));
  });

  it("replaces the first client when a second one connects", async ({ defer, client }) => {
    const server = new SerialDeviceServer();
    defer(() => server.stop());
    const port = await server.start();
    const first = await client(port);
    await vi.waitFor(() => expect(server.connected).toBe(true));
    const second = await client(port);

    await vi.waitFor(() => expect(first.closed()).toBe(true));
    server.write(Uint8Array.of(5));
    await vi.waitFor(() => expect(second.received).toEqual([5]));
  });

  it("drops the client and refuses connections while unplugged, and accepts again on the same port", async ({
    defer,
    client,
  }) => {
    const server = new SerialDeviceServer();
    defer(() => server.stop());
    const port = await server.start();
    const c = await client(port);
    await vi.waitFor(() => expect(server.connected).toBe(true));

    await server.unplug();
    await vi.waitFor(() => expect(c.closed()).toBe(true));
    expect(server.plugged).toBe(false);
    expect(await refused(port)).toBe(true);

    await server.replug();
    expect(server.port).toBe(port);
    await client(port);
    await vi.waitFor(() => expect(server.connected).toBe(true));

    await server.stop();
    await server.replug();
    expect(await refused(port)).toBe(true);
  });
});

describe("faults", () => {
  it("drops a write when random falls below the probability, and passes it otherwise", () => {
    const bytes = Uint8Array.of(1, 2, 3);
    expect(drop(0.5, () => 0.4)(bytes)).toBeNull();
    expect(drop(0.5, () => 0.5)(bytes)).toBe(bytes);
  });

  it("garbles exactly one byte of a copy and leaves the input untouched", () => {
    const bytes = Uint8Array.of(0x30, 0x31, 0x32, 0x33);
    const out = garble(1, () => 0.5)(bytes);
    expect(hex(out ?? undefined)).toBe("3031b233");
    expect(hex(bytes)).toBe("30313233");
    expect(garble(0.1, () => 0.5)(bytes)).toBe(bytes);
  });

  it("chains faults in order and stops at the first drop", () => {
    const bytes = Uint8Array.of(1);
    expect(applyFaults([], bytes)).toBe(bytes);
    const after = vi.fn((b: Uint8Array) => b);
    expect(applyFaults([drop(1, () => 0), after], bytes)).toBeNull();
    expect(after).not.toHaveBeenCalled();
  });
});

describe("SimSerialLineReader", () => {
  it.each([
    ["CR", "decimal", 12345678, "12345678\r"],
    ["LF", "hex", 0xab12, "0000AB12\n"],
    ["CRLF", "fc-cn", (123 << 16) | 4567, "123:04567\r\n"],
    ["CRLF", "decimal", "  0042 ", "  0042 \r\n"],
  ] as const)("ends a %s line for a %s reader presenting %s", (lineEnding, format, card, line) => {
    const link = new FakeLink();
    const reader = new SimSerialLineReader({ link, format, lineEnding });
    reader.start();
    reader.present(card);
    expect(link.text()).toEqual([line]);
  });

  it("injects raw garbage and writes nothing while powered off", () => {
    const link = new FakeLink();
    const reader = new SimSerialLineReader({ link });
    expect(reader.present(1)).toBe(false);
    reader.start();
    reader.garbage(Uint8Array.of(0xff, 0x00));
    reader.garbage("12");
    expect(link.written.map(hex)).toEqual(["ff00", "3132"]);
    reader.stop();
    expect(reader.garbage("x")).toBe(false);
  });

  it("sends nothing when a drop fault eats the line", () => {
    const link = new FakeLink();
    const reader = new SimSerialLineReader({ link, faults: [drop(1, () => 0)] });
    reader.start();
    expect(reader.present(5)).toBe(false);
    expect(link.written).toEqual([]);
  });
});

describe("SimRdm6300Module", () => {
  const frame = hex(encodeRdm6300Frame(0x008ec793));

  it("writes one frame per presentation", () => {
    const link = new FakeLink();
    const module = new SimRdm6300Module({ link, scheduler: new ManualScheduler() });
    module.start();
    module.present(0x008ec793);
    expect(link.written.map(hex)).toEqual([frame]);
  });

  it("repeats the frame every 100 ms while held for 1 s: 10 frames, then the hold resolves", async () => {
    const link = new FakeLink();
    const scheduler = new ManualScheduler();
    const module = new SimRdm6300Module({ link, scheduler });
    module.start();
    const held = module.hold(0x008ec793, 1000);
    while (scheduler.runNext()) {}
    await held;
    expect(link.written.map(hex)).toEqual(Array(10).fill(frame));
    expect(module.held).toBe(false);
  });

  it("stops repeating and resolves the hold when released", async () => {
    const link = new FakeLink();
    const scheduler = new ManualScheduler();
    const module = new SimRdm6300Module({ link, scheduler });
    module.start();
    const held = module.hold(0x008ec793, 1000, 50);
    scheduler.runNext();
    module.release();
    await held;
    expect(scheduler.pending).toBe(0);
    expect(module.framesSent).toBe(2);
  });
});

describe("SimLcusBoard", () => {
  it("records each relay change with the injected clock and emits it", () => {
    let now = 1000;
    const link = new FakeLink();
    const board = new SimLcusBoard({ link, clock: () => now });
    const changes: RelayChange[] = [];
    board.on("change", (c) => changes.push(c));
    board.start();

    link.push(encodeLcus(2, true));
    link.push(encodeLcus(2, true));
    now = 1200;
    link.push(encodeLcus(2, false));

    expect(changes).toEqual([
      { channel: 2, on: true, at: 1000 },
      { channel: 2, on: false, at: 1200 },
    ]);
    expect(board.history).toEqual(changes);
    expect(board.commands).toBe(3);
  });

  it("drops a command that comes within dropWithinMs of the last one it took, as real boards do", () => {
    let now = 0;
    const link = new FakeLink();
    const board = new SimLcusBoard({ link, clock: () => now, dropWithinMs: 100 });
    board.start();
    link.push(encodeLcus(1, true));
    now = 40;
    link.push(encodeLcus(2, true));
    now = 100;
    link.push(encodeLcus(2, true));
    expect(board.history.map((c) => [c.channel, c.on])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(board.droppedTooSoon).toBe(1);
    expect(board.commands).toBe(2);
  });

  it("counts checksum-valid frames that are not commands as bad, and resyncs after noise", () => {
    const link = new FakeLink();
    const board = new SimLcusBoard({ link, clock: () => 0 });
    board.start();
    // Channel 0, then op 2, then noise, then a command split across two chunks.
    link.push(Uint8Array.of(0xa0, 0x00, 0x01, 0xa1, 0xa0, 0x01, 0x02, 0xa3, 0x55));
    link.push(encodeLcus(3, true).subarray(0, 2));
    link.push(encodeLcus(3, true).subarray(2));
    expect(board.badFrames).toBe(2);
    expect(board.discardedBytes).toBe(1);
    expect(board.isOn(3)).toBe(true);
  });
});

describe("SimModbusBoard", () => {
  function board(options: Partial<ConstructorParameters<typeof SimModbusBoard>[0]> = {}) {
    const link = new FakeLink();
    const sim = new SimModbusBoard({ link, clock: () => 42, ...options });
    sim.start();
    return { link, sim };
  }

  it("echoes FC05 for an existing coil and records the change", () => {
    const { link, sim } = board();
    const changes: RelayChange[] = [];
    sim.on("change", (c) => changes.push(c));
    const request = encodeWriteCoil(1, 7, true);
    link.push(request.subarray(0, 3));
    link.push(request.subarray(3));
    expect(link.written.map(hex)).toEqual([hex(request)]);
    expect(changes).toEqual([{ channel: 7, on: true, at: 42 }]);
  });

  it.each([
    ["a coil beyond the count", encodeWriteCoil(1, 8, true), encodeException(1, 5, 2)],
    ["a function a relay board lacks (FC03)", withCrc([1, 0x03, 0, 0, 0, 8]), encodeException(1, 3, 1)],
    ["a read of coils past the last one", withCrc([1, 0x01, 0, 6, 0, 3]), encodeException(1, 1, 2)],
    ["a read of 0 coils", withCrc([1, 0x01, 0, 0, 0, 0]), encodeException(1, 1, 3)],
    [
      "an FC15 whose byte count does not fit",
      withCrc([1, 0x0f, 0, 0, 0, 9, 1, 0xff]),
      encodeException(1, 15, 3),
    ],
    ["a value other than FF00/0000", withCrc([1, 0x05, 0, 1, 0x12, 0x34]), encodeException(1, 5, 3)],
  ])("answers %s with an exception", (_what, request, reply) => {
    const { link, sim } = board();
    link.push(request);
    expect(link.written.map(hex)).toEqual([hex(reply)]);
    expect(sim.history).toEqual([]);
  });

  it("writes several coils with FC15 (bits LSB first) and answers with start and quantity", () => {
    const { link, sim } = board();
    // Coils 2..4 := on, off, on (0b101).
    link.push(withCrc([1, 0x0f, 0, 2, 0, 3, 1, 0b101]));
    expect(link.written.map(hex)).toEqual([hex(withCrc([1, 0x0f, 0, 2, 0, 3]))]);
    expect(sim.history.map((c) => [c.channel, c.on])).toEqual([
      [2, true],
      [4, true],
    ]);
  });

  it("reads coil states with FC01, LSB first, after an FC05 turned coil 1 on", () => {
    const { link } = board();
    link.push(encodeWriteCoil(1, 1, true));
    link.push(withCrc([1, 0x01, 0, 0, 0, 8]));
    expect(link.written.map(hex).slice(1)).toEqual([hex(withCrc([1, 0x01, 1, 0b10]))]);
  });

  it("honours a configured coil count", () => {
    const { link } = board({ coils: 16 });
    link.push(encodeWriteCoil(1, 12, true));
    expect(link.written.map(hex)).toEqual([hex(encodeWriteCoil(1, 12, true))]);
  });

  it("ignores other units, applies broadcasts silently, and resyncs after noise", () => {
    const { link, sim } = board({ unitId: 4 });
    link.push(encodeWriteCoil(5, 0, true));
    link.push(encodeWriteCoil(0, 1, true));
    link.push(Uint8Array.of(0x04, 0x05, 0x99));
    link.push(encodeWriteCoil(4, 2, true));
    expect(link.written.map(hex)).toEqual([hex(encodeWriteCoil(4, 2, true))]);
    expect(sim.history.map((c) => c.channel)).toEqual([1, 2]);
    expect(sim.counters()).toMatchObject({ foreign: 1, replies: 1, discarded: 3 });
  });

  it("applies the command but sends no reply when a drop fault eats it", () => {
    const { link, sim } = board({ faults: [drop(1, () => 0)] });
    link.push(encodeWriteCoil(1, 0, true));
    expect(link.written).toEqual([]);
    expect(sim.isOn(0)).toBe(true);
  });
});

describe("D6: what a simulated Tasmota makes of Buzzer and DisplayText", () => {
  it("D6: counts beeps as Tasmota's Buzzer <count>,<beep>,<silence>,<tune> does, and refuses garbage", () => {
    expect([buzzerCountOf(""), buzzerCountOf("1"), buzzerCountOf("3"), buzzerCountOf("2,3,4")]).toEqual([
      1, 1, 3, 2,
    ]);
    expect(buzzerCountOf("0")).toBe(0);
    expect(buzzerCountOf("loud")).toBeNull();
  });

  it("D6: shows DisplayText without its [..] display commands", () => {
    expect(displayTextOf("[z]Piscina apre alle 08:00")).toBe("Piscina apre alle 08:00");
    expect(displayTextOf("[x0y10]Ciao [C2]Ada")).toBe("Ciao Ada");
  });
});
