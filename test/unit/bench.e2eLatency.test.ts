import { describe, expect, it } from "vitest";
import { replaceBlock } from "../../bench/docBlock.js";
import type { E2eResult } from "../../bench/e2eLatency.js";
import {
  matchScans,
  type ReaderPulse,
  type SentScan,
  summariseMs,
  TimedLcusSplitter,
  wireTimeMs,
  worstPerSecond,
} from "../../bench/e2eMatch.js";
import { e2ePassed, e2eRows } from "../../bench/e2eReport.js";
import { cardOf, doorLayout, gatewayConfigDocument, scanLine } from "../../bench/e2eSetup.js";
import { GatewayConfig } from "../../config/gateway.js";

const hex = (text: string) => Uint8Array.from(text.split(" ").map((b) => Number.parseInt(b, 16)));
const scan = (reader: number, at: number, measured = true): SentScan => ({ reader, at, measured });
const pulse = (reader: number, at: number): ReaderPulse => ({ reader, at });

describe("the wire-time floor", () => {
  it("counts 10 bits a byte: a 10-byte scan line and a 4-byte LCUS frame take 14.583 ms at 9600 baud", () => {
    expect(wireTimeMs(10 + 4, 9600)).toBeCloseTo(14.5833, 4);
  });

  it("scales with the baud rate: one byte at 115200 baud takes 0.0868 ms", () => {
    expect(wireTimeMs(1, 115_200)).toBeCloseTo(0.08681, 5);
  });

  it("floors an 8-digit card line with CR LF at 10 bytes", () => {
    const line = scanLine(cardOf(15, 299));
    expect(line.length).toBe(10);
    expect(line.toString("ascii")).toBe("11500299\r\n");
  });
});

describe("reading relay frames with the time of their first byte", () => {
  it("decodes A0 01 01 A2 as relay 1 on, stamped with the read time", () => {
    const s = new TimedLcusSplitter();
    expect(s.push(hex("a0 01 01 a2"), 12.5)).toEqual([{ channel: 1, on: true, at: 12.5 }]);
  });

  it("stamps a frame split over two reads with the first read's time", () => {
    const s = new TimedLcusSplitter();
    expect(s.push(hex("a0 03"), 10)).toEqual([]);
    expect(s.push(hex("01 a4 a0 03 00 a3"), 11)).toEqual([
      { channel: 3, on: true, at: 10 },
      { channel: 3, on: false, at: 11 },
    ]);
  });

  it("drops and counts bytes that do not start a valid frame, then resyncs", () => {
    const s = new TimedLcusSplitter();
    expect(s.push(hex("ff a0 02 01 00 a0 02 01 a3"), 5)).toEqual([{ channel: 2, on: true, at: 5 }]);
    expect(s.discarded).toBe(5);
  });
});

describe("matching relay ON frames to scans", () => {
  it("answers each reader's scans in order and measures write → read", () => {
    const r = matchScans(
      [scan(0, 0), scan(1, 6), scan(0, 100), scan(1, 106)],
      [pulse(1, 8), pulse(0, 2), pulse(0, 103), pulse(1, 107.5)],
      2000,
    );
    expect(r).toMatchObject({ matched: 4, lost: 0, duplicated: 0 });
    expect(r.latencies).toEqual([2, 2, 3, 1.5]);
  });

  it("counts warm-up scans for lost and duplicated but leaves them out of the latencies", () => {
    const r = matchScans([scan(0, 0, false), scan(0, 100)], [pulse(0, 1), pulse(0, 104)], 2000);
    expect(r).toMatchObject({ matched: 2, lost: 0, duplicated: 0, latencies: [4] });
  });

  it("calls a scan lost when no ON frame came within the timeout, and keeps matching after it", () => {
    const r = matchScans([scan(0, 0), scan(0, 3000)], [pulse(0, 3002)], 2000);
    expect(r).toMatchObject({ matched: 1, lost: 1, duplicated: 0, latencies: [2] });
  });

  it("calls a scan lost when the run ends without its ON frame", () => {
    expect(matchScans([scan(2, 0)], [], 2000)).toMatchObject({ matched: 0, lost: 1 });
  });

  it("calls a second ON frame for one scan a duplicate", () => {
    const r = matchScans([scan(0, 0)], [pulse(0, 2), pulse(0, 50)], 2000);
    expect(r).toMatchObject({ matched: 1, lost: 0, duplicated: 1 });
  });

  it("calls an ON frame before any scan of its reader a duplicate, never a negative latency", () => {
    const r = matchScans([scan(0, 10)], [pulse(0, 5), pulse(0, 12)], 2000);
    expect(r).toMatchObject({ matched: 1, duplicated: 1, latencies: [2] });
  });

  it("never matches an ON frame to another reader's scan", () => {
    const r = matchScans([scan(0, 0)], [pulse(1, 2)], 2000);
    expect(r).toMatchObject({ matched: 0, lost: 1, duplicated: 1 });
  });
});

describe("percentiles", () => {
  it("takes nearest-rank p50 and p99 and the max of 1..100 ms", () => {
    const l = summariseMs(Array.from({ length: 100 }, (_, i) => 100 - i));
    expect(l).toMatchObject({ n: 100, max: 100 });
    expect(l.p50).toBeCloseTo(50, 9);
    expect(l.p99).toBeCloseTo(99, 9);
    expect(l.mean).toBeCloseTo(50.5, 9);
  });

  it("reports zeros, not NaN, when nothing was matched", () => {
    expect(summariseMs([])).toEqual({ n: 0, p50: 0, p99: 0, max: 0, mean: 0 });
  });
});

