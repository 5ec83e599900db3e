import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import type { Reader } from "../../config/gateway.js";
import { noteFields, parseHexFrames } from "../../drivers/codecs/hexText.js";
import { encodeRdm6300Frame } from "../../drivers/codecs/rdm6300.js";
import { createReader } from "../../drivers/readers/createReader.js";
import type {
  CardEvent,
  ReaderDriver,
  ReaderStateEvent,
  RejectedEvent,
} from "../../drivers/readers/readerDriver.js";
import {
  type FakeTransportFactory,
  fakeTransportFactory,
  ManualScheduler,
} from "../helpers/fakeTransport.js";
import { silentLogger } from "../helpers/logs.js";

const fixture = (name: string) =>
  parseHexFrames(readFileSync(new URL(`../fixtures/frames/${name}`, import.meta.url), "utf8"));

type Mode = Reader["cardNumber"];

const base = { area: "gym", direction: "in", debounceMs: 2000 } as const;
const rdmConfig = (cardNumber: Mode = "decimal"): Extract<Reader, { driver: "rdm6300" }> => ({
  ...base,
  id: "gym-rdm",
  cardNumber,
  driver: "rdm6300",
  port: "/dev/ttyFAKE1",
  baudRate: 9600,
});
const lineConfig: Reader = {
  ...base,
  id: "gym-line",
  cardNumber: "as-is",
  driver: "serial-line",
  port: "/dev/ttyFAKE2",
  baudRate: 9600,
  format: "decimal",
};

interface Harness {
  reader: ReaderDriver;
  fake: FakeTransportFactory;
  scheduler: ManualScheduler;
  cards: CardEvent[];
  rejected: RejectedEvent[];
  states: ReaderStateEvent[];
  /** Every event in order, as "kind:value". */
  log: string[];
}

/** A started reader on a fake transport, once its transport is open. */
async function started(config: Reader, clock: () => number = () => 5_000): Promise<Harness> {
  const fake = fakeTransportFactory();
  const scheduler = new ManualScheduler();
  const made = createReader(config, {
    logger: silentLogger(),
    transportFactory: fake.factory,
    clock,
    scheduler,
    random: () => 0.5,
  });
  if (!made.ok) throw made.error;
  const h: Harness = { reader: made.reader, fake, scheduler, cards: [], rejected: [], states: [], log: [] };
  h.reader.on("card", (e) => {
    h.cards.push(e);
    h.log.push(`card:${e.card}`);
  });
  h.reader.on("rejected", (e) => {
    h.rejected.push(e);
    h.log.push(`rejected:${e.error}`);
  });
  h.reader.on("state", (e) => {
    h.states.push(e);
    h.log.push(`state:${e.state}`);
  });
  const open = new Promise<void>((resolve) => h.reader.on("state", (e) => e.state === "open" && resolve()));
  h.reader.start();
  await open;
  return h;
}

describe("RDM6300 reader with every fixture frame", () => {
  it.each(fixture("rdm6300.hex").map((f) => [f.line, f.note, f] as const))(
    "frame on line %i (%s)",
    async (_line, note, frame) => {
      const want = noteFields(note);
      const h = await started(rdmConfig("decimal"));
      h.fake.last().push(frame.bytes);
      if (want.error !== undefined) {
        expect(h.cards).toEqual([]);
        expect(h.rejected).toEqual([{ readerId: "gym-rdm", error: want.error, detail: expect.any(String) }]);
      } else {
        expect(h.rejected).toEqual([]);
        expect(h.cards).toEqual([{ readerId: "gym-rdm", card: want.card, at: 5_000 }]);
      }
      await h.reader.stop();
    },
  );

  it("decodes the fixture stream in order, however it is chunked", async () => {
    const stream = fixture("rdm6300.stream.hex").flatMap((f) => [...f.bytes]);
    const expected = ["rejected:bad_frame", "card:9357203", "rejected:bad_checksum", "card:2497248351"];
    for (const size of [1, 2, 5, 13, stream.length]) {
      const h = await started(rdmConfig("decimal"));
      for (let i = 0; i < stream.length; i += size) {
        h.fake.last().push(Uint8Array.from(stream.slice(i, i + size)));
      }
      expect(h.log.filter((e) => !e.startsWith("state:"))).toEqual(expected);
      expect(h.reader.counters()).toEqual({
        cards: 2,
        rejected: { bad_frame: 1, bad_checksum: 1 },
        bytes: stream.length,
        reconnects: 0,
      });
    }
  });

  it.each([
    ["as-is", "9357203"],
    ["hex", "8EC793"],
    ["decimal", "9357203"],
  ] as const)(
    "converts tag 008EC793 with cardNumber %s to %s (the card is the tag in decimal by default)",
    async (mode, card) => {
      const h = await started(rdmConfig(mode));
      h.fake.last().push(encodeRdm6300Frame(0x008ec793, 0x14));
      expect(h.cards.map((c) => c.card)).toEqual([card]);
    },
  );

  it("emits every repeated frame: debounce is the gateway's job", async () => {
    const h = await started(rdmConfig());
    const frame = encodeRdm6300Frame(42);
    h.fake.last().push(Uint8Array.from([...frame, ...frame, ...frame]));
    expect(h.cards.map((c) => c.card)).toEqual(["42", "42", "42"]);
  });

  it("stamps cards with the injected clock", async () => {
    let now = 100;
    const h = await started(rdmConfig(), () => now);
    h.fake.last().push(encodeRdm6300Frame(7));
    now = 250;
    h.fake.last().push(encodeRdm6300Frame(8));
    expect(h.cards.map((c) => c.at)).toEqual([100, 250]);
  });
});

