import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseEspRfidMessage } from "../../drivers/codecs/espRfid.js";
import { parseJsonReaderMessage, parseTextReaderMessage } from "../../drivers/codecs/mqttReaders.js";
import { parseTasmotaMessage } from "../../drivers/codecs/tasmotaSensor.js";

const time = '"Time":"2026-11-25T10:00:00"';
const SENSOR = "tele/door1/SENSOR";

describe("Tasmota reader messages", () => {
  it.each([
    ["a PN532 read with DATA", `{${time},"PN532":{"UID":"94D8FC5F","DATA":""}}`, "94D8FC5F"],
    [
      "a PN532 read with Data (newer firmware)",
      `{${time},"PN532":{"UID":"94D8FC5F","Data":"x"}}`,
      "94D8FC5F",
    ],
    ["an RDM6300 read", `{${time},"RDM6300":{"UID":"008EC793"}}`, "008EC793"],
    [
      "an MFRC522 read (RC522)",
      `{${time},"RC522":{"UID":"04A1B2C3D4E5F6","Type":"MIFARE 1KB"}}`,
      "04A1B2C3D4E5F6",
    ],
  ])("turn %s into a hex card read", (_name, payload, uid) => {
    expect(parseTasmotaMessage(SENSOR, payload, "door1")).toEqual({
      kind: "card",
      raw: { kind: "hex", text: uid },
    });
  });

  it("turns a 26-bit Wiegand read into facility code and card number", () => {
    const payload = new TextEncoder().encode(`{${time},"Wiegand":{"UID":7748328,"Size":26}}`);
    expect(parseTasmotaMessage(SENSOR, payload, "door1")).toEqual({
      kind: "card",
      raw: {
        kind: "wiegand",
        text: "7748328",
        format: "H10301",
        facilityCode: 118,
        cardNumber: 15080,
        data: 7748328n,
      },
    });
  });

  it("accepts a Wiegand UID printed as a hex string", () => {
    const payload = `{${time},"Wiegand":{"UID":"0x7B11D7","Size":34}}`;
    expect(parseTasmotaMessage(SENSOR, payload, "door1")).toMatchObject({
      kind: "card",
      raw: { format: "H10306", facilityCode: 123, cardNumber: 4567, text: "8065495" },
    });
  });

  it.each([
    ["decimal (the default)", `{"Wiegand":{"UID":0,"Size":26}}`],
    ["34 bits", `{"Wiegand":{"UID":0,"Size":34}}`],
    ["hex (SetOption123 1)", `{"Wiegand":{"UID":"0h","Size":26}}`],
  ])("reports Tasmota's Wiegand parity error, UID 0 in %s, as a rejected read, not card 0", (_n, payload) => {
    expect(parseTasmotaMessage(SENSOR, payload, "door1")).toEqual({
      kind: "error",
      code: "bad_parity",
      error: expect.stringContaining("parity error"),
    });
  });

  it.each([
    ["quoted, as current firmware prints it", `{${time},"Wiegand":{"UID":"3110D8h","Size":26}}`],
    [
      "unquoted, as older firmware prints it (not valid JSON)",
      `{${time},"Wiegand":{"UID":3110D8h,"Size":26}}`,
    ],
    ["in lower case", `{"Wiegand":{"UID":"3110d8H","Size":26}}`],
  ])("reads a SetOption123 hex UID with its trailing h, %s", (_n, payload) => {
    // 0x3110D8 = 3215576: FC 0x31 = 49, CN 0x10D8 = 4312.
    expect(parseTasmotaMessage(SENSOR, payload, "door1")).toEqual({
      kind: "card",
      raw: {
        kind: "wiegand",
        text: "3215576",
        format: "H10301",
        facilityCode: 49,
        cardNumber: 4312,
        data: 0x3110d8n,
      },
    });
  });

  it("still refuses a payload that is broken elsewhere than an unquoted hex UID", () => {
    expect(parseTasmotaMessage(SENSOR, `{"Wiegand":{"UID":3110D8h,"Size":26}`, "door1")).toMatchObject({
      kind: "error",
      error: "payload is not valid JSON",
    });
    expect(parseTasmotaMessage(SENSOR, `{"Wiegand":{"UID":"3110G8h","Size":26}}`, "door1")).toMatchObject({
      kind: "error",
      error: expect.stringContaining("Wiegand.UID"),
    });
  });

  // Payloads as xsns_82_wiegand.ino publishes them with SetOption124 1 (each key alone): the key's
  // value as UID, the frame's bits as Size; SetOption123 1 prints the value in hex with an "h".
  it.each([
    ['{"Time":"2026-12-06T20:40:00","Wiegand":{"UID":5,"Size":4}}', "5"],
    ['{"Wiegand":{"UID":0,"Size":4}}', "0"],
    ['{"Wiegand":{"UID":9,"Size":8}}', "9"],
    ['{"Wiegand":{"UID":10,"Size":4}}', "*"],
    ['{"Wiegand":{"UID":11,"Size":8}}', "#"],
    ['{"Wiegand":{"UID":"Bh","Size":4}}', "#"],
  ])("R21: a Wiegand keypad frame %s is the key %s", (payload, keys) => {
    expect(parseTasmotaMessage(SENSOR, payload, "door1")).toEqual({ kind: "keypad", keys });
  });

  it("R21: refuses keys Tasmota buffered into one number (SetOption124 0), naming the fix", () => {
    // Default Tasmota: "0042#" arrives as UID 42, its leading zeros and end key lost.
    const buffered = parseTasmotaMessage(SENSOR, '{"Wiegand":{"UID":4711,"Size":4}}', "door1");
    expect(buffered).toMatchObject({
      kind: "error",
      code: "bad_format",
      error: expect.stringContaining("SetOption124 1"),
    });
    // The rejected read is logged: the digits (perhaps a PIN) are not in it.
    expect(JSON.stringify(buffered)).not.toContain("4711");
    expect(parseTasmotaMessage(SENSOR, '{"Wiegand":{"UID":13,"Size":4}}', "door1")).toMatchObject({
      kind: "error",
      error: expect.stringContaining("is no key"),
    });
  });

  it("reports a Wiegand size it cannot decode", () => {
    expect(parseTasmotaMessage(SENSOR, `{"Wiegand":{"UID":5,"Size":30}}`, "door1")).toMatchObject({
      kind: "error",
      error: expect.stringContaining("Size 30"),
    });
  });

  it("reports a Wiegand UID too wide for its size", () => {
    expect(parseTasmotaMessage(SENSOR, `{"Wiegand":{"UID":16777216,"Size":26}}`, "door1")).toMatchObject({
      kind: "error",
    });
  });

  it("ignores other devices' topics and other sensors", () => {
    expect(parseTasmotaMessage("tele/door2/SENSOR", `{"RDM6300":{"UID":"01"}}`, "door1")).toEqual({
      kind: "ignored",
    });
    expect(parseTasmotaMessage("tele/door1/STATE", `{"RDM6300":{"UID":"01"}}`, "door1")).toEqual({
      kind: "ignored",
    });
    expect(parseTasmotaMessage(SENSOR, `{${time},"DS18B20":{"Temperature":21.5}}`, "door1")).toEqual({
      kind: "ignored",
    });
  });

  it("reports bad JSON and a UID that is not hex, naming the field", () => {
    expect(parseTasmotaMessage(SENSOR, "{not json", "door1")).toEqual({
      kind: "error",
      code: "bad_format",
      error: "payload is not valid JSON",
    });
    expect(parseTasmotaMessage(SENSOR, `{"PN532":{"UID":"XYZ"}}`, "door1")).toMatchObject({
      kind: "error",
      error: expect.stringContaining("PN532.UID"),
    });
  });
});

