import mqtt from "mqtt";
import { describe, expect } from "vitest";
import { Reader } from "../../config/gateway.js";
import { MqttConnection } from "../../drivers/mqtt/connection.js";
import { createReader } from "../../drivers/readers/createReader.js";
import { MqttReader, type MqttReaderConfig } from "../../drivers/readers/mqttReader.js";
import type { CardEvent, ReaderStateEvent, RejectedEvent } from "../../drivers/readers/readerDriver.js";
import { openTransport } from "../../drivers/transport/transport.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { type Defer, test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import { reaches } from "../helpers/mqttHealth.js";

const it = test
  /** The gateway's one broker connection, shared by the file's readers as in the daemon. */
  .extend("conn", { scope: "file" }, async ({ broker }, { onCleanup }) => {
    const conn = new MqttConnection({
      logger: silentLogger(),
      config: { url: broker.url },
      gatewayId: "gw-readers",
      backoff: { baseMs: 50, factor: 2, capMs: 200, jitter: "none" },
    });
    conn.start();
    onCleanup(() => conn.stop());
    await reaches(conn, "open");
    return conn;
  })
  /** A device on the broker that publishes reads (and connects again after a broker restart). */
  .extend("device", { scope: "file" }, async ({ broker }, { onCleanup }) => {
    const device = await mqtt.connectAsync(broker.url, { reconnectPeriod: 200 });
    onCleanup(() => device.endAsync(true));
    return device;
  })
  .extend(
    "reader",
    ({ conn, defer }) =>
      (raw: Record<string, unknown>) =>
        reader(conn, defer, raw),
  )
  /** Publishes as the device, at QoS 1. */
  .extend(
    "publish",
    ({ device }) =>
      (topic: string, payload: string | Buffer, retain = false) =>
        device.publishAsync(topic, payload, { qos: 1, retain }),
  );

/** A started reader with every event it reports, and a way to wait for the n-th card or reject. */
async function reader(conn: MqttConnection, defer: Defer, raw: Record<string, unknown>) {
  const config = Reader.parse({ id: "r1", area: "pool", direction: "in", ...raw }) as MqttReaderConfig;
  const made = createReader(config, {
    logger: silentLogger(),
    transportFactory: openTransport,
    clock: () => 42,
    scheduler: realScheduler,
    mqtt: conn,
  });
  if (!made.ok) throw made.error;
  const r = made.reader;
  defer(() => r.stop());
  const cards: CardEvent[] = [];
  const rejected: RejectedEvent[] = [];
  const states: ReaderStateEvent[] = [];
  const waits: (() => void)[] = [];
  const poke = () => {
    for (const w of waits.splice(0)) w();
  };
  r.on("card", (e) => {
    cards.push(e);
    poke();
  });
  r.on("rejected", (e) => {
    rejected.push(e);
    poke();
  });
  r.on("state", (e) => {
    states.push(e);
    poke();
  });
  r.start();
  await conn.whenSubscribed();
  const events = async (n: number) => {
    while (cards.length + rejected.length < n) await new Promise<void>((resolve) => waits.push(resolve));
  };
  const stateIs = async (state: string) => {
    while (states.at(-1)?.state !== state) await new Promise<void>((resolve) => waits.push(resolve));
  };
  return { r, cards, rejected, states, events, stateIs };
}

