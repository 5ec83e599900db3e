import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesToHex, parseHexFrames } from "../../drivers/codecs/hexText.js";
import {
  decodeLcus,
  encodeLcus,
  type LcusDecodeError,
  LcusFrameSplitter,
  splitLcusFrames,
} from "../../drivers/codecs/lcus.js";
import {
  crc16modbus,
  decodeReply,
  decodeRequest,
  encodeException,
  encodeWriteCoil,
  rtuFrameLength,
} from "../../drivers/codecs/modbusRtu.js";

/** Reads a fixture with the shared hex reader; the comment after a frame's bytes is its name. */
function loadFrames(name: string): Map<string, Uint8Array> {
  const text = readFileSync(new URL(`../fixtures/frames/${name}`, import.meta.url), "utf8");
  return new Map(parseHexFrames(text).map((f) => [f.note, f.bytes]));
}

function frame(frames: Map<string, Uint8Array>, label: string): Uint8Array {
  const bytes = frames.get(label);
  if (!bytes) throw new Error(`fixture frame "${label}" is missing`);
  return bytes;
}

const lcus = loadFrames("lcus.hex");
const modbus = loadFrames("modbus-rtu.hex");
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe("LCUS relay frames", () => {
  const good: [string, number, boolean][] = [
    ["ch1-on", 1, true],
    ["ch1-off", 1, false],
    ["ch2-on", 2, true],
    ["ch2-off", 2, false],
    ["ch8-on", 8, true],
    ["ch16-off", 16, false],
  ];

  it.each(good)("encodes fixture %s from channel %i, on=%s", (label, channel, on) => {
    expect(encodeLcus(channel, on)).toEqual(frame(lcus, label));
  });

  it.each(good)("decodes fixture %s to channel %i, on=%s", (label, channel, on) => {
    expect(decodeLcus(frame(lcus, label))).toEqual({ ok: true, channel, on });
  });

  it("switches relay 1 on with a0 01 01 a2 and off with a0 01 00 a1", () => {
    expect([...encodeLcus(1, true)]).toEqual([0xa0, 0x01, 0x01, 0xa2]);
    expect([...encodeLcus(1, false)]).toEqual([0xa0, 0x01, 0x00, 0xa1]);
  });

  const bad: [string, LcusDecodeError][] = [
    ["bad-start", "bad_start"],
    ["bad-checksum", "bad_checksum"],
    ["channel-0", "bad_channel"],
    ["bad-op", "bad_op"],
    ["short", "short"],
  ];

  it.each(bad)("rejects fixture %s with error %s", (label, error) => {
    expect(decodeLcus(frame(lcus, label))).toMatchObject({ ok: false, error });
  });

  it("refuses to encode channel 0 or a channel above 255", () => {
    expect(() => encodeLcus(0, true)).toThrow(RangeError);
    expect(() => encodeLcus(256, true)).toThrow(RangeError);
    expect(() => encodeLcus(1.5, true)).toThrow(RangeError);
  });

  it("decodes every encoded command back to the same channel and state", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 255 }), fc.boolean(), (channel, on) => {
        expect(decodeLcus(encodeLcus(channel, on))).toEqual({ ok: true, channel, on });
      }),
    );
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), (bytes) => {
        expect(typeof decodeLcus(bytes).ok).toBe("boolean");
        expect(() => splitLcusFrames(bytes)).not.toThrow();
      }),
    );
  });
});

describe("LCUS frame splitter", () => {
  it("cuts back-to-back frames apart", () => {
    const { frames, rest, discarded } = splitLcusFrames(
      concat(frame(lcus, "ch1-on"), frame(lcus, "ch2-off")),
    );
    expect(frames).toEqual([frame(lcus, "ch1-on"), frame(lcus, "ch2-off")]);
    expect(rest.length).toBe(0);
    expect(discarded).toBe(0);
  });

  it("resyncs after garbage, including stray start bytes and a frame with a bad checksum", () => {
    const noise = Uint8Array.of(0x00, 0xa0, 0xff, 0x13);
    const input = concat(noise, frame(lcus, "bad-checksum"), frame(lcus, "ch8-on"), frame(lcus, "ch1-off"));
    const { frames, discarded } = splitLcusFrames(input);
    expect(frames).toEqual([frame(lcus, "ch8-on"), frame(lcus, "ch1-off")]);
    expect(discarded).toBe(8);
  });

  it("holds back a partial frame until the rest arrives one byte at a time", () => {
    const splitter = new LcusFrameSplitter();
    const bytes = concat(Uint8Array.of(0x42), frame(lcus, "ch2-on"));
    const out = [...bytes].flatMap((b) => splitter.push(Uint8Array.of(b)));
    expect(out).toEqual([frame(lcus, "ch2-on")]);
    expect(splitter.discarded).toBe(1);
    expect(splitter.buffered).toBe(0);
  });

  it("drops a tail that holds no start byte instead of buffering it forever", () => {
    const splitter = new LcusFrameSplitter();
    expect(splitter.push(Uint8Array.of(0x01, 0x02, 0x03))).toEqual([]);
    expect(splitter.buffered).toBe(0);
  });

  it("finds every frame hidden in random noise, however the stream is chunked", () => {
    const noByteA0 = fc.uint8Array({ maxLength: 6 }).map((b) => b.map((x) => (x === 0xa0 ? 0 : x)));
    const command = fc.record({ channel: fc.integer({ min: 1, max: 255 }), on: fc.boolean() });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(noByteA0, command), { maxLength: 8 }),
        fc.integer({ min: 1, max: 7 }),
        (parts, chunk) => {
          const sent = parts.map(([, c]) => encodeLcus(c.channel, c.on));
          const stream = concat(...parts.flatMap(([noise], i) => [noise, sent[i] ?? new Uint8Array(0)]));
          const splitter = new LcusFrameSplitter();
          const got: Uint8Array[] = [];
          for (let i = 0; i < stream.length; i += chunk)
            got.push(...splitter.push(stream.subarray(i, i + chunk)));
          expect(got).toEqual(sent);
        },
      ),
    );
  });
});

