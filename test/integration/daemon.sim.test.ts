import { afterEach, describe, expect, it, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { SerialDeviceServer } from "../../firmware-sim/devices/serialDeviceServer.js";
import { SimSerialLineReader } from "../../firmware-sim/devices/serialLineReader.js";
import { Gateway } from "../../gateway/daemon.js";
import { listEvents } from "../../gateway/store/events.js";
import { at } from "../helpers/build.js";
import { silentLogger } from "../helpers/logs.js";
import { freshStore, importExamples } from "../store/storeHelpers.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startServer(): Promise<SerialDeviceServer> {
  const server = new SerialDeviceServer();
  await server.start();
  cleanups.push(() => server.stop());
  return server;
}

describe("the gateway with the real drivers against simulated devices over tcp://127.0.0.1", () => {
  it("opens the pool gate (LCUS relay 1 on, then off) when a serial-line reader presents 1234567", async () => {
    const t = freshStore();
    cleanups.push(() => t.close());
    importExamples(t.store);
    const readerServer = await startServer();
    const relayServer = await startServer();
    const device = new SimSerialLineReader({ link: readerServer, lineEnding: "CR" });
    device.start();
    const board = new SimLcusBoard({ link: relayServer });
    board.start();
    const config = GatewayConfig.parse({
      readers: [
        {
          id: "pool-in",
          driver: "serial-line",
          port: readerServer.target,
          area: "pool",
          direction: "in",
          door: "pool-gate",
        },
      ],
      doors: [{ id: "pool-gate", relay: "doors", channel: 1, pulseMs: 200 }],
      relays: [{ id: "doors", driver: "lcus-serial", port: relayServer.target }],
    });
    const gateway = new Gateway({
      config,
      store: t.store,
      gatewayId: "gw-1",
      logger: silentLogger(),
      clock: () => at("2027-03-22T10:00"),
      backoff: { baseMs: 20, factor: 2, capMs: 100, jitter: "none" },
    });
    await gateway.start();
    cleanups.push(() => gateway.stop());
    await vi.waitFor(
      () => {
        expect(readerServer.connected).toBe(true);
        expect(gateway.status().relays[0]?.state).toBe("open");
      },
      { timeout: 3000 },
    );

    expect(device.present("1234567")).toBe(true);

    await vi.waitFor(
      () =>
        expect(board.history.map((c) => [c.channel, c.on])).toEqual([
          [1, true],
          [1, false],
        ]),
      { timeout: 3000 },
    );
    expect(listEvents(t.store)).toEqual([
      expect.objectContaining({ decision: "grant", readerId: "pool-in", creditsDeducted: 1 }),
    ]);
    expect(listEvents(t.store)[0]).toHaveProperty("relayFailed", false);
    expect(gateway.status().readers[0]).toMatchObject({
      state: "open",
      counters: { scans: 1, grants: 1, relayFailures: 0 },
      lastScan: { card: "…4567", decision: "grant", reason: "ok", relayFailed: false },
      driverCounters: { cards: 1, bytes: 8, rejected: {} },
    });
    await vi.waitFor(() =>
      expect(gateway.status().relays[0]).toMatchObject({
        state: "open",
        pulses: 1,
        driverCounters: { pulses: 1, completed: 1, failed: 0, inFlight: 0 },
      }),
    );
    await gateway.stop();
    expect(gateway.status().state).toBe("stopped");
  });
});