describe("esp-rfid reader messages", () => {
  it("turn an access message into a hex card read", () => {
    const payload = `{"type":"access","time":1732528800,"isKnown":"false","access":"Denied","uid":"a1b2c3d4"}`;
    expect(parseEspRfidMessage("lobby/send", payload, "lobby")).toEqual({
      kind: "card",
      raw: { kind: "hex", text: "a1b2c3d4" },
    });
  });

  it("ignore other message types and other topics", () => {
    expect(parseEspRfidMessage("lobby/send", `{"type":"heartbeat","uptime":5}`, "lobby")).toEqual({
      kind: "ignored",
    });
    expect(parseEspRfidMessage("lobby/sync", `{"type":"access","uid":"01"}`, "lobby")).toEqual({
      kind: "ignored",
    });
  });

  it("turn a Home Assistant mode message on <topic>/tag, which has no type, into a card read", () => {
    const payload = `{"uid":"a1b2c3d4","username":"Unknown","access":"Denied","time":1732528800,"doorName":"Lobby"}`;
    expect(parseEspRfidMessage("lobby/tag", payload, "lobby")).toEqual({
      kind: "card",
      raw: { kind: "hex", text: "a1b2c3d4" },
    });
    expect(parseEspRfidMessage("lobby/tag", `{"username":"Unknown"}`, "lobby")).toMatchObject({
      kind: "error",
      error: expect.stringContaining("uid"),
    });
  });

  it("turn a 1.0.x access message on the bare <topic> into a card read, and ignore its boot messages", () => {
    const payload = `{"type":"access","time":1732528800,"isKnown":"false","access":"Denied","username":"Unknown","uid":"14008ec793"}`;
    expect(parseEspRfidMessage("lobby", payload, "lobby")).toEqual({
      kind: "card",
      raw: { kind: "hex", text: "14008ec793" },
    });
    expect(parseEspRfidMessage("lobby", `{"type":"boot","time":1,"Wifi SSID":"x"}`, "lobby")).toEqual({
      kind: "ignored",
    });
  });

  it("report an access message without a uid", () => {
    expect(parseEspRfidMessage("lobby/send", `{"type":"access"}`, "lobby")).toMatchObject({
      kind: "error",
      error: expect.stringContaining("uid"),
    });
  });

  it("report a payload without a type", () => {
    expect(parseEspRfidMessage("lobby/send", `[1,2]`, "lobby")).toMatchObject({ kind: "error" });
  });
});

