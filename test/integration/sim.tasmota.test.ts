import { describe, expect, vi } from "vitest";
import { toCardNumber } from "../../drivers/codecs/cardNumber.js";
import { parsePowerState, powerCommand, pulseTimeCommand } from "../../drivers/codecs/tasmotaRelay.js";
import { parseTasmotaMessage } from "../../drivers/codecs/tasmotaSensor.js";
import { SimTasmotaDevice } from "../../firmware-sim/devices/tasmotaDevice.js";
import { test } from "../harness/index.js";
import { ManualScheduler } from "../helpers/fakeTransport.js";
import { RecordingScheduler } from "../helpers/simMqtt.js";

// The simulated Tasmota relay + reader against a real broker. Every test uses its own device
// topic because the broker (one per file) keeps the retained LWT messages between tests.

const AT = 1_764_000_000_000;
const TIME = "2025-11-24T16:00:00";

/** Waits for a broker round trip; generous so a loaded machine does not make it flaky. */
function eventually(check: () => void): Promise<void> {
  return vi.waitFor(check, { timeout: 5000, interval: 20 });
}

/** "topic payload" lines in arrival order, so RESULT/POWER interleaving is checked too. */
function lines(gw: { seen: readonly { topic: string; payload: string }[] }): string[] {
  return gw.seen.map((m) => `${m.topic} ${m.payload}`);
}

/**
 * A simulated Tasmota on the file's broker (not started), on a manual scheduler unless `extra` says
 * otherwise.
 */
const it = test.extend(
  "device",
  ({ broker }) =>
    (topic: string, extra: Partial<ConstructorParameters<typeof SimTasmotaDevice>[0]> = {}) =>
      new SimTasmotaDevice({ url: broker.url, topic, scheduler: new ManualScheduler(), ...extra }),
);

describe("SimTasmotaDevice reader", () => {
  it("publishes PN532 (DATA and Data), RDM6300 and Wiegand 26 reads the gateway's parser reads back", async ({
    device,
    started,
    watcher,
  }) => {
    const reader = await started(device("tasmota_rdr", { relays: 0, clock: () => AT }));
    const gw = await watcher("tele/tasmota_rdr/SENSOR");
    expect(reader.present({ sensor: "PN532", uid: "94D8FC5F" })).toBe(true);
    expect(reader.present({ sensor: "PN532", uid: "94D8FC5F", dataKey: "Data" })).toBe(true);
    expect(reader.present({ sensor: "RDM6300", uid: "008EC793" })).toBe(true);
    expect(reader.present({ sensor: "Wiegand", uid: 7748328, size: 26 })).toBe(true);
    await eventually(() => expect(gw.seen).toHaveLength(4));

    const payloads = gw.on("tele/tasmota_rdr/SENSOR");
    expect(payloads).toEqual([
      `{"Time":"${TIME}","PN532":{"UID":"94D8FC5F","DATA":""}}`,
      `{"Time":"${TIME}","PN532":{"UID":"94D8FC5F","Data":""}}`,
      `{"Time":"${TIME}","RDM6300":{"UID":"008EC793"}}`,
      `{"Time":"${TIME}","Wiegand":{"UID":7748328,"Size":26}}`,
    ]);
    const parsed = payloads.map((p) => parseTasmotaMessage("tele/tasmota_rdr/SENSOR", p, "tasmota_rdr"));
    expect(parsed).toEqual([
      { kind: "card", raw: { kind: "hex", text: "94D8FC5F" } },
      { kind: "card", raw: { kind: "hex", text: "94D8FC5F" } },
      { kind: "card", raw: { kind: "hex", text: "008EC793" } },
      {
        kind: "card",
        raw: {
          kind: "wiegand",
          text: "7748328",
          format: "H10301",
          facilityCode: 118,
          cardNumber: 15080,
          data: 7748328n,
        },
      },
    ]);
    const [, , rdm, wiegand] = parsed;
    if (rdm?.kind !== "card" || wiegand?.kind !== "card") throw new Error("expected cards");
    expect(toCardNumber(rdm.raw, "decimal")).toEqual({ ok: true, card: "9357203" });
    expect(toCardNumber(wiegand.raw, "wiegand-fc-cn")).toEqual({ ok: true, card: "118:15080" });
  });

  it("presents a card number as an 8-digit hex UID (PN532, RDM6300) or a 26-bit Wiegand value", async ({
    device,
    started,
    watcher,
  }) => {
    const pn532 = await started(device("tasmota_pn", { relays: 0, clock: () => AT }));
    const rdm = await started(device("tasmota_rdm", { relays: 0, clock: () => AT, cardSensor: "RDM6300" }));
    const wg = await started(device("tasmota_wg", { relays: 0, clock: () => AT, cardSensor: "Wiegand" }));
    const gw = await watcher("tele/+/SENSOR");
    expect(pn532.presentCard(9357203)).toBe(true);
    expect(rdm.presentCard("9357203")).toBe(true);
    expect(wg.presentCard(7748328)).toBe(true);
    await eventually(() => expect(gw.seen).toHaveLength(3));

    expect(gw.on("tele/tasmota_pn/SENSOR")).toEqual([
      `{"Time":"${TIME}","PN532":{"UID":"008EC793","DATA":""}}`,
    ]);
    expect(gw.on("tele/tasmota_rdm/SENSOR")).toEqual([`{"Time":"${TIME}","RDM6300":{"UID":"008EC793"}}`]);
    expect(gw.on("tele/tasmota_wg/SENSOR")).toEqual([
      `{"Time":"${TIME}","Wiegand":{"UID":7748328,"Size":26}}`,
    ]);
    const decimal = gw.seen.map((m) => {
      const message = parseTasmotaMessage(m.topic, m.payload, m.topic.split("/")[1] ?? "");
      if (message.kind !== "card") throw new Error(`expected a card on ${m.topic}`);
      return toCardNumber(message.raw, "decimal");
    });
    expect(decimal).toEqual([
      { ok: true, card: "9357203" },
      { ok: true, card: "9357203" },
      { ok: true, card: "7748328" },
    ]);

    expect(() => pn532.presentCard(2 ** 32)).toThrow(RangeError);
    expect(() => wg.presentCard(2 ** 24)).toThrow(RangeError);
    expect(() => pn532.presentCard("94D8FC5F")).toThrow(RangeError);
  });
});

