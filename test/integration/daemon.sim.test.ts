import { describe, expect, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { SimSerialLineReader } from "../../firmware-sim/devices/serialLineReader.js";
import { listEvents } from "../../gateway/store/events.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";

describe("the gateway with the real drivers against simulated devices over tcp://127.0.0.1", () => {
  it("opens the pool gate (LCUS relay 1 on, then off) when a serial-line reader presents 1234567", async ({
    exampleStore: store,
    serialServer,
    gateway: startGateway,
  }) => {
    const readerServer = await serialServer();
    const relayServer = await serialServer();
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
    const gateway = await startGateway({
      config,
      gatewayId: "gw-1",
      clock: () => at("2027-03-22T10:00"),
      backoff: { baseMs: 20, factor: 2, capMs: 100, jitter: "none" },
    });
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
    expect(listEvents(store)).toEqual([
      expect.objectContaining({ decision: "grant", readerId: "pool-in", creditsDeducted: 1 }),
    ]);
    expect(listEvents(store)[0]).toHaveProperty("relayFailed", false);
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
