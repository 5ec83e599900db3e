import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FrameEvent, OsdpFrameReader } from "../../drivers/osdp/frameReader.js";
import { encodePacket, type OsdpPacketFields, SOM } from "../../drivers/osdp/packet.js";
import { hexBytes, readTrace } from "./trace.js";

// Fixed seeds: the properties run the same cases on every machine.
const RUNS = { seed: 1313, numRuns: 200 };

const packetArb: fc.Arbitrary<Uint8Array> = fc
  .record({
    address: fc.integer({ min: 0, max: 127 }),
    reply: fc.boolean(),
    sequence: fc.integer({ min: 0, max: 3 }),
    integrity: fc.constantFrom("crc" as const, "checksum" as const),
    scbType: fc.option(fc.integer({ min: 0x11, max: 0x18 }), { nil: null }),
    scbData: fc.uint8Array({ maxLength: 2 }),
    code: fc.integer({ min: 0, max: 255 }),
    data: fc.uint8Array({ maxLength: 40 }),
    mac: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  })
  .map((r) => {
    const fields: OsdpPacketFields = {
      ...r,
      scb: r.scbType === null ? null : { type: r.scbType, data: r.scbData },
    };
    const signed = r.scbType !== null && r.scbType >= 0x15;
    return encodePacket(fields, signed ? () => r.mac : undefined);
  });

/** Junk that holds no SOM, so it cannot start a packet of its own. */
const junkArb = fc.uint8Array({ maxLength: 12 }).map((b) => b.map((x) => (x === SOM ? 0x00 : x)));

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => Array.from(p)));
}

function packetBytes(events: readonly FrameEvent[]): number[][] {
  return events.flatMap((e) => (e.kind === "packet" ? [Array.from(e.bytes)] : []));
}

function readInChunks(
  stream: Uint8Array,
  cuts: readonly number[],
): { events: FrameEvent[]; reader: OsdpFrameReader } {
  const reader = new OsdpFrameReader();
  const events: FrameEvent[] = [];
  let from = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    events.push(...reader.push(stream.subarray(from, cut)));
    from = cut;
  }
  events.push(...reader.push(stream.subarray(from)));
  return { events, reader };
}