describe("SimTasmotaDevice reader with an MFRC522", () => {
  it("publishes an RC522 section the gateway's parser reads back", async ({ device, started, watcher }) => {
    const rc = await started(device("tasmota_rc", { relays: 0, clock: () => AT, cardSensor: "RC522" }));
    const gw = await watcher("tele/tasmota_rc/SENSOR");
    expect(rc.presentCard(9357203)).toBe(true);
    await eventually(() => expect(gw.seen).toHaveLength(1));
    const [payload = ""] = gw.on("tele/tasmota_rc/SENSOR");
    expect(payload).toBe(`{"Time":"${TIME}","RC522":{"UID":"008EC793","Type":"MIFARE 1KB"}}`);
    expect(parseTasmotaMessage("tele/tasmota_rc/SENSOR", payload, "tasmota_rc")).toEqual({
      kind: "card",
      raw: { kind: "hex", text: "008EC793" },
    });
  });
});

describe("SimTasmotaDevice reader with SetOption123 1", () => {
  it.for([
    ["hex", `{"Time":"${TIME}","Wiegand":{"UID":"3110D8h","Size":26}}`],
    ["bare-hex", `{"Time":"${TIME}","Wiegand":{"UID":3110D8h,"Size":26}}`],
  ] as const)(
    "prints Wiegand UIDs as %s, which the gateway reads back; UID 0 is a parity error",
    async ([format, expected], { device, started, watcher }) => {
      const topic = `tasmota_so123_${format.replace("-", "_")}`;
      const reader = await started(
        device(topic, { relays: 0, clock: () => AT, cardSensor: "Wiegand", wiegandUid: format }),
      );
      const gw = await watcher(`tele/${topic}/SENSOR`);
      expect(reader.presentCard(0x3110d8)).toBe(true);
      expect(reader.presentCard(0)).toBe(true);
      await eventually(() => expect(gw.seen).toHaveLength(2));
      const [card, parity] = gw.on(`tele/${topic}/SENSOR`);
      expect(card).toBe(expected);
      expect(parseTasmotaMessage(`tele/${topic}/SENSOR`, card ?? "", topic)).toMatchObject({
        kind: "card",
        raw: { facilityCode: 0x31, cardNumber: 0x10d8 },
      });
      expect(parseTasmotaMessage(`tele/${topic}/SENSOR`, parity ?? "", topic)).toMatchObject({
        kind: "error",
        code: "bad_parity",
      });
    },
  );
});

