import { describe, expect, vi } from "vitest";
import type { Reader } from "../../config/gateway.js";
import { createReader } from "../../drivers/readers/createReader.js";
import type { CardEvent, ReaderDriver, RejectedEvent } from "../../drivers/readers/readerDriver.js";
import { openTransport } from "../../drivers/transport/transport.js";
import { garble } from "../../firmware-sim/devices/faults.js";
import { SimRdm6300Module } from "../../firmware-sim/devices/rdm6300Module.js";
import type { SerialDeviceServer } from "../../firmware-sim/devices/serialDeviceServer.js";
import { SimSerialLineReader } from "../../firmware-sim/devices/serialLineReader.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { type Defer, test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";

interface Running {
  reader: ReaderDriver;
  cards: CardEvent[];
  rejected: RejectedEvent[];
}

const common = {
  area: "gym",
  direction: "in",
  debounceMs: 2000,
  baudRate: 9600,
  cardNumber: "as-is",
} as const;

/** Starts the real reader driver against the server and waits until the server sees it. */
async function startReader(defer: Defer, config: Reader, server: SerialDeviceServer): Promise<Running> {
  const made = createReader(config, {
    logger: silentLogger(),
    transportFactory: openTransport,
    clock: Date.now,
    scheduler: realScheduler,
    backoff: { baseMs: 20, factor: 2, capMs: 100, jitter: "none" },
  });
  if (!made.ok) throw made.error;
  const running: Running = { reader: made.reader, cards: [], rejected: [] };
  running.reader.on("card", (e) => running.cards.push(e));
  running.reader.on("rejected", (e) => running.rejected.push(e));
  running.reader.start();
  defer(() => running.reader.stop());
  await vi.waitFor(() => expect(server.connected).toBe(true), { timeout: 3000 });
  return running;
}

const it = test.extend(
  "startReader",
  ({ defer }) =>
    (config: Reader, server: SerialDeviceServer) =>
      startReader(defer, config, server),
);

describe("simulated readers on a TCP serial server, read by the real drivers", () => {
  it("delivers a card printed by a simulated serial-line reader as a card event", async ({
    serialServer,
    startReader,
  }) => {
    const server = await serialServer();
    const device = new SimSerialLineReader({ link: server, lineEnding: "CR" });
    device.start();
    const { cards } = await startReader(
      { ...common, id: "front", driver: "serial-line", format: "decimal", port: server.target },
      server,
    );

    expect(device.present(12345678)).toBe(true);

    await vi.waitFor(() => expect(cards.map((c) => c.card)).toEqual(["12345678"]), { timeout: 2000 });
    expect(cards[0]?.readerId).toBe("front");
  });

  it("emits a card event for every repeated frame while an RDM6300 tag is held for 1 s", async ({
    serialServer,
    startReader,
  }) => {
    const server = await serialServer();
    const module = new SimRdm6300Module({ link: server, scheduler: realScheduler });
    module.start();
    const { cards } = await startReader(
      { ...common, id: "pool", driver: "rdm6300", port: server.target },
      server,
    );

    await module.hold(0x008ec793, 1000);

    await vi.waitFor(() => expect(cards.length).toBe(module.framesSent), { timeout: 2000 });
    expect(cards.length).toBeGreaterThanOrEqual(5);
    expect(new Set(cards.map((c) => c.card))).toEqual(new Set(["9357203"]));
  });

  it("reads a simulated ID-12LA (CR LF before ETX) with the rdm6300 driver, nothing rejected", async ({
    serialServer,
    startReader,
  }) => {
    const server = await serialServer();
    const module = new SimRdm6300Module({ link: server, scheduler: realScheduler, model: "id-12la" });
    module.start();
    const { reader, cards } = await startReader(
      { ...common, id: "pool", driver: "rdm6300", port: server.target },
      server,
    );
    module.present(0x008ec793);
    await vi.waitFor(() => expect(cards.map((c) => c.card)).toEqual(["9357203"]), { timeout: 2000 });
    expect(reader.counters()).toMatchObject({ rejected: {}, bytes: 16 });
  });

  it("reconnects after the device is unplugged and replugged, and decodes again", async ({
    serialServer,
    startReader,
  }) => {
    const server = await serialServer();
    const device = new SimSerialLineReader({ link: server, format: "hex", lineEnding: "LF" });
    device.start();
    const { reader, cards } = await startReader(
      { ...common, id: "side", driver: "serial-line", format: "hex", port: server.target },
      server,
    );
    device.present(0xab12);
    await vi.waitFor(() => expect(cards.map((c) => c.card)).toEqual(["0000AB12"]), { timeout: 2000 });

    await server.unplug();
    expect(device.present(0xcd34)).toBe(false);
    await server.replug();

    await vi.waitFor(() => expect(server.connected).toBe(true), { timeout: 3000 });
    device.present(0xcd34);
    await vi.waitFor(() => expect(cards.map((c) => c.card)).toEqual(["0000AB12", "0000CD34"]), {
      timeout: 2000,
    });
    expect(reader.counters().reconnects).toBe(1);
  });

  it("rejects RDM6300 frames garbled on the line instead of emitting a wrong card", async ({
    serialServer,
    startReader,
  }) => {
    const server = await serialServer();
    // random 0.5: always garble, at byte 7 (a hex digit), with mask 0x80, so it is no longer hex.
    const module = new SimRdm6300Module({
      link: server,
      scheduler: realScheduler,
      faults: [garble(1, () => 0.5)],
    });
    module.start();
    const { cards, rejected } = await startReader(
      { ...common, id: "pool", driver: "rdm6300", port: server.target },
      server,
    );

    module.present(0x008ec793);

    await vi.waitFor(() => expect(rejected.map((r) => r.error)).toEqual(["bad_frame"]), { timeout: 2000 });
    expect(cards).toEqual([]);
  });
});