describe("CRC-16/MODBUS", () => {
  it("gives the catalogue check value 4b37 for the ASCII string 123456789", () => {
    expect(crc16modbus(new TextEncoder().encode("123456789"))).toBe(0x4b37);
  });

  it("gives ffff for no bytes, the initial value", () => {
    expect(crc16modbus(new Uint8Array(0))).toBe(0xffff);
  });

  it.each([...modbus.entries()].filter(([label]) => !/bad-crc|short/.test(label)))(
    "matches the last two bytes, low byte first, of fixture %s",
    (_label, bytes) => {
      const crc = crc16modbus(bytes.subarray(0, bytes.length - 2));
      expect([crc & 0xff, crc >> 8]).toEqual([...bytes.subarray(bytes.length - 2)]);
    },
  );
});

describe("Modbus RTU write single coil", () => {
  const requests: [string, number, number, boolean][] = [
    ["unit1-coil0-on", 1, 0, true],
    ["unit1-coil0-off", 1, 0, false],
    ["unit2-coil3-on", 2, 3, true],
    ["unit1-coil7-off", 1, 7, false],
    ["unit247-coil4660-on", 247, 4660, true],
  ];

  it.each(requests)("encodes fixture %s from unit %i, coil %i, on=%s", (label, unit, coil, on) => {
    expect(encodeWriteCoil(unit, coil, on)).toEqual(frame(modbus, label));
  });

  it.each(requests)("decodes request fixture %s to unit %i, coil %i, on=%s", (label, unit, coil, on) => {
    expect(decodeRequest(frame(modbus, label))).toEqual({ ok: true, unit, coil, on });
  });

  it.each(requests)("accepts the echo of fixture %s as the normal reply", (label) => {
    expect(decodeReply(frame(modbus, label), frame(modbus, label))).toEqual({ ok: true });
  });

  it("turns coil 0 on with 01 05 00 00 ff 00 8c 3a and off with 01 05 00 00 00 00 cd ca", () => {
    expect([...encodeWriteCoil(1, 0, true)]).toEqual([0x01, 0x05, 0x00, 0x00, 0xff, 0x00, 0x8c, 0x3a]);
    expect([...encodeWriteCoil(1, 0, false)]).toEqual([0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0xcd, 0xca]);
  });

  it("encodes unit 255 (reserved by Modbus, LCTech boards' default) and refuses 256 or a coil beyond 16 bits", () => {
    // FF 05 00 01 FF 00 and the CRC-16/MODBUS of those six bytes, low byte first.
    expect(bytesToHex(encodeWriteCoil(255, 1, true))).toBe("FF 05 00 01 FF 00 C8 24");
    expect(() => encodeWriteCoil(256, 0, true)).toThrow(RangeError);
    expect(() => encodeWriteCoil(1, 65536, true)).toThrow(RangeError);
    expect(() => encodeWriteCoil(1, -1, true)).toThrow(RangeError);
  });

  it("reports a reply with a corrupted CRC as bad_crc", () => {
    expect(decodeReply(frame(modbus, "unit1-coil0-on"), frame(modbus, "unit1-coil0-on-bad-crc"))).toEqual({
      ok: false,
      error: "bad_crc",
    });
  });

  it("reports a valid echo of a different request as a mismatch", () => {
    expect(decodeReply(frame(modbus, "unit1-coil0-on"), frame(modbus, "unit1-coil0-off"))).toEqual({
      ok: false,
      error: "mismatch",
    });
  });

  it("reports a truncated reply as short and one with trailing bytes as a mismatch", () => {
    const request = frame(modbus, "unit1-coil0-on");
    expect(decodeReply(request, frame(modbus, "unit1-coil0-on-short"))).toEqual({
      ok: false,
      error: "short",
    });
    expect(decodeReply(request, request.subarray(0, 3))).toEqual({ ok: false, error: "short" });
    expect(decodeReply(request, concat(request, Uint8Array.of(0)))).toEqual({ ok: false, error: "mismatch" });
  });

  it("decodes random unit, coil and state back to themselves", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 247 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.boolean(),
        (unit, coil, on) => {
          const request = encodeWriteCoil(unit, coil, on);
          expect(decodeRequest(request)).toEqual({ ok: true, unit, coil, on });
          expect(decodeReply(request, request)).toEqual({ ok: true });
        },
      ),
    );
  });

  it("never throws on random bytes in any decoder", () => {
    const request = encodeWriteCoil(1, 0, true);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        expect(typeof decodeReply(request, bytes).ok).toBe("boolean");
        expect(typeof decodeRequest(bytes).ok).toBe("boolean");
        expect(() => rtuFrameLength(bytes)).not.toThrow();
      }),
    );
  });
});

