/**
 * "One reader that floods or disconnects never delays the others" (issue 3), and one relay that
 * hangs never holds up another door: a flood of garbage on one line, a reader whose server is
 * unplugged, and a Modbus board that never answers, all while a member walks in at another door.
 * Ordering is asserted, never wall-clock time.
 */
import { describe, expect, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { SimSerialLineReader } from "../../firmware-sim/devices/serialLineReader.js";
import { listEvents } from "../../gateway/store/events.js";
import { it } from "../harness/index.js";
import { at, clockFrom } from "../helpers/build.js";

describe("the gateway keeps readers and doors independent", () => {
  it("grants at one door while another reader floods, a third is unplugged and a relay never answers", async ({
    exampleStore: store,
    defer,
    serialServer,
    gateway: startGateway,
  }) => {
    const [goodLine, floodLine, goneLine, lcusLine, deadModbusLine] = await Promise.all([
      serialServer(),
      serialServer(),
      serialServer(),
      serialServer(),
      serialServer(),
    ]);
    const good = new SimSerialLineReader({ link: goodLine, lineEnding: "CR" });
    good.start();
    const flood = new SimSerialLineReader({ link: floodLine, lineEnding: "CR" });
    flood.start();
    const lcus = new SimLcusBoard({ link: lcusLine });
    lcus.start();
    // deadModbusLine accepts the connection but no board answers on it.
    const config = GatewayConfig.parse({
      readers: [
        {
          id: "gym-in",
          driver: "serial-line",
          port: goodLine.target,
          area: "gym",
          direction: "in",
          door: "gym",
        },
        {
          id: "studio-in",
          driver: "serial-line",
          port: floodLine.target,
          area: "studio",
          direction: "in",
          door: "studio",
        },
        { id: "pool-in", driver: "serial-line", port: goneLine.target, area: "pool", direction: "in" },
      ],
      doors: [
        { id: "gym", relay: "lcus", channel: 1, pulseMs: 100 },
        { id: "studio", relay: "modbus", channel: 0, pulseMs: 100 },
      ],
      relays: [
        { id: "lcus", driver: "lcus-serial", port: lcusLine.target },
        { id: "modbus", driver: "modbus-rtu", port: deadModbusLine.target },
      ],
    });
    const gateway = await startGateway({
      config,
      gatewayId: "gw-iso",
      clock: clockFrom(at("2027-03-22T10:00")),
      backoff: { baseMs: 20, factor: 2, capMs: 100, jitter: "none" },
    });
    await vi.waitFor(
      () => expect(gateway.status().readers.map((r) => r.state)).toEqual(["open", "open", "open"]),
      { timeout: 3000 },
    );
    await goneLine.unplug(); // pool-in: the gateway retries it forever from now on

    // Bruno (7654321, gym flex) enters the studio: the Modbus board never answers, so that pulse
    // hangs until its reply timeout. Meanwhile the studio reader floods the line with garbage.
    flood.present("7654321");
    let flooding = true;
    let floodWrites = 0;
    const pump = async () => {
      while (flooding) {
        flood.garbage(`${"Z".repeat(200)}\r${"9".repeat(70)}\r`.repeat(50));
        floodWrites++;
        await new Promise((r) => setImmediate(r));
      }
    };
    const pumping = pump();
    defer(async () => {
      flooding = false;
      await pumping;
    });
    await vi.waitFor(() => expect(gateway.status().readers[1]?.counters.grants).toBe(1), { timeout: 3000 });

    // Bruno goes on to the gym during all of that: the gym door opens.
    good.present("7654321");
    await vi.waitFor(
      () =>
        expect(lcus.history.map((c) => [c.channel, c.on])).toEqual([
          [1, true],
          [1, false],
        ]),
      {
        timeout: 5000,
      },
    );
    expect(floodWrites).toBeGreaterThan(0);
    flooding = false;
    await pumping;

    // The hung Modbus pulse fails in the end (reply timeout), and Bruno's studio entry is undone.
    await vi.waitFor(
      () => expect(gateway.status().relays.find((r) => r.id === "modbus")?.relayFailures).toBe(1),
      { timeout: 5000 },
    );
    const events = listEvents(store);
    expect(events.map((e) => [e.readerId, e.decision])).toEqual([
      ["studio-in", "grant"],
      ["gym-in", "grant"],
    ]);
    const status = gateway.status();
    expect(status.readers[2]?.state).not.toBe("open");
    expect(status.readers[1]).toMatchObject({ counters: { scans: 1, errors: 0 } });
    expect(status.state).toBe("running");
  });
});
