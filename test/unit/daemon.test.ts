import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayConfig, type Reader, type Relay } from "../../config/gateway.js";
import type { CreateReaderResult } from "../../drivers/readers/createReader.js";
import type { CardEvent, ReaderDriver, ReaderEvents } from "../../drivers/readers/readerDriver.js";
import { ReaderError } from "../../drivers/readers/readerDriver.js";
import { RelayError } from "../../drivers/relays/errors.js";
import type { RelayDriver, RelayEvents } from "../../drivers/relays/relayDriver.js";
import { Listeners } from "../../drivers/transport/listeners.js";
import { Gateway } from "../../gateway/daemon.js";
import { memberBalance } from "../../gateway/decisions.js";
import type { Store } from "../../gateway/store/db.js";
import { listEvents } from "../../gateway/store/events.js";
import { at } from "../helpers/build.js";
import { freshStore, importExamples, type TestStore } from "../store/storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const ANNA = "1234567";

/** A reader the test presents cards on. */
class FakeReader implements ReaderDriver {
  readonly listeners = new Listeners<ReaderEvents>();
  started = false;
  stopped = false;
  constructor(readonly id: string) {}
  start(): void {
    this.started = true;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  on<K extends keyof ReaderEvents>(event: K, listener: ReaderEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }
  counters() {
    return { cards: 0, rejected: {}, bytes: 0, reconnects: 0 };
  }
  present(card: string): void {
    const e: CardEvent = { readerId: this.id, card, at: 0 };
    this.listeners.emit("card", e);
  }
}

/** A relay whose pulses resolve, or reject when `failing`; `onPulse` sees the store at pulse time. */
class FakeRelay implements RelayDriver {
  readonly pulses: { channel: number; ms: number }[] = [];
  failing = false;
  stopped = false;
  onPulse: () => void = () => {};
  constructor(readonly id: string) {}
  start(): void {}
  async stop(): Promise<void> {
    this.stopped = true;
  }
  pulse(channel: number, ms: number): Promise<void> {
    this.pulses.push({ channel, ms });
    this.onPulse();
    if (this.failing)
      return Promise.reject(
        new RelayError("RELAY_FAILED", { relayId: this.id, channel, failure: "timeout" }, "no reply"),
      );
    return Promise.resolve();
  }
  health() {
    return { relayId: this.id, state: "open" as const, since: 0, lastError: undefined };
  }
  on<K extends keyof RelayEvents>(_event: K, _listener: RelayEvents[K]): () => void {
    return () => {};
  }
  counters() {
    return { pulses: this.pulses.length, completed: 0, failed: 0, inFlight: 0, timeouts: 0, exceptions: 0 };
  }
}

const config = GatewayConfig.parse({
  readers: [
    {
      id: "pool-in",
      driver: "serial-line",
      port: "tcp://127.0.0.1:1",
      area: "pool",
      direction: "in",
      door: "pool-gate",
    },
    { id: "gym-in", driver: "mqtt-json", topic: "gym/reader", field: "uid", area: "gym", direction: "in" },
  ],
  doors: [{ id: "pool-gate", relay: "board", channel: 2, pulseMs: 800 }],
  relays: [
    { id: "board", driver: "lcus-serial", port: "tcp://127.0.0.1:2" },
    { id: "shelly", driver: "mqtt-shelly-gen2", device: "shellyplus1-a8032ab12345" },
  ],
});

let t: TestStore | undefined;
let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  t?.close();
  t = undefined;
});

interface Rig {
  store: Store;
  gateway: Gateway;
  reader: FakeReader;
  relay: FakeRelay;
  logs: Record<string, unknown>[];
}

function rig(cfg: GatewayConfig = config): Rig {
  t = freshStore();
  importExamples(t.store);
  const readers = new Map<string, FakeReader>();
  const relay = new FakeRelay("board");
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  gateway = new Gateway({
    config: cfg,
    store: t.store,
    gatewayId: "gw-1",
    logger: pino({ level: "debug" }, sink),
    clock: () => MONDAY_10,
    readerFactory: (c: Reader): CreateReaderResult => {
      if (c.driver !== "serial-line")
        return {
          ok: false,
          error: new ReaderError("READER_DRIVER_UNSUPPORTED", c.id, "mqtt readers are not supported"),
        };
      const r = new FakeReader(c.id);
      readers.set(c.id, r);
      return { ok: true, reader: r };
    },
    relayFactory: (c: Relay): RelayDriver => {
      if (c.driver !== "lcus-serial")
        throw new RelayError(
          "RELAY_UNSUPPORTED",
          { relayId: c.id, failure: "unsupported" },
          "mqtt relays are not built yet",
        );
      return relay;
    },
  });
  gateway.start();
  const reader = readers.get("pool-in");
  if (!reader) throw new Error("pool-in reader not created");
  return { store: t.store, gateway, reader, relay, logs };
}