describe("Modbus RTU exceptions", () => {
  const codes: [number, string][] = [
    [1, "illegal_function"],
    [2, "illegal_data_address"],
    [3, "illegal_data_value"],
    [4, "server_device_failure"],
  ];

  it.each(codes)("encodes exception %i to fixture unit1-exception-%i", (code) => {
    expect(encodeException(1, 0x05, code)).toEqual(frame(modbus, `unit1-exception-${code}`));
  });

  it.each(codes)("decodes exception %i in reply to FC05 as %s", (code, name) => {
    const reply = frame(modbus, `unit1-exception-${code}`);
    expect(decodeReply(frame(modbus, "unit1-coil0-on"), reply)).toEqual({
      ok: false,
      error: "exception",
      code,
      name,
    });
  });

  it("answers illegal data address with 01 85 02 c3 51", () => {
    expect([...encodeException(1, 0x05, 2)]).toEqual([0x01, 0x85, 0x02, 0xc3, 0x51]);
  });

  it("names an exception code outside 1..4 unknown", () => {
    const reply = encodeException(1, 0x05, 0x0b);
    expect(decodeReply(encodeWriteCoil(1, 0, true), reply)).toEqual({
      ok: false,
      error: "exception",
      code: 0x0b,
      name: "unknown",
    });
  });

  it("treats an exception from another unit as a mismatch", () => {
    expect(decodeReply(frame(modbus, "unit1-coil0-on"), frame(modbus, "unit2-exception-2"))).toEqual({
      ok: false,
      error: "mismatch",
    });
  });

  it("reports an exception with a corrupted CRC as bad_crc", () => {
    const reply = frame(modbus, "unit1-exception-2").slice();
    reply[4] = (reply[4] ?? 0) ^ 0xff;
    expect(decodeReply(frame(modbus, "unit1-coil0-on"), reply)).toEqual({ ok: false, error: "bad_crc" });
  });
});

describe("Modbus RTU requests on the simulator side", () => {
  it("flags a coil value other than ff00 or 0000 so the simulator can answer exception 3", () => {
    expect(decodeRequest(frame(modbus, "unit1-coil0-bad-value"))).toEqual({
      ok: false,
      error: "bad_value",
      unit: 1,
      fc: 5,
    });
  });

  it("flags any function but 05 so the simulator can answer exception 1", () => {
    expect(decodeRequest(frame(modbus, "unit1-fc06-write-register"))).toEqual({
      ok: false,
      error: "unsupported_function",
      unit: 1,
      fc: 6,
    });
  });

  it("rejects a request with a corrupted CRC or too few bytes", () => {
    expect(decodeRequest(frame(modbus, "unit1-coil0-on-bad-crc"))).toEqual({ ok: false, error: "bad_crc" });
    expect(decodeRequest(frame(modbus, "unit1-coil0-on-short"))).toEqual({ ok: false, error: "short" });
  });
});

describe("Modbus RTU frame length for a streaming reader", () => {
  it("needs the function byte before it can tell", () => {
    expect(rtuFrameLength(new Uint8Array(0))).toBe("need_more");
    expect(rtuFrameLength(Uint8Array.of(0x01))).toBe("need_more");
  });

  it("expects 8 bytes for FC05 and 5 for an exception", () => {
    expect(rtuFrameLength(frame(modbus, "unit1-coil0-on"))).toBe(8);
    expect(rtuFrameLength(frame(modbus, "unit1-exception-3").subarray(0, 2))).toBe(5);
  });

  it("says unknown for a function it does not speak", () => {
    expect(rtuFrameLength(frame(modbus, "unit1-fc06-write-register"))).toBe("unknown");
  });
});
