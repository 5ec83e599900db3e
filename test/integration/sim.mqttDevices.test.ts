import { describe, expect, vi } from "vitest";
import { toCardNumber } from "../../drivers/codecs/cardNumber.js";
import { parseEspRfidMessage } from "../../drivers/codecs/espRfid.js";
import { parseJsonReaderMessage, parseTextReaderMessage } from "../../drivers/codecs/mqttReaders.js";
import {
  encodeSwitchSet,
  gen1RelayCommand,
  parseGen1RelayState,
  parseRpcResponse,
} from "../../drivers/codecs/shelly.js";
import { SimEspRfidReader } from "../../firmware-sim/devices/espRfidReader.js";
import { SimMqttJsonReader } from "../../firmware-sim/devices/mqttJsonReader.js";
import { SimShellyGen1 } from "../../firmware-sim/devices/shellyGen1.js";
import { SimShellyGen2 } from "../../firmware-sim/devices/shellyGen2.js";
import { it } from "../harness/index.js";
import { ManualScheduler } from "../helpers/fakeTransport.js";
import { RecordingScheduler } from "../helpers/simMqtt.js";

// The Shelly Gen2/Gen1, esp-rfid and JSON reader devices against a real broker; Tasmota is in
// sim.tasmota.test.ts.

describe("SimShellyGen2", () => {
  it("answers Switch.Set on <src>/rpc and ends the pulse itself after toggle_after", async ({
    broker,
    started,
    watcher,
  }) => {
    const scheduler = new RecordingScheduler();
    const shelly = await started(
      new SimShellyGen2({ url: broker.url, device: "shellyplus1-abc", scheduler }),
    );
    const gw = await watcher("gw-test/rpc");
    await gw.send(
      encodeSwitchSet({
        device: "shellyplus1-abc",
        rpcId: 7,
        src: "gw-test",
        switchId: 0,
        on: true,
        toggleAfterSeconds: 1.5,
      }),
    );
    await vi.waitFor(() =>
      expect(gw.on("gw-test/rpc")).toEqual([
        '{"id":7,"src":"shellyplus1-abc","dst":"gw-test","result":{"was_on":false}}',
      ]),
    );
    expect(parseRpcResponse(gw.seen[0]?.payload ?? "")).toEqual({
      ok: true,
      id: 7,
      src: "shellyplus1-abc",
      result: { was_on: false },
    });
    expect(shelly.isOn(0)).toBe(true);
    expect(scheduler.delays).toEqual([1500]);

    scheduler.runNext();
    expect(shelly.isOn(0)).toBe(false);
    expect(shelly.history.map(({ channel, on }) => ({ channel, on }))).toEqual([
      { channel: 0, on: true },
      { channel: 0, on: false },
    ]);
  });

  it("answers an unknown switch with -105, an unknown method with 404, bad params with -103, and counts garbage", async ({
    broker,
    started,
    watcher,
  }) => {
    const shelly = await started(
      new SimShellyGen2({
        url: broker.url,
        device: "shellypro2-x",
        switches: 2,
        scheduler: new ManualScheduler(),
      }),
    );
    const gw = await watcher("gw-err/rpc");
    await gw.send(
      encodeSwitchSet({ device: "shellypro2-x", rpcId: 1, src: "gw-err", switchId: 5, on: true }),
    );
    await gw.send({
      topic: "shellypro2-x/rpc",
      payload: '{"id":2,"src":"gw-err","method":"Switch.Toggle","params":{"id":0}}',
    });
    await gw.send({
      topic: "shellypro2-x/rpc",
      payload: '{"id":3,"src":"gw-err","method":"Switch.Set","params":{"id":1}}',
    });
    await gw.send({ topic: "shellypro2-x/rpc", payload: "not json" });
    await gw.send(
      encodeSwitchSet({ device: "shellypro2-x", rpcId: 4, src: "gw-err", switchId: 1, on: true }),
    );
    await vi.waitFor(() => expect(gw.seen).toHaveLength(4));

    expect(gw.seen[0]?.payload).toBe(
      '{"id":1,"src":"shellypro2-x","dst":"gw-err","error":{"code":-105,"message":"Argument \'id\', value 5 not found!"}}',
    );
    expect(parseRpcResponse(gw.seen[1]?.payload ?? "")).toMatchObject({
      ok: false,
      error: "rpc_error",
      id: 2,
      code: 404,
      message: "No handler for Switch.Toggle",
    });
    expect(parseRpcResponse(gw.seen[2]?.payload ?? "")).toMatchObject({ ok: false, id: 3, code: -103 });
    expect(parseRpcResponse(gw.seen[3]?.payload ?? "")).toMatchObject({ ok: true, id: 4 });
    expect(shelly.isOn(1)).toBe(true);
    expect(shelly.badCommands).toBe(1);
    expect(shelly.errors).toBe(3);
  });

  it("publishes NotifyStatus on each change and online false via the will on unplug", async ({
    broker,
    started,
    watcher,
  }) => {
    const shelly = await started(
      new SimShellyGen2({
        url: broker.url,
        device: "shelly-ev",
        scheduler: new ManualScheduler(),
        clock: () => 5000,
      }),
    );
    const gw = await watcher("shelly-ev/#");
    await vi.waitFor(() => expect(gw.on("shelly-ev/online")).toEqual(["true"]));
    await gw.send(encodeSwitchSet({ device: "shelly-ev", rpcId: 1, src: "gw-ev", switchId: 0, on: true }));
    await vi.waitFor(() => expect(gw.on("shelly-ev/events/rpc")).toHaveLength(1));
    expect(JSON.parse(gw.on("shelly-ev/events/rpc")[0] ?? "")).toEqual({
      src: "shelly-ev",
      dst: "shelly-ev/events",
      method: "NotifyStatus",
      params: { ts: 5, "switch:0": { id: 0, output: true, source: "MQTT" } },
    });

    await shelly.unplug();
    await vi.waitFor(() => expect(gw.on("shelly-ev/online")).toEqual(["true", "false"]));
  });
});

