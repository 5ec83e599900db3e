import { connect, createServer, type Server, type Socket } from "node:net";
import { describe, expect, vi } from "vitest";
import { encodeLcus } from "../../drivers/codecs/lcus.js";
import { encodeWriteCoil } from "../../drivers/codecs/modbusRtu.js";
import { encodeRdm6300Frame } from "../../drivers/codecs/rdm6300.js";
import { loadSimConfig } from "../../firmware-sim/config.js";
import { type RelayEvent, Simulator, type SimulatorOptions } from "../../firmware-sim/simulator.js";
import { test } from "../harness/index.js";
import { ManualScheduler } from "../helpers/fakeTransport.js";

const hex = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString("hex");

/** A client standing where the gateway's transport would be: collects bytes, writes bytes. */
interface Peer {
  socket: Socket;
  received: () => Buffer;
  closed: () => boolean;
}

const CONFIG = `devices:
  - { id: pool-in, kind: serial-line-reader, expose: { tcp: 0 }, lineEnding: CR }
  - { id: hex-in, kind: serial-line-reader, expose: { tcp: 0 }, format: hex, lineEnding: LF }
  - { id: pool-out, kind: rdm6300, expose: { tcp: 0 } }
  - { id: board-1, kind: lcus-board, expose: { tcp: 0 }, channels: 2 }
  - { id: coils, kind: modbus-board, expose: { tcp: 0 }, coils: 4, unitId: 3 }
`;