describe("the worst latency of each second", () => {
  it("groups latencies by the second their scan was written in, counting from the first", () => {
    expect(worstPerSecond([2, 7, 3, 1, 9], [1000, 1500, 2100, 2900, 4000], 1000)).toEqual([7, 3, 0, 9]);
  });
});

describe("the benchmark's site layout", () => {
  it("puts 16 doors on 4 four-channel LCUS boards", () => {
    const layout = doorLayout(16, 4);
    expect(layout[0]).toEqual({ board: 0, channel: 1 });
    expect(layout[5]).toEqual({ board: 1, channel: 2 });
    expect(layout[15]).toEqual({ board: 3, channel: 4 });
    expect(new Set(layout.map((d) => `${d.board}:${d.channel}`)).size).toBe(16);
  });

  it("refuses more than 8 channels on one board", () => {
    expect(() => doorLayout(16, 1)).toThrow(/at most 8 channels/);
  });

  it("writes a gateway configuration the real schema accepts", () => {
    const doc = gatewayConfigDocument(
      { readers: ["/dev/pts/1", "/dev/pts/2"], boards: ["/dev/pts/3"] },
      9600,
      "info",
    );
    const config = GatewayConfig.parse(doc);
    expect(config.readers.map((r) => r.door)).toEqual(["door-1", "door-2"]);
    expect(config.doors.map((d) => [d.relay, d.channel])).toEqual([
      ["board-1", 1],
      ["board-1", 2],
    ]);
  });
});

function result(over: Partial<E2eResult> = {}): E2eResult {
  const lat = { n: 100, p50: 1, p99: 4, max: 9, mean: 1.2 };
  return {
    readers: 16,
    boards: 4,
    channelsPerBoard: 4,
    seconds: 30,
    warmupSeconds: 2,
    intervalMs: 100,
    pulseMs: 40,
    baudRate: 9600,
    timeoutMs: 2000,
    scanLineBytes: 10,
    relayFrameBytes: 4,
    floorMs: wireTimeMs(14, 9600),
    scansSent: 5120,
    measuredScans: 4800,
    scansPerSecond: 160,
    onFrames: 5120,
    offFrames: 5120,
    restingFrames: 16,
    strayFrames: 0,
    discardedBytes: 0,
    matched: 5120,
    lost: 0,
    duplicated: 0,
    latency: lat,
    hop: lat,
    fsync: lat,
    slip: lat,
    db: { events: 5120, grants: 5120, denies: 0, relayFailed: 0, cardsMissing: 0, cardsExtra: 0 },
    load: [0.5, 0.6],
    cpuPerScanMs: 0.5,
    worstPerSecond: [4],
    dir: "/tmp/accessgw-bench-e2e-x",
    gatewayExit: 0,
    ...over,
  };
}

describe("PASS and MISS", () => {
  const row = (r: E2eResult, name: string) => e2eRows(r).find((x) => x.name.startsWith(name));

  it("passes an overhead p99 of exactly 5 ms with nothing lost or duplicated", () => {
    const r = result({ latency: { n: 4800, p50: 1, p99: 5, max: 20, mean: 1.1 } });
    expect(row(r, "gateway overhead p99")?.pass).toBe(true);
    expect(e2ePassed(e2eRows(r))).toBe(true);
  });

  it("misses an overhead p99 of 5.01 ms", () => {
    const r = result({ latency: { n: 4800, p50: 1, p99: 5.01, max: 20, mean: 1.1 } });
    expect(row(r, "gateway overhead p99")?.pass).toBe(false);
    expect(e2ePassed(e2eRows(r))).toBe(false);
  });

  it("misses on one lost or one duplicated decision", () => {
    expect(e2ePassed(e2eRows(result({ lost: 1 })))).toBe(false);
    expect(e2ePassed(e2eRows(result({ duplicated: 1 })))).toBe(false);
  });

  it("misses when the database holds fewer grants than scans sent", () => {
    const db = { events: 5119, grants: 5119, denies: 0, relayFailed: 0, cardsMissing: 1, cardsExtra: 0 };
    expect(row(result({ db }), "database")?.pass).toBe(false);
  });

  it("shows the floor and the estimate on a real line as floor + measured", () => {
    const r = result();
    expect(row(r, "wire floor")?.value).toBe("14.58");
    expect(row(r, "end to end at 9600 baud, p99")?.value).toBe("18.58");
  });
});

describe("rewriting the end-to-end block of docs/benchmarks.md", () => {
  const B = "<!-- e:begin -->";
  const E = "<!-- e:end -->";

  it("replaces only what is between the markers", () => {
    const doc = `# Benchmarks\nintro\n${B}\nold\n${E}\nanalysis\n`;
    expect(replaceBlock(doc, B, E, "new", () => "unused")).toBe(
      `# Benchmarks\nintro\n${B}\nnew\n${E}\nanalysis\n`,
    );
  });

  it("places the block as told when the markers are missing", () => {
    expect(replaceBlock("# B\n", B, E, "new", (d, block) => `${d}${block}\n`)).toBe(`# B\n${B}\nnew\n${E}\n`);
  });
});