describe("mqtt-tasmota reader", () => {
  it("reads a PN532 UID with the DATA key (older firmware) and with Data (newer)", async ({
    reader,
    publish,
  }) => {
    const h = await reader({ driver: "mqtt-tasmota", topic: "pool-in", cardNumber: "hex" });
    expect(h.r).toBeInstanceOf(MqttReader);
    await publish(
      "tele/pool-in/SENSOR",
      '{"Time":"2026-11-25T06:00:00","PN532":{"UID":"94D8FC5F","DATA":""}}',
    );
    await publish(
      "tele/pool-in/SENSOR",
      '{"Time":"2026-11-25T06:00:01","PN532":{"UID":"04A1B2C3","Data":"x"}}',
    );
    await h.events(2);
    expect(h.cards).toEqual([
      { readerId: "r1", card: "94D8FC5F", at: 42 },
      { readerId: "r1", card: "4A1B2C3", at: 42 },
    ]);
    expect(h.r.counters()).toMatchObject({ cards: 2, rejected: {} });
  });

  it("reads an MFRC522 UID (Tasmota's RC522 section)", async ({ reader, publish }) => {
    const h = await reader({ driver: "mqtt-tasmota", topic: "pool-rc", cardNumber: "hex" });
    await publish(
      "tele/pool-rc/SENSOR",
      '{"Time":"2026-11-25T06:00:00","RC522":{"UID":"04A1B2C3","Data":"","Type":"MIFARE 1KB"}}',
    );
    await h.events(1);
    expect(h.cards.map((c) => c.card)).toEqual(["4A1B2C3"]);
  });

  it("reads an RDM6300 tag as the 32-bit decimal number", async ({ reader, publish }) => {
    const h = await reader({ driver: "mqtt-tasmota", topic: "pool-in", cardNumber: "decimal" });
    await publish("tele/pool-in/SENSOR", '{"Time":"2026-11-25T06:00:00","RDM6300":{"UID":"008EC793"}}');
    await h.events(1);
    expect(h.cards.map((c) => c.card)).toEqual(["9357203"]);
  });

  it.for([
    ["wiegand-fc-cn", "123:4567"],
    ["decimal", "8065495"],
    ["hex", "7B11D7"],
  ])(
    "reads a Wiegand 26 UID (parity stripped) in %s mode as %s",
    async ([cardNumber, card], { reader, publish }) => {
      const h = await reader({ driver: "mqtt-tasmota", topic: "pool-in", cardNumber });
      // FC 123, CN 4567: (123 << 16) | 4567 = 8065495, as Tasmota prints it without parity bits.
      await publish(
        "tele/pool-in/SENSOR",
        '{"Time":"2026-11-25T06:00:00","Wiegand":{"UID":8065495,"Size":26}}',
      );
      await h.events(1);
      expect(h.cards.map((c) => c.card)).toEqual([card]);
    },
  );

  it("counts Tasmota's Wiegand parity error (UID 0) as a rejected read and opens nothing for card 0", async ({
    reader,
    publish,
  }) => {
    const h = await reader({ driver: "mqtt-tasmota", topic: "pool-par", cardNumber: "decimal" });
    await publish("tele/pool-par/SENSOR", '{"Time":"2026-11-25T06:00:00","Wiegand":{"UID":0,"Size":26}}');
    await publish(
      "tele/pool-par/SENSOR",
      '{"Time":"2026-11-25T06:00:01","Wiegand":{"UID":3110D8h,"Size":26}}',
    );
    await h.events(2);
    expect(h.rejected).toEqual([
      { readerId: "r1", error: "bad_parity", detail: expect.stringContaining("parity error") },
    ]);
    // SetOption123 1 on older firmware: the unquoted hex UID is still read.
    expect(h.cards.map((c) => c.card)).toEqual(["3215576"]);
    expect(h.r.counters()).toMatchObject({ cards: 1, rejected: { bad_parity: 1 } });
  });

  it("ignores other topics, other sensors and keypad Wiegand sizes", async ({ reader, publish }) => {
    const h = await reader({ driver: "mqtt-tasmota", topic: "pool-ign", cardNumber: "hex" });
    await publish("tele/pool-ign/STATE", '{"Time":"x","Wifi":{}}');
    await publish("tele/pool-ign2/SENSOR", '{"PN532":{"UID":"11111111"}}');
    await publish("tele/pool-ign/SENSOR", '{"Time":"x","DS18B20":{"Temperature":21.5}}');
    await publish("tele/pool-ign/SENSOR", '{"Time":"x","Wiegand":{"UID":5,"Size":4}}');
    await publish("tele/pool-ign/SENSOR", '{"PN532":{"UID":"0000ABCD"}}');
    await h.events(1);
    expect(h.cards.map((c) => c.card)).toEqual(["ABCD"]);
    expect(h.rejected).toEqual([]);
  });

  it("does not take a retained read the broker replays on subscribe as a card", async ({
    reader,
    publish,
  }) => {
    await publish("tele/pool-ret/SENSOR", '{"PN532":{"UID":"DEADBEEF"}}', true);
    const h = await reader({ driver: "mqtt-tasmota", topic: "pool-ret", cardNumber: "hex" });
    await publish("tele/pool-ret/SENSOR", '{"PN532":{"UID":"0000ABCD"}}');
    await h.events(1);
    expect(h.cards.map((c) => c.card)).toEqual(["ABCD"]);
    expect(h.r.counters().bytes).toBeGreaterThan(0);
    await publish("tele/pool-ret/SENSOR", "", true);
  });

  it("rejects and counts bad JSON, a wrong shape, a huge payload and an inexpressible card, and keeps reading", async ({
    reader,
    publish,
    conn,
  }) => {
    const h = await reader({ driver: "mqtt-tasmota", topic: "pool-in", cardNumber: "wiegand-fc-cn" });
    const before = conn.counters().badPayloads;
    await publish("tele/pool-in/SENSOR", "{not json");
    await publish("tele/pool-in/SENSOR", '{"PN532":{"UID":"XYZ"}}');
    await publish("tele/pool-in/SENSOR", Buffer.alloc(200_000, 0x41));
    await publish("tele/pool-in/SENSOR", '{"PN532":{"UID":"94D8FC5F"}}');
    await publish("tele/pool-in/SENSOR", '{"Wiegand":{"UID":8065495,"Size":26}}');
    await h.events(5);
    expect(h.rejected.map((e) => e.error)).toEqual(["bad_format", "bad_format", "too_long", "unsupported"]);
    expect(h.rejected[0]?.detail).toContain("not valid JSON");
    expect(h.rejected[1]?.detail).toContain("PN532.UID");
    expect(h.rejected[2]?.detail).toContain("200000 bytes");
    expect(h.cards.map((c) => c.card)).toEqual(["123:4567"]);
    expect(h.r.counters()).toMatchObject({
      cards: 1,
      rejected: { bad_format: 2, too_long: 1, unsupported: 1 },
    });
    expect(conn.counters().badPayloads - before).toBe(4);
    expect(conn.isOpen()).toBe(true);
  });
});

