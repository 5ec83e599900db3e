import { join } from "node:path";
import { SerialPort } from "serialport";
import { beforeAll, describe, expect, vi } from "vitest";
import type { Reader } from "../../config/gateway.js";
import { encodeRdm6300Frame } from "../../drivers/codecs/rdm6300.js";
import { createReader } from "../../drivers/readers/createReader.js";
import type { CardEvent, ReaderDriver, ReaderStateEvent } from "../../drivers/readers/readerDriver.js";
import { openTransport } from "../../drivers/transport/transport.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { type Defer, test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import { requireSocat, startPtyPair } from "../helpers/socat.js";

function closeDevice(port: SerialPort): Promise<void> {
  return new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
}

function send(port: SerialPort, bytes: Uint8Array | string): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    port.write(Buffer.from(bytes), (err) => (err ? reject(err) : resolve())),
  );
}

interface Running {
  reader: ReaderDriver;
  cards: CardEvent[];
  states: ReaderStateEvent[];
}

/** Starts a reader on the real serial transport and waits until its port is open. */
async function startReader(defer: Defer, config: Reader): Promise<Running> {
  const made = createReader(config, {
    logger: silentLogger(),
    transportFactory: openTransport,
    clock: Date.now,
    scheduler: realScheduler,
    backoff: { baseMs: 20, factor: 2, capMs: 200, jitter: "equal" },
  });
  if (!made.ok) throw made.error;
  const running: Running = { reader: made.reader, cards: [], states: [] };
  running.reader.on("card", (e) => running.cards.push(e));
  running.reader.on("state", (e) => running.states.push(e));
  running.reader.start();
  defer(() => running.reader.stop());
  await vi.waitFor(() => expect(running.states.at(-1)?.state).toBe("open"), { timeout: 3000 });
  return running;
}

const it = test
  /** Opens the device end of a pty pair with serialport, as the reader hardware would sit there. */
  .extend("openDevice", ({ defer }) => async (path: string): Promise<SerialPort> => {
    const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
    port.on("error", () => {});
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    defer(() => closeDevice(port));
    return port;
  })
  .extend(
    "startReader",
    ({ defer }) =>
      (config: Reader) =>
        startReader(defer, config),
  );

const common = { area: "gym", direction: "in", debounceMs: 2000, baudRate: 9600 } as const;

describe("serial readers over socat pseudo-terminals", () => {
  beforeAll(() => {
    requireSocat();
  });

  it("reads a card line from a serial-line reader", async ({ ptyPair, startReader, openDevice }) => {
    const { a, b } = await ptyPair();
    const r = await startReader({
      ...common,
      id: "desk",
      driver: "serial-line",
      port: a,
      format: "hex",
      cardNumber: "decimal",
    });
    const device = await openDevice(b);
    await send(device, "008EC793\r\n");
    await vi.waitFor(() => expect(r.cards.map((c) => c.card)).toEqual(["9357203"]), { timeout: 3000 });
    expect(r.cards[0]).toMatchObject({ readerId: "desk", at: expect.any(Number) });
  });

  it("reads a card frame from an RDM6300 reader", async ({ ptyPair, startReader, openDevice }) => {
    const { a, b } = await ptyPair();
    const r = await startReader({ ...common, id: "gate", driver: "rdm6300", port: a, cardNumber: "decimal" });
    const device = await openDevice(b);
    await send(device, encodeRdm6300Frame(0x94d8fc5f, 1));
    await vi.waitFor(() => expect(r.cards.map((c) => c.card)).toEqual(["2497248351"]), { timeout: 3000 });
    expect(r.reader.counters()).toMatchObject({ cards: 1, bytes: 14, reconnects: 0 });
  });

  it.for(["rdm6300", "serial-line"] as const)(
    "reads ID-12LA frames (CR LF before ETX) with the %s driver, the same card as an RDM6300's",
    async (driver, { ptyPair, startReader, openDevice }) => {
      const { a, b } = await ptyPair();
      const config = { ...common, id: "id12", port: a, cardNumber: "decimal" } as const;
      const r = await startReader(
        driver === "rdm6300" ? { ...config, driver } : { ...config, driver, format: "decimal" },
      );
      const device = await openDevice(b);
      await send(device, encodeRdm6300Frame(0x8ec793, 0x14, { crlf: true }));
      await send(device, encodeRdm6300Frame(0x94d8fc5f, 1, { crlf: true }));
      await vi.waitFor(() => expect(r.cards.map((c) => c.card)).toEqual(["9357203", "2497248351"]), {
        timeout: 3000,
      });
      expect(r.reader.counters().rejected).toEqual({});
    },
  );

  it("reconnects after the reader is unplugged and replugged, then decodes again", async ({
    folder: { dir },
    defer,
    startReader,
    openDevice,
  }) => {
    const links = { a: join(dir, "reader"), b: join(dir, "device") };
    let p = await startPtyPair(links);
    defer(() => p.stop());
    const r = await startReader({
      ...common,
      id: "pool",
      driver: "rdm6300",
      port: links.a,
      cardNumber: "hex",
    });

    const first = await openDevice(links.b);
    await send(first, encodeRdm6300Frame(0x8ec793, 0x14));
    await vi.waitFor(() => expect(r.cards.map((c) => c.card)).toEqual(["8EC793"]), { timeout: 3000 });

    // Unplug: the device end is closed first, since serialport would spin on a hung-up pty.
    await closeDevice(first);
    await p.stop();
    await vi.waitFor(() => expect(r.states.at(-1)?.state).toBe("waiting"), { timeout: 3000 });
    expect(r.states.at(-1)?.reason).toBeDefined();

    p = await startPtyPair(links);
    await vi.waitFor(() => expect(r.states.at(-1)?.state).toBe("open"), { timeout: 5000 });
    const second = await openDevice(links.b);
    await send(second, encodeRdm6300Frame(42));
    await vi.waitFor(() => expect(r.cards.map((c) => c.card)).toEqual(["8EC793", "2A"]), { timeout: 3000 });
    expect(r.reader.counters().reconnects).toBe(1);

    await r.reader.stop();
    expect(r.states.at(-1)?.state).toBe("stopped");
  });
});