describe("generic JSON reader messages", () => {
  it("take the card from a top-level field", () => {
    expect(parseJsonReaderMessage(`{"card":"94D8FC5F"}`, "card")).toEqual({
      kind: "card",
      raw: { kind: "hex", text: "94D8FC5F" },
    });
  });

  it("take the card from a nested field path", () => {
    expect(parseJsonReaderMessage(`{"data":{"uid":4215834}}`, "data.uid")).toEqual({
      kind: "card",
      raw: { kind: "decimal", text: "4215834" },
    });
  });

  it("treat a non-hex string as text", () => {
    expect(parseJsonReaderMessage(`{"card":"member-7"}`, "card")).toEqual({
      kind: "card",
      raw: { kind: "text", text: "member-7" },
    });
  });

  it.each([
    ["a missing field", `{"data":{}}`, "data.uid", 'field "data.uid" is missing'],
    ["a path through a non-object", `{"data":5}`, "data.uid", 'field "data.uid" is missing'],
    ["a boolean", `{"card":true}`, "card", 'field "card" must be a string or number'],
    ["an empty string", `{"card":"  "}`, "card", 'field "card" is empty'],
    ["a fractional number", `{"card":1.5}`, "card", 'field "card" is not a card number'],
    ["bad JSON", `{"card":`, "card", "payload is not valid JSON"],
  ])("report %s", (_name, payload, path, error) => {
    expect(parseJsonReaderMessage(payload, path)).toEqual({ kind: "error", code: "bad_format", error });
  });
});

describe("bare text reader messages (ESPHome's documented examples)", () => {
  it.each([
    ["a Wiegand tag in decimal", "7616525", { kind: "decimal", text: "7616525" }],
    ["an NFC UID with dashes", "74-10-37-94", { kind: "hex", text: "74103794" }],
    ["an NFC UID with colons, in lower case", "74:10:37:9a", { kind: "hex", text: "7410379A" }],
    ["hex digits", "94d8fc5f", { kind: "hex", text: "94d8fc5f" }],
    ["other printable text, trimmed", " member-7\n", { kind: "text", text: "member-7" }],
  ])("read %s", (_name, payload, raw) => {
    expect(parseTextReaderMessage(payload)).toEqual({ kind: "card", raw });
  });

  it.each([
    ["an empty payload", "  ", "empty"],
    ["control characters", "12\u000034", "bad_characters"],
    ["bytes that are not UTF-8", new Uint8Array([0xff, 0xfe, 0x31]), "bad_characters"],
  ] as const)("reject %s", (_name, payload, code) => {
    expect(parseTextReaderMessage(payload)).toMatchObject({ kind: "error", code });
  });
});

describe("MQTT payload properties", () => {
  it("never throw on random payloads", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 64 })), (payload) => {
        parseTasmotaMessage(SENSOR, payload, "door1");
        parseEspRfidMessage("lobby/send", payload, "lobby");
        parseJsonReaderMessage(payload, "data.uid");
        parseTextReaderMessage(payload);
      }),
    );
  });
});