describe("the OSDP frame reader", () => {
  it("reads both directions of libosdp's plain trace, skipping the control panel's mark bytes", () => {
    const trace = readTrace("libosdp-plain-trace.txt");
    const reader = new OsdpFrameReader();
    const events = reader.push(concat(trace.map((b) => b.bytes)));
    expect(events.every((e) => e.kind === "packet")).toBe(true);
    expect(events).toHaveLength(trace.length);
    expect(reader.counts()).toEqual({ packets: 26, badPackets: 0, droppedBytes: 0, markBytes: 13 });
  });

  it("refuses a length field beyond the cap at once, so the packet after it is not held up", () => {
    const reader = new OsdpFrameReader();
    const events = reader.push(hexBytes("53 05 ff 7f 04 53 85 08 00 07 40 5d da"));
    expect(events.map((e) => e.kind)).toEqual(["error", "packet"]);
    expect(events[0]).toMatchObject({ error: "bad_length" });
    expect(reader.pending).toBe(0);
  });

  it("resynchronises on a SOM inside a packet that failed its CRC", () => {
    const good = hexBytes("53 85 08 00 07 40 5d da");
    // A damaged packet whose announced length swallows the good packet that follows it.
    const events = new OsdpFrameReader().push(concat([hexBytes("53 05 0c 00 04 60"), good]));
    expect(events.map((e) => (e.kind === "error" ? e.error : "packet"))).toEqual(["bad_crc", "packet"]);
  });

  it("holds a partial packet until the rest arrives, and drops it on flush", () => {
    const reader = new OsdpFrameReader();
    expect(reader.push(hexBytes("ff 53 05 09 00 04"))).toEqual([]);
    expect(reader.pending).toBe(5);
    expect(reader.flush()).toMatchObject([{ kind: "error", error: "truncated" }]);
    expect(reader.pending).toBe(0);
    expect(reader.push(hexBytes("61 00 c1 25"))).toEqual([]);
    expect(reader.counts()).toMatchObject({ packets: 0, badPackets: 1, droppedBytes: 9, markBytes: 1 });
  });

  it("on flush, finds the packets held behind a length field that was too long", () => {
    const reader = new OsdpFrameReader();
    // The first packet's length byte damaged from 0x08 to 0x18: it swallows the reply after it.
    expect(reader.push(hexBytes("53 85 18 00 07 40 5d da 53 85 08 00 05 40 3f bc"))).toEqual([]);
    const events = reader.flush();
    expect(events.map((e) => e.kind)).toEqual(["error", "packet"]);
    expect(events[1]).toMatchObject({ packet: { sequence: 1, code: 0x40 } });
  });

  it("never throws on random bytes, and accounts for every byte it was given", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const reader = new OsdpFrameReader();
        let packetLength = 0;
        for (const chunk of chunks) {
          for (const e of reader.push(chunk)) if (e.kind === "packet") packetLength += e.bytes.length;
        }
        for (const e of reader.flush()) if (e.kind === "packet") packetLength += e.bytes.length;
        expect(reader.pending).toBe(0);
        const c = reader.counts();
        expect(packetLength + c.droppedBytes + c.markBytes).toBe(chunks.reduce((n, b) => n + b.length, 0));
      }),
      RUNS,
    );
  });

  it("gives the same packets for any split of a stream of valid packets", () => {
    fc.assert(
      fc.property(
        fc.array(packetArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (packets, rawCuts) => {
          const stream = concat(packets.map((p) => concat([Uint8Array.of(0xff), p])));
          const cuts = rawCuts.map((c) => c % (stream.length + 1));
          const { events } = readInChunks(stream, cuts);
          expect(packetBytes(events)).toEqual(packets.map((p) => Array.from(p)));
          expect(events.every((e) => e.kind === "packet")).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it("gets every packet out of a stream with junk between packets", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(junkArb, packetArb), { minLength: 1, maxLength: 8 }),
        junkArb,
        (pairs, tail) => {
          const stream = concat([...pairs.flat(), tail]);
          const reader = new OsdpFrameReader();
          const events = reader.push(stream);
          expect(packetBytes(events)).toEqual(pairs.map(([, p]) => Array.from(p)));
          const junkLength = [...pairs.map(([j]) => j), tail].reduce((n, j) => n + j.length, 0);
          const c = reader.counts();
          expect(c.droppedBytes + c.markBytes).toBe(junkLength);
        },
      ),
      RUNS,
    );
  });

  it("still gets the undamaged packets out when one packet of a CRC stream is corrupted", () => {
    const crcPacketArb = packetArb.filter((p) => ((p[4] ?? 0) & 0x04) !== 0);
    fc.assert(
      fc.property(
        fc.array(crcPacketArb, { minLength: 2, maxLength: 6 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (packets, which, offset, flip) => {
          const victim = which % packets.length;
          const damaged = packets.map((p, i) => {
            if (i !== victim) return p;
            const copy = Uint8Array.from(p);
            const at = offset % copy.length;
            copy[at] = (copy[at] ?? 0) ^ flip;
            return copy;
          });
          const { events, reader } = readInChunks(concat(damaged), []);
          // The end of the stream stands for the reply timeout that ends a real exchange.
          events.push(...reader.flush());
          const out = packetBytes(events);
          for (const [i, p] of packets.entries()) {
            if (i !== victim) expect(out).toContainEqual(Array.from(p));
          }
          expect(out).not.toContainEqual(Array.from(damaged[victim] ?? []));
          // The damaged bytes were dropped (a bad SOM is junk, a bad packet loses its SOM) or still wait.
          expect(reader.counts().droppedBytes).toBeGreaterThan(0);
        },
      ),
      RUNS,
    );
  });
});
