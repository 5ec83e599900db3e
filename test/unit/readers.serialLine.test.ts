import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import type { Reader } from "../../config/gateway.js";
import { noteFields, parseHexFrames } from "../../drivers/codecs/hexText.js";
import { createReader } from "../../drivers/readers/createReader.js";
import type { CardEvent, ReaderDriver, RejectedEvent } from "../../drivers/readers/readerDriver.js";
import {
  type FakeTransportFactory,
  fakeTransportFactory,
  ManualScheduler,
} from "../helpers/fakeTransport.js";
import { type MemoryLog, memoryLogger } from "../helpers/logs.js";

const frames = parseHexFrames(
  readFileSync(new URL("../fixtures/frames/serialLine.hex", import.meta.url), "utf8"),
);

type Format = "decimal" | "hex" | "fc-cn";
type Mode = Reader["cardNumber"];

interface Harness {
  reader: ReaderDriver;
  fake: FakeTransportFactory;
  scheduler: ManualScheduler;
  states: string[];
  cards: CardEvent[];
  rejected: RejectedEvent[];
  log: MemoryLog;
  /** The reader's clock: set `ms` to move it. */
  time: { ms: number };
  push(bytes: Uint8Array | string): void;
}

/** A started serial-line reader on a fake transport, once its transport is open. */
async function lineReader(format: Format, cardNumber: Mode = "as-is"): Promise<Harness> {
  const fake = fakeTransportFactory();
  const scheduler = new ManualScheduler();
  const config: Reader = {
    id: "pool-in",
    area: "pool",
    direction: "in",
    debounceMs: 2000,
    cardNumber,
    driver: "serial-line",
    port: "/dev/ttyFAKE0",
    baudRate: 9600,
    format,
  };
  const log = memoryLogger();
  const time = { ms: 1_000 };
  const made = createReader(config, {
    logger: log.logger,
    transportFactory: fake.factory,
    clock: () => time.ms,
    scheduler,
  });
  if (!made.ok) throw made.error;
  const reader = made.reader;
  const cards: CardEvent[] = [];
  const rejected: RejectedEvent[] = [];
  reader.on("card", (e) => cards.push(e));
  reader.on("rejected", (e) => rejected.push(e));
  const states: string[] = [];
  reader.on("state", (e) => states.push(e.state));
  const open = new Promise<void>((resolve) => reader.on("state", (e) => e.state === "open" && resolve()));
  reader.start();
  await open;
  return { reader, fake, scheduler, states, cards, rejected, log, time, push: (b) => fake.last().push(b) };
}

describe("serial-line reader with every fixture line", () => {
  it.each(frames.map((f) => [f.line, f.note, f] as const))("line %i (%s)", async (_line, note, frame) => {
    const want = noteFields(note);
    const format = want.format as Format;
    const h = await lineReader(format, format === "fc-cn" ? "wiegand-fc-cn" : "as-is");
    h.push(frame.bytes);
    if (want.error !== undefined) {
      expect(h.cards).toEqual([]);
      expect(h.rejected).toEqual([{ readerId: "pool-in", error: want.error, detail: expect.any(String) }]);
    } else {
      const card = format === "fc-cn" ? `${want.fc}:${want.cn}` : want.card?.toUpperCase();
      expect(h.rejected).toEqual([]);
      expect(h.cards).toEqual([{ readerId: "pool-in", card, at: 1_000 }]);
    }
    expect(h.reader.counters().bytes).toBe(frame.bytes.length);
    await h.reader.stop();
  });
});