describe("SimShellyGen1", () => {
  it("switches relay/0 (gateway channel 1) on and off and reports each state", async ({
    broker,
    started,
    watcher,
  }) => {
    const shelly = await started(new SimShellyGen1({ url: broker.url, device: "shelly1-98CDAC" }));
    const gw = await watcher("shellies/shelly1-98CDAC/#");
    await vi.waitFor(() => expect(gw.on("shellies/shelly1-98CDAC/online")).toEqual(["true"]));

    await gw.send(gen1RelayCommand("shelly1-98CDAC", 0, true));
    await vi.waitFor(() => expect(gw.on("shellies/shelly1-98CDAC/relay/0")).toEqual(["on"]));
    expect(shelly.isOn(1)).toBe(true);
    await gw.send({ topic: "shellies/shelly1-98CDAC/relay/0/command", payload: "toggle" });
    await gw.send({ topic: "shellies/shelly1-98CDAC/relay/0/command", payload: "maybe" });
    await gw.send({ topic: "shellies/shelly1-98CDAC/relay/3/command", payload: "on" });
    await gw.send(gen1RelayCommand("shelly1-98CDAC", 0, false));
    await vi.waitFor(() => expect(gw.on("shellies/shelly1-98CDAC/relay/0")).toEqual(["on", "off", "off"]));
    expect(gw.on("shellies/shelly1-98CDAC/relay/0").map((p) => parseGen1RelayState(p).ok)).toEqual([
      true,
      true,
      true,
    ]);
    expect(shelly.history.map(({ channel, on }) => ({ channel, on }))).toEqual([
      { channel: 1, on: true },
      { channel: 1, on: false },
    ]);
    expect(shelly.badCommands).toBe(2);

    await shelly.unplug();
    await vi.waitFor(() => expect(gw.on("shellies/shelly1-98CDAC/online")).toEqual(["true", "false"]));
  });
});