describe("mqtt-esp-rfid reader", () => {
  it("takes access messages and ignores every other type", async ({ reader, publish }) => {
    const h = await reader({ driver: "mqtt-esp-rfid", topic: "esprfid/gate", cardNumber: "hex" });
    await publish("esprfid/gate/send", '{"type":"boot","time":1700000000,"Wifi SSID":"gym"}');
    await publish("esprfid/gate/send", '{"type":"heartbeat","time":1700000001}');
    await publish(
      "esprfid/gate/send",
      '{"type":"access","time":1700000002,"isKnown":"false","access":"Denied","username":"Unknown","uid":"a1b2c3d4","door":"gate"}',
    );
    await publish("esprfid/gate/sync", '{"type":"access","uid":"FFFFFFFF"}');
    await publish("esprfid/gate/send", '{"type":"access"}');
    await h.events(2);
    expect(h.cards.map((c) => c.card)).toEqual(["A1B2C3D4"]);
    expect(h.rejected).toEqual([expect.objectContaining({ error: "bad_format", readerId: "r1" })]);
  });
  it("reads every esp-rfid layout: 2.x on <topic>/send, Home Assistant mode on <topic>/tag, 1.0.x on <topic>", async ({
    reader,
    publish,
  }) => {
    const h = await reader({ driver: "mqtt-esp-rfid", topic: "esprfid/lobby", cardNumber: "hex" });
    await publish("esprfid/lobby/send", '{"type":"access","uid":"a1b2c3d4","isKnown":"false"}');
    await publish("esprfid/lobby/tag", '{"uid":"b1b2c3d4","username":"Unknown","access":"Denied","time":1}');
    await publish(
      "esprfid/lobby",
      '{"type":"access","time":1,"isKnown":"false","access":"Denied","uid":"c1b2c3d4"}',
    );
    await publish("esprfid/lobby", '{"type":"heartbeat","time":2}');
    await h.events(3);
    expect(h.cards.map((c) => c.card)).toEqual(["A1B2C3D4", "B1B2C3D4", "C1B2C3D4"]);
    expect(h.rejected).toEqual([]);
  });

  it("gives an RDM6300 fob the same number as the rdm6300 and Tasmota paths with cardNumber: em4100", async ({
    reader,
    publish,
  }) => {
    const h = await reader({ driver: "mqtt-esp-rfid", topic: "esprfid/em", cardNumber: "em4100" });
    // esp-rfid prints the EM4100 version byte (14) in front of the 32-bit tag 008EC793.
    await publish("esprfid/em/send", '{"type":"access","uid":"14008ec793","isKnown":"false"}');
    await h.events(1);
    expect(h.cards.map((c) => c.card)).toEqual(["9357203"]);
  });
});