describe("serial-line reader over a byte stream", () => {
  it("splits lines on CR, LF and CRLF alike and converts per cardNumber mode", async () => {
    const h = await lineReader("hex", "decimal");
    h.push("008EC793\r94D8FC5F\n008EC793\r\n40541A\r\n");
    expect(h.cards.map((c) => c.card)).toEqual(["9357203", "2497248351", "9357203", "4215834"]);
    expect(h.rejected).toEqual([]);
  });

  it("gives the same cards when a line arrives byte by byte, CRLF split across chunks", async () => {
    const h = await lineReader("decimal");
    for (const ch of "0004215834\r\n42\r\n") h.push(ch);
    expect(h.cards.map((c) => c.card)).toEqual(["0004215834", "42"]);
    expect(h.rejected).toEqual([]);
  });

  it("rejects an over-long line once, discards it up to the terminator and reads the next line", async () => {
    const h = await lineReader("decimal");
    h.push("1".repeat(64));
    expect(h.rejected).toEqual([]);
    h.push("1".repeat(500));
    expect(h.rejected.map((r) => r.error)).toEqual(["too_long"]);
    h.push("2".repeat(10_000));
    h.push("\r\n4215834\n");
    expect(h.rejected.map((r) => r.error)).toEqual(["too_long"]);
    expect(h.cards.map((c) => c.card)).toEqual(["4215834"]);
  });

  it("accepts a line of exactly 64 bytes", async () => {
    const h = await lineReader("decimal");
    h.push(`${"9".repeat(64)}\n`);
    expect(h.cards.map((c) => c.card)).toEqual(["9".repeat(64)]);
  });

  it("rejects garbage lines and keeps reading good ones after them", async () => {
    const h = await lineReader("decimal");
    h.push(Uint8Array.of(0xff, 0x00, 0x31, 0x0a));
    h.push("abc\n\n4215834\n");
    expect(h.rejected.map((r) => r.error)).toEqual(["bad_characters", "bad_characters", "empty"]);
    expect(h.cards.map((c) => c.card)).toEqual(["4215834"]);
  });

  it("logs rejected reads at info with a hint, the first at once, then one line per 30 s with the count in between", async () => {
    const h = await lineReader("decimal");
    // A reader at the wrong baud rate: garbage lines, one of which holds a card number's digits.
    h.push(Uint8Array.of(0xf8, 0x80, 0x0a));
    h.time.ms += 10_000;
    h.push(Uint8Array.of(0xe0, 0x1c, 0x0a));
    h.push("12345678x\n");
    h.time.ms += 20_000;
    h.push(Uint8Array.of(0x80, 0x0a));
    const info = h.log.at("info").filter((l) => l.msg === "read rejected");
    expect(info).toEqual([
      {
        level: "info",
        error: "bad_characters",
        hint: expect.stringContaining("wrong baud rate"),
        msg: "read rejected",
      },
      {
        level: "info",
        error: "bad_characters",
        hint: expect.any(String),
        suppressedSinceLastLine: 2,
        msg: "read rejected",
      },
    ]);
    // What the line held (here a card number's digits) never reaches info.
    expect(JSON.stringify(h.log.at("info"))).not.toContain("12345678");
    expect(h.log.at("debug").filter((l) => l.msg === "read rejected")).toHaveLength(4);
  });

  it("rejects as unsupported a read the cardNumber mode cannot express", async () => {
    const h = await lineReader("decimal", "wiegand-fc-cn");
    h.push("4215834\n");
    expect(h.cards).toEqual([]);
    expect(h.rejected).toEqual([{ readerId: "pool-in", error: "unsupported", detail: expect.any(String) }]);
  });

  it("counts cards, rejections by code and bytes", async () => {
    const h = await lineReader("decimal");
    h.push("1\n2\nx\n\ny\n");
    expect(h.reader.counters()).toEqual({
      cards: 2,
      rejected: { bad_characters: 2, empty: 1 },
      bytes: 9,
      reconnects: 0,
    });
  });

  it("drops a partial line when the port reopens and counts the reconnect", async () => {
    const h = await lineReader("decimal");
    h.push("123");
    h.fake.last().disconnect();
    expect(h.states.at(-1)).toBe("waiting");
    expect(h.scheduler.runNext()).toBe(true);
    await vi.waitFor(() => expect(h.states.at(-1)).toBe("open"));
    h.push("4\n");
    expect(h.cards.map((c) => c.card)).toEqual(["4"]);
    expect(h.reader.counters().reconnects).toBe(1);
    await h.reader.stop();
  });
});