describe("SimEspRfidReader", () => {
  it("sends access messages the gateway's esp-rfid parser reads, and boot/heartbeat it ignores", async ({
    broker,
    started,
    watcher,
  }) => {
    const reader = new SimEspRfidReader({
      url: broker.url,
      topic: "esp1",
      hostname: "pool-door",
      clock: () => 1_764_000_000_000,
    });
    const gw = await watcher("esp1/#");
    await started(reader);
    expect(reader.present("a1b2c3d4")).toBe(true);
    expect(reader.heartbeat()).toBe(true);
    await vi.waitFor(() => expect(gw.on("esp1/send")).toHaveLength(3));

    const [boot, access, heartbeat] = gw.on("esp1/send");
    expect(JSON.parse(boot ?? "")).toEqual({
      type: "boot",
      time: 1_764_000_000,
      uptime: "0",
      ip: "192.168.4.1",
      hostname: "pool-door",
    });
    expect(access).toBe(
      '{"type":"access","time":1764000000,"isKnown":"false","access":"Denied","username":"Unknown","uid":"a1b2c3d4","door":"pool-door"}',
    );
    expect(JSON.parse(heartbeat ?? "")).toMatchObject({
      type: "heartbeat",
      uptime: 0,
      hostname: "pool-door",
    });
    expect(gw.on("esp1/send").map((p) => parseEspRfidMessage("esp1/send", p, "esp1"))).toEqual([
      { kind: "ignored" },
      { kind: "card", raw: { kind: "hex", text: "a1b2c3d4" } },
      { kind: "ignored" },
    ]);
    expect(gw.on("esp1/avty")).toEqual(["online"]);
  });

  it.for([
    ["tag", "esp3/tag", "Home Assistant mode"],
    ["bare", "esp3b", "1.0.x"],
  ] as const)(
    "publishes in the %s layout on %s (%s), which the gateway's parser reads",
    async ([layout, topic, _firmware], { broker, started, watcher }) => {
      const base = layout === "tag" ? "esp3" : "esp3b";
      const reader = await started(
        new SimEspRfidReader({ url: broker.url, topic: base, layout, module: "rdm6300" }),
      );
      // "#" also matches the bare base topic itself.
      const gw = await watcher(`${base}/#`);
      expect(reader.presentCard(9357203)).toBe(true);
      const cards = () => gw.on(topic).filter((p) => parseEspRfidMessage(topic, p, base).kind === "card");
      await vi.waitFor(() => expect(cards()).toHaveLength(1));
      const [payload = ""] = cards();
      const parsed = parseEspRfidMessage(topic, payload, base);
      expect(parsed).toEqual({ kind: "card", raw: { kind: "hex", text: "14008ec793" } });
      if (parsed.kind !== "card") return;
      expect(toCardNumber(parsed.raw, "em4100")).toEqual({ ok: true, card: "9357203" });
      if (layout === "tag") expect(JSON.parse(payload)).not.toHaveProperty("type");
      else expect(JSON.parse(payload)).toMatchObject({ type: "access" });
    },
  );

  it("presents a card number as its hex UID and goes offline via the will on unplug", async ({
    broker,
    started,
    watcher,
  }) => {
    const reader = await started(new SimEspRfidReader({ url: broker.url, topic: "esp2" }));
    const gw = await watcher("esp2/#");
    expect(reader.plugged).toBe(true);
    reader.presentCard("9357203");
    await vi.waitFor(() => expect(gw.on("esp2/send")).toHaveLength(1));
    const message = parseEspRfidMessage("esp2/send", gw.on("esp2/send")[0] ?? "", "esp2");
    if (message.kind !== "card") throw new Error("expected a card");
    expect(toCardNumber(message.raw, "decimal")).toEqual({ ok: true, card: "9357203" });

    await reader.unplug();
    expect(reader.plugged).toBe(false);
    await vi.waitFor(() => expect(gw.on("esp2/avty")).toEqual(["online", "offline"]));
    await reader.replug();
    await vi.waitFor(() =>
      expect(gw.on("esp2/send").map((p) => JSON.parse(p).type)).toEqual(["access", "boot"]),
    );
  });
});

describe("SimMqttJsonReader", () => {
  it("puts the card at the configured field path, parsed back by the gateway's JSON reader parser", async ({
    broker,
    started,
    watcher,
  }) => {
    const reader = await started(
      new SimMqttJsonReader({
        url: broker.url,
        topic: "esphome/gym/card",
        field: "data.uid",
        extra: { reader: "gym" },
      }),
    );
    const gw = await watcher("esphome/gym/card");
    reader.present("94D8FC5F");
    reader.present(4215834);
    reader.garbage("{}");
    await vi.waitFor(() => expect(gw.seen).toHaveLength(3));
    expect(gw.on("esphome/gym/card")[0]).toBe('{"reader":"gym","data":{"uid":"94D8FC5F"}}');
    expect(gw.on("esphome/gym/card").map((p) => parseJsonReaderMessage(p, "data.uid"))).toEqual([
      { kind: "card", raw: { kind: "hex", text: "94D8FC5F" } },
      { kind: "card", raw: { kind: "decimal", text: "4215834" } },
      { kind: "error", code: "bad_format", error: 'field "data.uid" is missing' },
    ]);
    expect(() => new SimMqttJsonReader({ url: broker.url, topic: "t", field: "a..b" })).toThrow(RangeError);
  });

  it("in text format publishes the card itself, as ESPHome's examples do, read by the mqtt-text parser", async ({
    broker,
    started,
    watcher,
  }) => {
    const reader = await started(
      new SimMqttJsonReader({
        url: broker.url,
        topic: "esphome/gym/tag",
        field: "uid",
        format: "text",
      }),
    );
    const gw = await watcher("esphome/gym/tag");
    reader.present("7616525");
    reader.present("74-10-37-94");
    await vi.waitFor(() => expect(gw.seen).toHaveLength(2));
    expect(gw.on("esphome/gym/tag")).toEqual(["7616525", "74-10-37-94"]);
    expect(gw.on("esphome/gym/tag").map((p) => parseTextReaderMessage(p))).toEqual([
      { kind: "card", raw: { kind: "decimal", text: "7616525" } },
      { kind: "card", raw: { kind: "hex", text: "74103794" } },
    ]);
  });
});
