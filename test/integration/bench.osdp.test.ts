import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { runSerialAtPace } from "../../bench/children.js";
import {
  OSDP_CARD_GAP_MS,
  OSDP_PDS,
  OTHER_READERS_LOAD,
  renderOsdpMarkdown,
  runOsdpBench,
} from "../../bench/osdp.js";
import {
  bytesBetween,
  fetchingPoll,
  pollCycles,
  turnarounds,
  type WireRecord,
  wireMs,
} from "../../bench/osdpWire.js";
import { CMD, REPLY } from "../../drivers/osdp/codes.js";
import { requireSocat } from "../../firmware-sim/devices/ptyLink.js";
import { expectFormatted } from "../helpers/benchMarkdown.js";
import { tempDir } from "../helpers/build.js";

const GATEWAY = fileURLToPath(new URL("../../dist/bench/e2eGateway.js", import.meta.url));

beforeAll(() => {
  requireSocat();
  if (!existsSync(GATEWAY)) throw new Error("dist/bench/e2eGateway.js is missing: run `npm run build` first");
});

/** A POLL to `address` at `at` (16 bytes) and its ACK 1 ms later (14 bytes). */
const exchange = (address: number, at: number): WireRecord[] => [
  { from: "cp", at, bytes: 16, address, code: CMD.POLL },
  { from: "pd", at: at + 1, bytes: 14, address, code: REPLY.ACK },
];

describe("the OSDP benchmark's wire arithmetic", () => {
  it("counts 10 bits a byte at the baud rate: 96 bytes take 100 ms at 9600 and 8⅓ ms at 115200", () => {
    expect(wireMs(96, 9600)).toBe(100);
    expect(wireMs(96, 115_200)).toBeCloseTo(8.333, 3);
  });

  it("cuts poll cycles at each POLL to the first PD, keeps only those where every PD was polled, and sums their bytes", () => {
    // PD 1, PD 2 at 0 and 2 ms; PD 1 again at 4 ms, then at 6 ms without PD 2 in between; then 8 ms.
    const log = [
      ...exchange(1, 0),
      ...exchange(2, 2),
      ...exchange(1, 4),
      ...exchange(1, 6),
      ...exchange(2, 7),
    ];
    log.push(...exchange(1, 9));
    expect(pollCycles(log, 1, 2)).toEqual([
      { ms: 4, packets: 4, bytes: 60 },
      { ms: 3, packets: 4, bytes: 60 },
    ]);
    expect(turnarounds(log)).toEqual([1, 1, 1, 0, 1]);
    expect(bytesBetween(log, 2, 5)).toBe(16 + 14 + 16 + 14);
  });
});

describe("the POLL that fetched a card", () => {
  it("is the last POLL to the PD before its first RAW reply after the card, even one written just before it", () => {
    const raw: WireRecord = { from: "pd", at: 5, bytes: 30, address: 2, code: REPLY.RAW };
    const log = [...exchange(2, 0), ...exchange(1, 2), { ...(exchange(2, 4)[0] as WireRecord) }, raw];
    expect(fetchingPoll(log, 2, 4.5)).toBe(log[4]);
    expect(fetchingPoll(log, 2, 6)).toBeUndefined();
  });
});

describe("the OSDP benchmark, as a small run", () => {
  it("times poll cycles of 8 secured PDs, card → PD output on the bus and through the gateway, quiet and under the other readers' load, at 9600 and 115200 baud (never asserts times)", async () => {
    const t = tempDir();
    try {
      const r = await runOsdpBench(join(t.dir, "osdp"), {
        bauds: [9600, 115_200],
        cycles: 5,
        cards: 8,
        gatewayCards: 8,
        gatewayScript: GATEWAY,
        serialAtSamePace: () =>
          runSerialAtPace(dirname(GATEWAY), t.dir, {
            readers: OSDP_PDS,
            gapMs: OSDP_CARD_GAP_MS,
            seconds: "2",
          }),
        // The other readers' load, smaller: 4 serial-line readers on 2 LCUS boards, 40 scans a second.
        load: { ...OTHER_READERS_LOAD, readers: 4, boards: 2, warmupSeconds: 0.5 },
      });
      expect(r.pds).toBe(OSDP_PDS);
      expect(r.results.map((b) => [b.baud, b.cycle.n, b.cardToOutput.n, b.cardWire.n])).toEqual([
        [9600, 5, 8, 8],
        [115_200, 5, 8, 8],
      ]);
      const [slow, fast] = r.results;
      if (!slow || !fast) throw new Error("expected two baud rates");
      // The same packets take 12 times longer on the wire at 9600 than at 115200.
      expect(slow.cycleWire.p50).toBeCloseTo(wireMs(slow.cycleBytes, 9600), 6);
      // docs/osdp.md: a secured POLL (mark byte, header, SCB, MAC, CRC) and its ACK take 29 bytes.
      expect([slow.cycleBytes, fast.cycleBytes]).toEqual([OSDP_PDS * 29, OSDP_PDS * 29]);
      expect(slow.turnaround.n).toBeGreaterThan(0);
      expect(r.load).toHaveLength(2);
      // Through the gateway, quiet and then under the load: every card granted, recorded in the
      // gateway's database, and its door pulsed.
      expect(
        r.gateway.map((g) => [
          g.baud,
          g.load !== undefined,
          g.cardToRelay.n,
          g.wire.n,
          g.gatewayShare.n,
          g.lost,
          g.granted,
        ]),
      ).toEqual([
        [9600, false, 8, 8, 8, 0, 8],
        [9600, true, 8, 8, 8, 0, 8],
        [115_200, false, 8, 8, 8, 0, 8],
        [115_200, true, 8, 8, 8, 0, 8],
      ]);
      // The load ran in the same gateway all the while: its scans each opened their door, once.
      for (const g of r.gateway.filter((x) => x.load)) {
        expect(g.load).toMatchObject({ readers: 4, intervalMs: 100, lost: 0, duplicated: 0 });
        expect(g.load?.latency.n).toBeGreaterThan(8);
      }
      // A grant's path carries at least the POLL with its RAW reply and the OUT with its ACK.
      expect(r.gateway[0]?.wire.p50).toBeGreaterThan(wireMs(4 * 16, 9600));
      // The serial-line readers at the same pace: a card every OSDP_CARD_GAP_MS, none lost.
      expect(r.serial?.lost).toBe(0);
      expect(r.serial?.scans).toBeGreaterThanOrEqual(8);
      const markdown = renderOsdpMarkdown(r, "2026-12-07", "npm run bench -- --only osdp");
      expect(markdown).toContain(`serial-line readers, a card every ${OSDP_CARD_GAP_MS} ms`);
      expect(markdown).toMatch(
        /the same under the other readers' load: 4 serial-line readers, a card each every 100 ms \(\d+\/s, 0 lost, 0 duplicated\)/,
      );
      expect(markdown).toMatch(
        /^\| baud +\| what +\| target +\| +n \| p50 \(ms\) \| p99 \(ms\) \| max \(ms\) \|$/m,
      );
      expectFormatted(markdown);
    } finally {
      t.cleanup();
    }
  }, 180_000);
});