describe("SimTasmotaDevice relay", () => {
  it("reports and takes its own StateText words", async ({ device, started, watcher }) => {
    const words = { off: "ZU", on: "AUF" };
    const relay = await started(device("tasmota_words", { clock: () => AT, stateText: words }));
    const gw = await watcher("stat/tasmota_words/+");
    await gw.send(powerCommand("tasmota_words", 1, true));
    await gw.send({ topic: "cmnd/tasmota_words/POWER1", payload: "zu" });
    await eventually(() => expect(gw.seen).toHaveLength(4));
    expect(gw.on("stat/tasmota_words/POWER1")).toEqual(["AUF", "ZU"]);
    expect(gw.on("stat/tasmota_words/POWER1").map((p) => parsePowerState(p, words))).toEqual([
      { ok: true, on: true },
      { ok: true, on: false },
    ]);
    expect(relay.history.map((c) => c.on)).toEqual([true, false]);
  });

  it("answers POWER1 ON/OFF with RESULT then stat POWER1, POWER as POWER1, any case, and empty as a query", async ({
    device,
    started,
    watcher,
  }) => {
    const relay = await started(device("tasmota_rly", { clock: () => AT }));
    const gw = await watcher("stat/tasmota_rly/+");
    await gw.send(powerCommand("tasmota_rly", 1, true));
    await eventually(() => expect(gw.seen).toHaveLength(2));
    expect(lines(gw)).toEqual(['stat/tasmota_rly/RESULT {"POWER1":"ON"}', "stat/tasmota_rly/POWER1 ON"]);
    expect(relay.isOn(1)).toBe(true);

    await gw.send(powerCommand("tasmota_rly", 1, false));
    await eventually(() => expect(gw.seen).toHaveLength(4));
    expect(lines(gw).slice(2)).toEqual([
      'stat/tasmota_rly/RESULT {"POWER1":"OFF"}',
      "stat/tasmota_rly/POWER1 OFF",
    ]);
    expect(relay.isOn(1)).toBe(false);

    await gw.send({ topic: "cmnd/tasmota_rly/POWER", payload: "on" });
    await gw.send({ topic: "cmnd/tasmota_rly/power1", payload: "Off" });
    await gw.send({ topic: "cmnd/tasmota_rly/Power", payload: "TOGGLE" });
    await gw.send({ topic: "cmnd/tasmota_rly/POWER1", payload: "" });
    await eventually(() => expect(gw.seen).toHaveLength(12));
    expect(lines(gw).slice(4)).toEqual([
      'stat/tasmota_rly/RESULT {"POWER1":"ON"}',
      "stat/tasmota_rly/POWER1 ON",
      'stat/tasmota_rly/RESULT {"POWER1":"OFF"}',
      "stat/tasmota_rly/POWER1 OFF",
      'stat/tasmota_rly/RESULT {"POWER1":"ON"}',
      "stat/tasmota_rly/POWER1 ON",
      // The empty payload only reports; it changes nothing (no history entry below).
      'stat/tasmota_rly/RESULT {"POWER1":"ON"}',
      "stat/tasmota_rly/POWER1 ON",
    ]);
    expect(gw.on("stat/tasmota_rly/POWER1").map((p) => parsePowerState(p))).toEqual(
      ["ON", "OFF", "ON", "OFF", "ON", "ON"].map((s) => ({ ok: true, on: s === "ON" })),
    );
    expect(relay.history).toEqual([true, false, true, false, true].map((on) => ({ channel: 1, on, at: AT })));
    expect(relay.badCommands).toBe(0);
  });

  it("switches POWER2 on a 2-relay device without touching POWER1", async ({ device, started, watcher }) => {
    const relay = await started(device("tasmota_dual", { relays: 2 }));
    const gw = await watcher("stat/tasmota_dual/+");
    await gw.send(powerCommand("tasmota_dual", 2, true));
    await eventually(() => expect(gw.seen).toHaveLength(2));
    expect(lines(gw)).toEqual(['stat/tasmota_dual/RESULT {"POWER2":"ON"}', "stat/tasmota_dual/POWER2 ON"]);
    expect([relay.isOn(1), relay.isOn(2)]).toEqual([false, true]);
  });
});