const it = test
  /** A client standing where the gateway's transport would be, on a device's tcp:// port. */
  .extend("peer", ({ defer }) => async (where: string): Promise<Peer> => {
    const port = Number(new URL(where).port);
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let closed = false;
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => {});
    socket.on("close", () => {
      closed = true;
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    defer(() => {
      socket.destroy();
    });
    return { socket, received: () => Buffer.concat(chunks), closed: () => closed };
  })
  /** A started simulator of CONFIG (or `text`). */
  .extend(
    "startSim",
    ({ simulator }) =>
      (text = CONFIG, options: Partial<SimulatorOptions> = {}) =>
        simulator(text, options),
  );

const whereOf = (sim: Simulator, id: string) => sim.device(id).where();

describe("the simulator over TCP", () => {
  it("lists every device with where it listens, and sees the gateway connect", async ({ peer, startSim }) => {
    const sim = await startSim();
    const list = sim.list();
    expect(list.map((d) => [d.id, d.kind, d.role])).toEqual([
      ["pool-in", "serial-line-reader", "reader"],
      ["hex-in", "serial-line-reader", "reader"],
      ["pool-out", "rdm6300", "reader"],
      ["board-1", "lcus-board", "relay"],
      ["coils", "modbus-board", "relay"],
    ]);
    for (const d of list) expect(d.where).toMatch(/^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(list[0]).toMatchObject({ plugged: true, connected: false });
    await peer(list[0]?.where ?? "");
    await vi.waitFor(() => expect(sim.list()[0]?.connected).toBe(true));
  });

  it("prints cards on line readers in their format, and sends RDM6300 frames for decimal or hex tags", async ({
    peer,
    startSim,
  }) => {
    const sim = await startSim();
    const line = await peer(whereOf(sim, "pool-in"));
    const hexLine = await peer(whereOf(sim, "hex-in"));
    const rdm = await peer(whereOf(sim, "pool-out"));
    await vi.waitFor(() =>
      expect(
        sim
          .list()
          .slice(0, 3)
          .every((d) => d.connected),
      ).toBe(true),
    );
    expect(sim.present("pool-in", "0004215834")).toBe(true);
    expect(sim.present("hex-in", "4215834")).toBe(true);
    expect(sim.present("pool-out", "9357203")).toBe(true);
    expect(sim.present("pool-out", "008EC793")).toBe(true);
    await vi.waitFor(() => {
      expect(line.received().toString()).toBe("0004215834\r");
      expect(hexLine.received().toString()).toBe("0040541A\n");
      const frame = hex(encodeRdm6300Frame(9357203));
      expect(hex(rdm.received())).toBe(frame + frame);
    });
  });

  it("holds a tag at the RDM6300 (a frame per repeat) until released", async ({ peer, startSim }) => {
    const scheduler = new ManualScheduler();
    const sim = await startSim(CONFIG, { scheduler });
    const rdm = await peer(whereOf(sim, "pool-out"));
    await vi.waitFor(() => expect(sim.list()[2]?.connected).toBe(true));
    sim.hold("pool-out", "9357203");
    expect(scheduler.runNext()).toBe(true);
    expect(scheduler.runNext()).toBe(true);
    sim.release("pool-out");
    expect(scheduler.pending).toBe(0);
    const frame = hex(encodeRdm6300Frame(9357203));
    await vi.waitFor(() => expect(hex(rdm.received())).toBe(frame.repeat(3)));
  });

  it("reports relay changes of every board with the device id, time and how long the channel was held", async ({
    peer,
    startSim,
  }) => {
    let now = 1_000;
    const sim = await startSim(CONFIG, { clock: () => now });
    const events: RelayEvent[] = [];
    sim.on("relay", (e) => events.push(e));
    const lcus = await peer(whereOf(sim, "board-1"));
    const modbus = await peer(whereOf(sim, "coils"));
    lcus.socket.write(encodeLcus(1, true));
    await vi.waitFor(() => expect(events).toHaveLength(1));
    now = 2_002;
    lcus.socket.write(encodeLcus(1, false));
    modbus.socket.write(encodeWriteCoil(3, 2, true));
    await vi.waitFor(() => expect(events).toHaveLength(3));
    expect(events).toEqual([
      { deviceId: "board-1", channel: 1, on: true, at: 1_000, heldMs: null },
      { deviceId: "board-1", channel: 1, on: false, at: 2_002, heldMs: 1_002 },
      { deviceId: "coils", channel: 2, on: true, at: 2_002, heldMs: null },
    ]);
    // The Modbus board answers FC05 with the echo, as the real one does.
    await vi.waitFor(() => expect(hex(modbus.received())).toBe(hex(encodeWriteCoil(3, 2, true))));
    expect(sim.relayTable()).toEqual([
      { deviceId: "board-1", channel: 1, on: false, since: 2_002 },
      { deviceId: "board-1", channel: 2, on: false, since: null },
      { deviceId: "coils", channel: 0, on: false, since: null },
      { deviceId: "coils", channel: 1, on: false, since: null },
      { deviceId: "coils", channel: 2, on: true, since: 2_002 },
      { deviceId: "coils", channel: 3, on: false, since: null },
    ]);
  });

  it("unplugs a device (the gateway's connection drops, cards go nowhere) and replugs it on the same port", async ({
    peer,
    startSim,
  }) => {
    const sim = await startSim();
    const where = whereOf(sim, "pool-in");
    const first = await peer(where);
    await vi.waitFor(() => expect(sim.list()[0]?.connected).toBe(true));
    await sim.unplug("pool-in");
    await vi.waitFor(() => expect(first.closed()).toBe(true));
    expect(sim.list()[0]).toMatchObject({ plugged: false, connected: false });
    expect(sim.present("pool-in", "1")).toBe(false);
    await sim.replug("pool-in");
    expect(whereOf(sim, "pool-in")).toBe(where);
    const second = await peer(where);
    await vi.waitFor(() => expect(sim.list()[0]).toMatchObject({ plugged: true, connected: true }));
    expect(sim.present("pool-in", "1")).toBe(true);
    await vi.waitFor(() => expect(second.received().toString()).toBe("1\r"));
  });

  it("writes garbage raw: given bytes, or 8 from the random source", async ({ peer, startSim }) => {
    const sim = await startSim(CONFIG, { random: () => 0.5 });
    const line = await peer(whereOf(sim, "pool-in"));
    await vi.waitFor(() => expect(sim.list()[0]?.connected).toBe(true));
    expect(sim.garbage("pool-in", Uint8Array.from([0xff, 0x0d])).sent).toBe(true);
    const random = sim.garbage("pool-in");
    expect(hex(random.bytes)).toBe("80".repeat(8));
    await vi.waitFor(() => expect(hex(line.received())).toBe(`ff0d${"80".repeat(8)}`));
  });

  it("applies faults: delay holds writes back, drop loses them, disconnect unplugs on a cycle", async ({
    peer,
    startSim,
  }) => {
    const scheduler = new ManualScheduler();
    const sim = await startSim(
      `devices:
  - { id: slow, kind: serial-line-reader, expose: { tcp: 0 }, lineEnding: LF, faults: [{ delay: 200 }] }
  - { id: lossy, kind: serial-line-reader, expose: { tcp: 0 }, faults: [{ drop: 0.5 }] }
  - { id: flaky, kind: lcus-board, expose: { tcp: 0 }, faults: [{ disconnect: { everyMs: 5000, forMs: 1000 } }] }
`,
      { scheduler, random: () => 0.1 },
    );
    const slow = await peer(whereOf(sim, "slow"));
    await peer(whereOf(sim, "lossy"));
    await vi.waitFor(() => expect(sim.list()[1]?.connected).toBe(true));
    expect(sim.present("slow", "42")).toBe(true);
    expect(sim.present("lossy", "42")).toBe(false);
    // The disconnect cycle's first timer, then the delayed write.
    expect(scheduler.pending).toBe(2);
    expect(slow.received().length).toBe(0);
    scheduler.runNext();
    await vi.waitFor(() => expect(sim.list()[2]?.plugged).toBe(false));
    scheduler.runNext();
    await vi.waitFor(() => expect(slow.received().toString()).toBe("42\n"));
    // Unplugged for forMs, then back.
    await vi.waitFor(() => expect(scheduler.pending).toBe(1));
    scheduler.runNext();
    await vi.waitFor(() => expect(sim.list()[2]?.plugged).toBe(true));
  });

  it("unplugs a reader when a disconnect fault fires after N writes, and replugs it forMs later", async ({
    peer,
    startSim,
  }) => {
    const scheduler = new ManualScheduler();
    const sim = await startSim(
      "devices:\n  - { id: r, kind: serial-line-reader, expose: { tcp: 0 }, faults: [{ disconnect: { afterFrames: 1, forMs: 300 } }] }\n",
      { scheduler },
    );
    await peer(whereOf(sim, "r"));
    await vi.waitFor(() => expect(sim.list()[0]?.connected).toBe(true));
    expect(sim.present("r", "1")).toBe(true);
    // The second write pulls the plug and is lost with it.
    expect(sim.present("r", "2")).toBe(false);
    await vi.waitFor(() => expect(sim.list()[0]?.plugged).toBe(false));
    expect(scheduler.runNext()).toBe(true);
    await vi.waitFor(() => expect(sim.list()[0]?.plugged).toBe(true));
  });

  it("refuses unknown devices and cards a reader cannot read, naming what exists", async ({ startSim }) => {
    const sim = await startSim();
    expect(() => sim.present("gym", "1")).toThrow(
      /no device "gym" \(the simulator has: pool-in, hex-in, pool-out, board-1, coils\)/,
    );
    expect(() => sim.present("board-1", "1")).toThrow(/"board-1" is a lcus-board, not a reader/);
    expect(() => sim.present("pool-out", "ada")).toThrow(/pool-out: "ada" is not an EM4100 tag/);
    expect(() => sim.hold("pool-in", "1")).toThrow(/cannot hold it; use present/);
  });

  it("refuses a kind it cannot build, and stops what it started when a port is taken", async ({ defer }) => {
    expect(() => new Simulator({ config: loadSimConfig("sim.yaml", CONFIG), registry: {} })).toThrow(
      /devices\[0\] \(pool-in\): kind "serial-line-reader" is not available/,
    );
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    defer(() => new Promise<void>((r) => blocker.close(() => r())));
    const taken = (blocker.address() as { port: number }).port;
    const sim = new Simulator({
      config: loadSimConfig(
        "sim.yaml",
        `devices:\n  - { id: a, kind: lcus-board, expose: { tcp: 0 } }\n  - { id: b, kind: lcus-board, expose: { tcp: ${taken} } }\n`,
      ),
    });
    await expect(sim.start()).rejects.toThrow(/EADDRINUSE/);
    expect(sim.list()[0]?.plugged).toBe(false);
  });
});