/** Lets pending promise callbacks (pulse results) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("Gateway: reader → debounce → decision → door", () => {
  it("pulses the door once for a granted card, after the event is recorded (R14)", async () => {
    const { store, reader, relay, gateway } = rig();
    const seenAtPulse: string[] = [];
    relay.onPulse = () => seenAtPulse.push(...listEvents(store).map((e) => e.decision));

    reader.present(ANNA);
    await settle();

    expect(relay.pulses).toEqual([{ channel: 2, ms: 800 }]);
    expect(seenAtPulse).toEqual(["grant"]);
    expect(gateway.status().readers[0]).toMatchObject({
      readerId: "pool-in",
      scans: 1,
      grants: 1,
      denies: 0,
    });
  });

  it("does not pulse for a denied card", async () => {
    const { store, reader, relay, gateway } = rig();

    reader.present("9999999");
    await settle();

    expect(listEvents(store).map((e) => e.decision)).toEqual(["deny"]);
    expect(relay.pulses).toEqual([]);
    expect(gateway.status().totals).toMatchObject({ scans: 1, grants: 0, denies: 1 });
  });

  it("R17: gives one event for a card repeated within debounceMs", async () => {
    const { store, reader, relay } = rig();

    reader.present(ANNA);
    reader.present(ANNA);
    reader.present("0001234567");
    await settle();

    expect(listEvents(store)).toHaveLength(1);
    expect(relay.pulses).toHaveLength(1);
  });

  it("refunds the credit and marks the event relayFailed when the pulse fails", async () => {
    const { store, reader, relay, gateway, logs } = rig();
    relay.failing = true;

    reader.present(ANNA);
    await settle();

    const swim = memberBalance(store, { card: ANNA }, MONDAY_10).multipacks.find(
      (m) => m.productId === "swim10",
    );
    expect(swim).toMatchObject({ creditsRemaining: 10, creditsTotal: 10 });
    expect(listEvents(store)).toEqual([expect.objectContaining({ decision: "grant", relayFailed: true })]);
    expect(gateway.status().readers[0]).toMatchObject({ grants: 1, relayFailures: 1 });
    expect(gateway.status().relays[0]).toMatchObject({ relayId: "board", relayFailures: 1 });
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 50,
        doorId: "pool-gate",
        relayId: "board",
        msg: "door did not open: relay failed",
      }),
    );
  });

  it("logs and counts a scan that throws, and keeps deciding", async () => {
    const [poolIn] = config.readers;
    if (!poolIn) throw new Error("no reader");
    const { reader, relay, gateway, logs } = rig({ ...config, readers: [{ ...poolIn, area: "sauna" }] });

    reader.present(ANNA);
    reader.present("7654321");
    await settle();

    expect(relay.pulses).toEqual([]);
    expect(gateway.status().readers[0]).toMatchObject({ scans: 2, errors: 2, grants: 0 });
    expect(gateway.status().running).toBe(true);
    expect(logs.filter((l) => l.msg === "scan failed")).toHaveLength(2);
  });

  it("never logs a whole card number at info level", async () => {
    const { reader, logs } = rig();

    reader.present(ANNA);
    reader.present("9999999");
    await settle();

    const info = logs.filter((l) => (l.level as number) >= 30);
    expect(info.some((l) => l.msg === "scan granted" && l.card === "…4567")).toBe(true);
    expect(JSON.stringify(info)).not.toContain(ANNA);
    expect(JSON.stringify(info)).not.toContain("9999999");
  });

  it("reports mqtt readers and relays as problems without starting them", () => {
    const { gateway } = rig();
    const s = gateway.status();
    expect(s.readers[1]).toMatchObject({ readerId: "gym-in", state: "unavailable" });
    expect(s.relays[1]).toMatchObject({ relayId: "shelly", state: "unavailable" });
    expect(s.problems).toHaveLength(2);
  });

  it("stop() stops the readers, waits for the pulse in flight, then stops the relays", async () => {
    const { reader, relay, gateway: gw } = rig();
    let release: () => void = () => {};
    const order: string[] = [];
    relay.pulse = (channel, ms) => {
      relay.pulses.push({ channel, ms });
      return new Promise<void>((resolve) => {
        release = () => {
          order.push("pulse done");
          resolve();
        };
      });
    };
    relay.stop = async () => {
      order.push("relay stopped");
    };
    reader.present(ANNA);

    const stopped = gw.stop();
    await settle();
    expect(reader.stopped).toBe(true);
    expect(order).toEqual([]);
    release();
    await stopped;

    expect(order).toEqual(["pulse done", "relay stopped"]);
    expect(gw.status().running).toBe(false);
  });
});
