import { describe, expect, it } from "vitest";
import { Reader, SerialReply } from "../../config/gateway.js";
import { jsonFeedback, replyLine, tasmotaFeedback } from "../../drivers/codecs/readerFeedback.js";
import { feedbackMessages, type MqttReaderConfig } from "../../drivers/readers/mqttReader.js";
import type { ReaderFeedback } from "../../drivers/readers/readerDriver.js";

const grant: ReaderFeedback = {
  decision: "grant",
  reason: "ok",
  message: "Ciao Ada — restano 8/10",
  undone: false,
};
const deny: ReaderFeedback = {
  decision: "deny",
  reason: "outside_time_window",
  message: "Piscina apre alle 08:00",
  undone: false,
};
const undone: ReaderFeedback = {
  decision: "deny",
  reason: "relay_failed",
  message: "La porta non si è aperta — riprova",
  undone: true,
};
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("D6: Tasmota buzzer and display", () => {
  it("D6: one short beep on a grant, three on a deny and on an undone grant", () => {
    expect(tasmotaFeedback("pool-reader", grant, false)).toEqual([
      { topic: "cmnd/pool-reader/Buzzer", payload: "1" },
    ]);
    expect(tasmotaFeedback("pool-reader", deny, false)).toEqual([
      { topic: "cmnd/pool-reader/Buzzer", payload: "3" },
    ]);
    expect(tasmotaFeedback("pool-reader", undone, false)[0]?.payload).toBe("3");
  });

  it("D6: with display: true the message goes to DisplayText on a cleared screen, brackets defused", () => {
    expect(tasmotaFeedback("pool-reader", deny, true)).toEqual([
      { topic: "cmnd/pool-reader/Buzzer", payload: "3" },
      { topic: "cmnd/pool-reader/DisplayText", payload: "[z]Piscina apre alle 08:00" },
    ]);
    const odd = { ...grant, message: "Welcome [x9y9]Eve\nline" };
    expect(tasmotaFeedback("t", odd, true)[1]?.payload).toBe("[z]Welcome (x9y9)Eve line");
  });
});

describe("D6: mqtt-json feedback payload", () => {
  it("D6: decision, reason, message and undone as JSON", () => {
    expect(JSON.parse(jsonFeedback(deny))).toEqual({
      decision: "deny",
      reason: "outside_time_window",
      message: "Piscina apre alle 08:00",
      undone: false,
    });
  });

  it("D6: only readers that can take it get messages: mqtt-json with a feedbackTopic, Tasmota; never esp-rfid", () => {
    const base = { id: "r", area: "pool", direction: "in" } as const;
    const parse = (r: object) => Reader.parse({ ...base, ...r }) as MqttReaderConfig;
    const json = parse({
      driver: "mqtt-json",
      topic: "pool/scan",
      field: "uid",
      feedbackTopic: "pool/display",
    });
    expect(feedbackMessages(json, grant)).toEqual([{ topic: "pool/display", payload: jsonFeedback(grant) }]);
    expect(feedbackMessages(parse({ driver: "mqtt-json", topic: "pool/scan", field: "uid" }), grant)).toEqual(
      [],
    );
    expect(feedbackMessages(parse({ driver: "mqtt-esp-rfid", topic: "esp" }), grant)).toEqual([]);
    expect(feedbackMessages(parse({ driver: "mqtt-text", topic: "t" }), grant)).toEqual([]);
    expect(
      feedbackMessages(parse({ driver: "mqtt-tasmota", topic: "t", display: true }), grant),
    ).toHaveLength(2);
  });
});

describe("D6: serial-line reply lines", () => {
  it("D6: the default line is the decision and the message, ended by CR LF", () => {
    expect(text(replyLine(SerialReply.parse({}), grant))).toBe("grant Ciao Ada — restano 8/10\r\n");
  });

  it("D6: fixed grant and deny lines, the reader's line ending; an undone grant gets the deny line", () => {
    const reply = SerialReply.parse({ grant: "G", deny: "D;{reason}", lineEnding: "cr" });
    expect(text(replyLine(reply, grant))).toBe("G\r");
    expect(text(replyLine(reply, deny))).toBe("D;outside_time_window\r");
    expect(text(replyLine(reply, undone))).toBe("D;relay_failed\r");
  });

  it("D6: ASCII for displays without UTF-8: accents dropped, dashes plain", () => {
    const reply = SerialReply.parse({ line: "{message}", lineEnding: "lf", charset: "ascii" });
    expect(text(replyLine(reply, undone))).toBe("La porta non si e aperta - riprova\n");
    expect(text(replyLine(reply, { ...grant, message: "Straße 東" }))).toBe("Strasse ?\n");
  });

  it("D6: a message never breaks the line (a block message with a newline)", () => {
    const reply = SerialReply.parse({ line: "{message}", lineEnding: "lf" });
    expect(text(replyLine(reply, { ...deny, message: "see\r\nreception" }))).toBe("see reception\n");
  });

  it("D6: a reply template with an unknown placeholder or a line break is refused, naming it", () => {
    const bad = SerialReply.safeParse({ line: "{decision} {credits}" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(
      /unknown placeholder \{credits\}: expected \{decision\}, \{reason\}, \{message\}/,
    );
    expect(SerialReply.safeParse({ grant: "OK\n" }).error?.issues[0]?.message).toMatch(/no line breaks/);
  });
});
