/**
 * The whole chain through real pseudo-terminals and the real `serialport` package:
 * simulated reader → gateway (real drivers, real store) → simulated relay board, for serial-line,
 * rdm6300, lcus-serial and modbus-rtu. Unplugging a device kills its pty pair; replugging makes it
 * again on the same path, and the gateway reconnects and decides again without a restart.
 */
import { SerialPort } from "serialport";
import { beforeAll, describe, expect, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { Listeners } from "../../drivers/transport/listeners.js";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { SimModbusBoard } from "../../firmware-sim/devices/modbusBoard.js";
import { SimRdm6300Module } from "../../firmware-sim/devices/rdm6300Module.js";
import type { DeviceLink } from "../../firmware-sim/devices/serialDeviceServer.js";
import { SimSerialLineReader } from "../../firmware-sim/devices/serialLineReader.js";
import { listEvents } from "../../gateway/store/events.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { test } from "../harness/index.js";
import { at, clockFrom } from "../helpers/build.js";
import { type PtyPair, requireSocat, startPtyPair } from "../helpers/socat.js";

beforeAll(() => requireSocat());

/**
 * The device end of a pty pair, opened with the real serialport package; survives unplug/replug
 * (the pty pair is made again on the same link paths and the port reopened).
 */
class PtyDevice implements DeviceLink {
  private pair: PtyPair | undefined;
  private port: SerialPort | undefined;
  private readonly listeners = new Listeners<{ data: (bytes: Uint8Array) => void }>();

  constructor(private readonly links: { a: string; b: string }) {}

  /** The path the gateway opens. */
  get path(): string {
    return this.links.b;
  }

  async plug(): Promise<void> {
    this.pair = await startPtyPair(this.links);
    const port = new SerialPort({ path: this.links.a, baudRate: 9600, autoOpen: false });
    port.on("error", () => {});
    port.on("data", (chunk: Buffer) => this.listeners.emit("data", new Uint8Array(chunk)));
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.port = port;
  }

  async unplug(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    await this.pair?.stop();
    this.pair = undefined;
  }

  write(bytes: Uint8Array): boolean {
    if (!this.port?.isOpen) return false;
    this.port.write(Buffer.from(bytes));
    return true;
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    return this.listeners.on("data", listener);
  }
}

/** A plugged pty device whose links are `name-device` and `name` in the test's folder, unplugged after it. */
const it = test.extend("device", ({ folder, defer }) => async (name: string): Promise<PtyDevice> => {
  const d = new PtyDevice({ a: `${folder.dir}/${name}-device`, b: `${folder.dir}/${name}` });
  await d.plug();
  defer(() => d.unplug());
  return d;
});

describe("the gateway over real pseudo-terminals (socat + serialport)", () => {
  it("serial-line and RDM6300 readers open LCUS and Modbus relays; unplugged devices come back without a restart", async ({
    exampleStore: store,
    defer,
    device,
    gateway: startGateway,
  }) => {
    const inPty = await device("pool-in");
    const outPty = await device("pool-out");
    const lcusPty = await device("lcus");
    const modbusPty = await device("modbus");
    const lineReader = new SimSerialLineReader({ link: inPty, lineEnding: "CRLF" });
    lineReader.start();
    const rdm = new SimRdm6300Module({ link: outPty, scheduler: realScheduler });
    rdm.start();
    defer(() => rdm.stop());
    const lcus = new SimLcusBoard({ link: lcusPty });
    lcus.start();
    const modbus = new SimModbusBoard({ link: modbusPty, unitId: 3 });
    modbus.start();

    const config = GatewayConfig.parse({
      readers: [
        {
          id: "pool-in",
          driver: "serial-line",
          port: inPty.path,
          area: "pool",
          direction: "in",
          door: "entry",
        },
        {
          id: "pool-out",
          driver: "rdm6300",
          port: outPty.path,
          area: "pool",
          direction: "out",
          door: "exit",
        },
      ],
      doors: [
        { id: "entry", relay: "lcus", channel: 2, pulseMs: 150 },
        { id: "exit", relay: "modbus", channel: 0, channelB: 5, pulseMs: 150 },
      ],
      relays: [
        { id: "lcus", driver: "lcus-serial", port: lcusPty.path },
        { id: "modbus", driver: "modbus-rtu", port: modbusPty.path, unitId: 3 },
      ],
    });
    const gateway = await startGateway({
      config,
      gatewayId: "gw-pty",
      // A Monday 10:00 at the example site (off-peak), running in real time.
      clock: clockFrom(at("2027-03-22T10:00")),
      backoff: { baseMs: 20, factor: 2, capMs: 200, jitter: "equal" },
    });
    const allOpen = () =>
      vi.waitFor(
        () => {
          const s = gateway.status();
          expect([...s.readers, ...s.relays].map((d) => d.state)).toEqual(["open", "open", "open", "open"]);
        },
        { timeout: 5000 },
      );
    await allOpen();

    // Anna (card 0001234567, a 10-swim pack) walks in: LCUS relay 2 pulses.
    expect(lineReader.present("1234567")).toBe(true);
    await vi.waitFor(
      () =>
        expect(lcus.history.map((c) => [c.channel, c.on])).toEqual([
          [2, true],
          [2, false],
        ]),
      {
        timeout: 3000,
      },
    );
    // …and out through the RDM6300 reader (tag 1234567): the exit door's B side is coil 5.
    expect(rdm.present(1_234_567)).toBe(true);
    await vi.waitFor(
      () =>
        expect(modbus.history.map((c) => [c.channel, c.on])).toEqual([
          [5, true],
          [5, false],
        ]),
      { timeout: 3000 },
    );

    // Every device is unplugged: the gateway sees all four links go down…
    for (const d of [inPty, outPty, lcusPty, modbusPty]) await d.unplug();
    await vi.waitFor(
      () => {
        const s = gateway.status();
        expect([...s.readers, ...s.relays].every((d) => d.state !== "open")).toBe(true);
      },
      { timeout: 5000 },
    );
    // …and, replugged on the same paths, reconnects by itself and decides again.
    for (const d of [inPty, outPty, lcusPty, modbusPty]) await d.plug();
    await allOpen();
    expect(lineReader.present("1234567")).toBe(true);
    await vi.waitFor(() => expect(lcus.history).toHaveLength(4), { timeout: 3000 });
    expect(lcus.history.slice(2).map((c) => [c.channel, c.on])).toEqual([
      [2, true],
      [2, false],
    ]);

    const events = listEvents(store);
    expect(events.map((e) => [e.readerId, e.direction, e.decision, e.reason])).toEqual([
      ["pool-in", "in", "grant", "ok"],
      ["pool-out", "out", "grant", "exit"],
      ["pool-in", "in", "grant", "reentry"],
    ]);
    expect(events.map((e) => e.creditsDeducted)).toEqual([1, 0, 0]);
    expect(gateway.status().totals).toMatchObject({ scans: 3, grants: 3, denies: 0, relayFailures: 0 });
  });
});