describe("SimTasmotaDevice PulseTime", () => {
  it("switches itself OFF after PulseTime1 10 (1000 ms) on the injected scheduler", async ({
    device,
    started,
    watcher,
  }) => {
    const scheduler = new RecordingScheduler();
    const relay = await started(device("tasmota_pulse", { scheduler }));
    const gw = await watcher("stat/tasmota_pulse/+");
    await gw.send(pulseTimeCommand("tasmota_pulse", 1, 1000));
    await eventually(() => expect(gw.seen).toHaveLength(1));
    expect(lines(gw)).toEqual(['stat/tasmota_pulse/RESULT {"PulseTime1":{"Set":10,"Remaining":0}}']);
    expect(relay.pulseTime(1)).toEqual({ value: 10, ms: 1000 });
    expect(scheduler.delays).toEqual([]);

    await gw.send(powerCommand("tasmota_pulse", 1, true));
    await eventually(() => expect(gw.on("stat/tasmota_pulse/POWER1")).toEqual(["ON"]));
    expect(scheduler.delays).toEqual([1000]);
    expect(scheduler.pending).toBe(1);
    expect(relay.isOn(1)).toBe(true);

    expect(scheduler.runNext()).toBe(true);
    expect(relay.isOn(1)).toBe(false);
    await eventually(() => expect(gw.on("stat/tasmota_pulse/POWER1")).toEqual(["ON", "OFF"]));
    expect(lines(gw).slice(1)).toEqual([
      'stat/tasmota_pulse/RESULT {"POWER1":"ON"}',
      "stat/tasmota_pulse/POWER1 ON",
      'stat/tasmota_pulse/RESULT {"POWER1":"OFF"}',
      "stat/tasmota_pulse/POWER1 OFF",
    ]);
    expect(relay.history.map(({ on }) => on)).toEqual([true, false]);
    expect(scheduler.pending).toBe(0);
  });

  it("reads values above 111 as value − 100 seconds, restarts on a second ON and cancels on OFF", async ({
    device,
    started,
    watcher,
  }) => {
    const scheduler = new RecordingScheduler();
    const relay = await started(device("tasmota_long", { scheduler }));
    const gw = await watcher("stat/tasmota_long/+");
    await gw.send({ topic: "cmnd/tasmota_long/pulsetime1", payload: "115" });
    await gw.send({ topic: "cmnd/tasmota_long/PulseTime1", payload: "" });
    await eventually(() => expect(gw.seen).toHaveLength(2));
    expect(gw.on("stat/tasmota_long/RESULT")).toEqual([
      '{"PulseTime1":{"Set":115,"Remaining":0}}',
      '{"PulseTime1":{"Set":115,"Remaining":0}}',
    ]);
    expect(relay.pulseTime(1)).toEqual({ value: 115, ms: 15_000 });

    await gw.send(powerCommand("tasmota_long", 1, true));
    await gw.send(powerCommand("tasmota_long", 1, true));
    await eventually(() => expect(gw.on("stat/tasmota_long/POWER1")).toEqual(["ON", "ON"]));
    // The second ON cleared the first timer and armed a new one.
    expect(scheduler.delays).toEqual([15_000, 15_000]);
    expect(scheduler.pending).toBe(1);
    expect(scheduler.runNext()).toBe(true);
    expect(scheduler.runNext()).toBe(false);
    await eventually(() => expect(gw.on("stat/tasmota_long/POWER1")).toEqual(["ON", "ON", "OFF"]));

    await gw.send(powerCommand("tasmota_long", 1, true));
    await gw.send(powerCommand("tasmota_long", 1, false));
    await eventually(() =>
      expect(gw.on("stat/tasmota_long/POWER1")).toEqual(["ON", "ON", "OFF", "ON", "OFF"]),
    );
    expect(scheduler.delays).toEqual([15_000, 15_000, 15_000]);
    expect(scheduler.pending).toBe(0);
    expect(relay.history.map(({ on }) => on)).toEqual([true, false, true, false]);

    // PulseTime 0 disables the pulse: ON stays ON.
    await gw.send({ topic: "cmnd/tasmota_long/PulseTime1", payload: "0" });
    await gw.send(powerCommand("tasmota_long", 1, true));
    await eventually(() => expect(gw.on("stat/tasmota_long/POWER1")).toHaveLength(6));
    expect(scheduler.pending).toBe(0);
    expect(relay.isOn(1)).toBe(true);
  });
});