describe("reader transport health", () => {
  it("reports connecting, open, waiting with the reason, then open again and stopped", async () => {
    const h = await started(rdmConfig());
    h.fake.last().disconnect();
    const waiting = h.states.at(-1);
    expect(waiting).toMatchObject({ readerId: "gym-rdm", state: "waiting", retryInMs: expect.any(Number) });
    expect(waiting?.reason).toMatch(/went away/);
    h.fake.failNext();
    h.scheduler.runNext();
    await vi.waitFor(() => expect(h.states.at(-1)?.state).toBe("waiting"));
    expect(h.states.at(-1)?.reason).toMatch(/cannot open/);
    h.scheduler.runNext();
    await vi.waitFor(() => expect(h.states.at(-1)?.state).toBe("open"));
    expect(h.states.at(-1)?.reason).toBeUndefined();
    h.fake.last().push(encodeRdm6300Frame(99));
    await h.reader.stop();
    expect(h.log).toEqual([
      "state:connecting",
      "state:open",
      "state:waiting",
      "state:connecting",
      "state:waiting",
      "state:connecting",
      "state:open",
      "card:99",
      "state:stopped",
    ]);
    expect(h.reader.counters().reconnects).toBe(1);
    expect(h.fake.opened.every((t) => !t.isOpen)).toBe(true);
  });

  it("drops a partial frame when the port reopens", async () => {
    const h = await started(rdmConfig());
    const frame = encodeRdm6300Frame(1234);
    h.fake.last().push(frame.subarray(0, 7));
    h.fake.last().disconnect();
    h.scheduler.runNext();
    await vi.waitFor(() => expect(h.states.at(-1)?.state).toBe("open"));
    h.fake.last().push(frame.subarray(7));
    h.fake.last().push(frame);
    expect(h.cards.map((c) => c.card)).toEqual(["1234"]);
  });

  it("passes the configured baud rate to the transport factory", async () => {
    const h = await started({ ...rdmConfig(), baudRate: 19200 });
    expect(h.fake.last().options).toEqual({ baudRate: 19200 });
    expect(h.fake.last().target).toBe("/dev/ttyFAKE1");
  });
});

describe("createReader", () => {
  it.each(["mqtt-tasmota", "mqtt-esp-rfid"] as const)(
    "returns READER_DRIVER_UNSUPPORTED for %s",
    (driver) => {
      const made = createReader(
        { ...base, id: "door-1", cardNumber: "as-is", driver, topic: "door-1" },
        {
          logger: silentLogger(),
          transportFactory: fakeTransportFactory().factory,
          clock: () => 0,
          scheduler: new ManualScheduler(),
        },
      );
      expect(made.ok).toBe(false);
      if (made.ok) return;
      expect(made.error).toMatchObject({
        name: "ReaderError",
        code: "READER_DRIVER_UNSUPPORTED",
        readerId: "door-1",
      });
      expect(made.error.message).toContain(driver);
    },
  );

  it("opens nothing until start()", () => {
    const fake = fakeTransportFactory();
    const made = createReader(lineConfig, {
      logger: silentLogger(),
      transportFactory: fake.factory,
      clock: () => 0,
      scheduler: new ManualScheduler(),
    });
    expect(made.ok).toBe(true);
    expect(fake.opened).toEqual([]);
  });
});

describe("readers fed random bytes", () => {
  const chunks = fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 });
  const valid = fc.constantFrom(encodeRdm6300Frame(0x8ec793, 0x14), new TextEncoder().encode("4215834\r\n"));
  const stream = fc.array(fc.oneof(fc.uint8Array({ maxLength: 40 }), valid), { maxLength: 20 });

  it("never throw, and emit nothing once stopped, even when stopped from inside a listener", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        stream,
        fc.nat({ max: 10 }),
        chunks,
        async (rdm, before, stopAfter, after) => {
          const h = await started(rdm ? rdmConfig() : lineConfig);
          const transport = h.fake.last();
          let stopping = false;
          let afterStop = 0;
          const onEvent = () => {
            if (stopping) afterStop++;
            else if (h.cards.length + h.rejected.length > stopAfter) {
              stopping = true;
              void h.reader.stop();
            }
          };
          h.reader.on("card", onEvent);
          h.reader.on("rejected", onEvent);
          for (const chunk of before) transport.push(chunk);
          stopping = true;
          await h.reader.stop();
          for (const chunk of after) transport.push(chunk);
          expect(afterStop).toBe(0);
          expect(h.log.at(-1)).toBe("state:stopped");
          const c = h.reader.counters();
          const rejected = Object.values(c.rejected).reduce((a, b) => a + (b ?? 0), 0);
          expect(c.cards + rejected).toBe(h.cards.length + h.rejected.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