describe("mqtt-json reader", () => {
  it("reads the configured nested field: a hex string or a decimal number", async ({ reader, publish }) => {
    const h = await reader({
      driver: "mqtt-json",
      topic: "esphome/+/rfid",
      field: "data.uid",
      cardNumber: "decimal",
    });
    await publish("esphome/gate/rfid", '{"data":{"uid":"008EC793"}}');
    await publish("esphome/gate/rfid", '{"data":{"uid":1234567}}');
    await publish("esphome/gate/rfid", '{"uid":"008EC793"}');
    await publish("esphome/gate/rfid", '{"data":{"uid":["x"]}}');
    await h.events(4);
    expect(h.cards.map((c) => c.card)).toEqual(["9357203", "1234567"]);
    expect(h.rejected.map((e) => e.detail)).toEqual([
      expect.stringContaining('field "data.uid" is missing'),
      expect.stringContaining("must be a string or number"),
    ]);
  });
});

describe("mqtt-text reader", () => {
  it("reads ESPHome's bare payloads: a decimal Wiegand tag and a dashed NFC UID", async ({
    reader,
    publish,
  }) => {
    const h = await reader({ driver: "mqtt-text", topic: "esphome/+/tag", cardNumber: "hex" });
    await publish("esphome/gate/tag", "7616525");
    await publish("esphome/gate/tag", "74-10-37-94");
    await publish("esphome/gate/tag", "");
    await h.events(3);
    expect(h.cards.map((c) => c.card)).toEqual(["74380D", "74103794"]);
    expect(h.rejected).toEqual([expect.objectContaining({ error: "empty" })]);
  });
});

describe("MQTT readers and the broker going away", () => {
  it("mirror the connection state and read again after the broker restarts, without restarting the reader", async ({
    broker,
    reader,
    publish,
    conn,
    device,
  }) => {
    const h = await reader({ driver: "mqtt-tasmota", topic: "pool-in", cardNumber: "hex" });
    expect(h.states.at(-1)).toMatchObject({ readerId: "r1", state: "open", reason: undefined });
    await publish("tele/pool-in/SENSOR", '{"PN532":{"UID":"000000A1"}}');
    await h.events(1);

    await broker.stop();
    await h.stateIs("waiting");
    expect(h.states.at(-1)?.reason).toBeTypeOf("string");
    await broker.restart();
    await h.stateIs("open");
    await conn.whenSubscribed();
    if (!device.connected) await new Promise<void>((resolve) => device.once("connect", () => resolve()));

    await publish("tele/pool-in/SENSOR", '{"PN532":{"UID":"000000A2"}}');
    await h.events(2);
    expect(h.cards.map((c) => c.card)).toEqual(["A1", "A2"]);
    expect(h.r.counters().reconnects).toBe(1);
  });

  it("report a missing mqtt: section as an unsupported driver naming the reader", () => {
    const made = createReader(
      Reader.parse({ id: "gate-x", area: "pool", direction: "in", driver: "mqtt-esp-rfid", topic: "x" }),
      {
        logger: silentLogger(),
        transportFactory: openTransport,
        clock: () => 0,
        scheduler: realScheduler,
      },
    );
    expect(made.ok).toBe(false);
    if (made.ok) return;
    expect(made.error.code).toBe("READER_DRIVER_UNSUPPORTED");
    expect(made.error.message).toContain("gate-x");
    expect(made.error.message).toContain("mqtt: section");
  });

  it("stops: no events after stop(), and the shared connection stays open", async ({
    reader,
    publish,
    conn,
  }) => {
    const h = await reader({ driver: "mqtt-tasmota", topic: "pool-stop", cardNumber: "hex" });
    const other = await reader({ driver: "mqtt-tasmota", topic: "pool-stop", cardNumber: "hex" });
    await h.r.stop();
    await publish("tele/pool-stop/SENSOR", '{"PN532":{"UID":"000000B1"}}');
    await other.events(1);
    expect(h.cards).toEqual([]);
    expect(other.cards.map((c) => c.card)).toEqual(["B1"]);
    expect(conn.isOpen()).toBe(true);
  });
});