describe("SimTasmotaDevice bad commands", () => {
  it("answers Error for bad payloads and Unknown for unknown commands or relays, counts them and keeps working", async ({
    device,
    started,
    watcher,
  }) => {
    const scheduler = new RecordingScheduler();
    const relay = await started(device("tasmota_bad", { scheduler }));
    const gw = await watcher("stat/tasmota_bad/+");
    const send = (command: string, payload: string) =>
      gw.send({ topic: `cmnd/tasmota_bad/${command}`, payload });
    await send("PulseTime1", "abc");
    await send("PulseTime1", "64901");
    await send("POWER1", "maybe");
    await send("POWER9", "ON");
    await send("POWER0", "ON");
    await send("Status", "0");
    await eventually(() => expect(gw.seen).toHaveLength(6));
    expect(lines(gw)).toEqual([
      'stat/tasmota_bad/RESULT {"Command":"Error"}',
      'stat/tasmota_bad/RESULT {"Command":"Error"}',
      'stat/tasmota_bad/RESULT {"Command":"Error"}',
      'stat/tasmota_bad/RESULT {"Command":"Unknown"}',
      'stat/tasmota_bad/RESULT {"Command":"Unknown"}',
      'stat/tasmota_bad/RESULT {"Command":"Unknown"}',
    ]);
    expect(relay.badCommands).toBe(6);
    expect(relay.pulseTime(1)).toEqual({ value: 0, ms: 0 });
    expect(relay.isOn(1)).toBe(false);
    expect(relay.history).toEqual([]);

    await send("PulseTime1", "10");
    await gw.send(powerCommand("tasmota_bad", 1, true));
    await eventually(() => expect(gw.on("stat/tasmota_bad/POWER1")).toEqual(["ON"]));
    expect(scheduler.delays).toEqual([1000]);
    expect(relay.isOn(1)).toBe(true);
    expect(relay.badCommands).toBe(6);
  });
});

describe("SimTasmotaDevice LWT", () => {
  it("is Online (retained) after start, Offline by the broker's will on unplug, and Online again on replug", async ({
    device,
    started,
    watcher,
  }) => {
    const relay = await started(device("tasmota_lwt", { clock: () => AT }));
    const gw = await watcher("tele/tasmota_lwt/LWT");
    await eventually(() =>
      expect(gw.seen).toEqual([{ topic: "tele/tasmota_lwt/LWT", payload: "Online", retain: true }]),
    );
    expect(relay.connected).toBe(true);

    await relay.unplug();
    expect(relay.plugged).toBe(false);
    await eventually(() => expect(gw.on("tele/tasmota_lwt/LWT")).toEqual(["Online", "Offline"]));
    expect(relay.present({ sensor: "RDM6300", uid: "008EC793" })).toBe(false);
    // The will is retained: a client that arrives later still learns the device is gone.
    const late = await watcher("tele/tasmota_lwt/LWT");
    await eventually(() =>
      expect(late.seen).toEqual([{ topic: "tele/tasmota_lwt/LWT", payload: "Offline", retain: true }]),
    );

    await relay.replug();
    expect(relay.plugged).toBe(true);
    await eventually(() => expect(gw.on("tele/tasmota_lwt/LWT")).toEqual(["Online", "Offline", "Online"]));
    const stat = await watcher("stat/tasmota_lwt/POWER1");
    await stat.send(powerCommand("tasmota_lwt", 1, true));
    await eventually(() => expect(stat.on("stat/tasmota_lwt/POWER1")).toEqual(["ON"]));
    expect(relay.isOn(1)).toBe(true);

    // A clean stop says Offline itself (retained) instead of relying on the will.
    await relay.stop();
    await eventually(() =>
      expect(gw.on("tele/tasmota_lwt/LWT")).toEqual(["Online", "Offline", "Online", "Offline"]),
    );
    const afterStop = await watcher("tele/tasmota_lwt/LWT");
    await eventually(() =>
      expect(afterStop.seen).toEqual([{ topic: "tele/tasmota_lwt/LWT", payload: "Offline", retain: true }]),
    );
  });
});
