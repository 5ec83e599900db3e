import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Input } from "../../config/inputs.js";
import { MqttInput, type MqttInputConfig } from "../../drivers/inputs/mqttInputs.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { FakeLink } from "../helpers/fakeMqttLink.js";
import { memoryLogger } from "../helpers/logs.js";

const T0 = Date.UTC(2026, 0, 5, 7, 0, 0);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

/** An MQTT input on a fake broker link, started; `raw` is the input as gateway.yaml writes it. */
function setup(raw: Record<string, unknown>) {
  const link = new FakeLink();
  const log = memoryLogger();
  const config = Input.parse({ id: "in-1", debounceMs: 0, ...raw }) as MqttInputConfig;
  const input = new MqttInput(config, {
    connection: link,
    gatewayId: "gw 1",
    scheduler: realScheduler,
    clock: () => Date.now(),
    logger: log.logger,
  });
  const levels: string[] = [];
  input.on("level", (c) => levels.push(c.level));
  input.start();
  return { link, input, levels, log };
}

describe("D1: inputs over MQTT", () => {
  it("D1: mqtt-json reads the field, counts changes and is unknown while the broker is away", () => {
    const { link, input, levels } = setup({ driver: "mqtt-json", topic: "site/pool/pass-a", field: "state" });
    expect(input.level()).toBe("unknown");
    expect(input.health().reason).toBe("no reading yet");
    link.deliver("site/pool/pass-a", '{"state":"open"}');
    expect(input.level()).toBe("active");
    expect(input.health()).toMatchObject({ state: "open", reason: undefined, downSince: undefined });
    vi.advanceTimersByTime(5000);
    link.setOpen(false);
    expect(input.level()).toBe("unknown");
    expect(input.health()).toMatchObject({ state: "waiting", downSince: T0 + 5000 });
    expect(input.health().reason).toContain("broker not connected");
    link.setOpen(true);
    link.deliver("site/pool/pass-a", '{"state":0}', true);
    expect(levels).toEqual(["active", "unknown", "inactive"]);
    expect(input.counters()).toMatchObject({ readings: 2, changes: 3, downs: 1 });
  });

  it("D1: a malformed payload is rejected, counted and logged without the payload, and the level stands", () => {
    const { link, input, log } = setup({ driver: "mqtt-json", topic: "t", field: "state" });
    link.deliver("t", '{"state":1}');
    link.deliver("t", "garbage 1234567890");
    link.deliver("t", "x".repeat(20_000));
    expect(input.level()).toBe("active");
    expect(input.counters().rejected).toEqual({ bad_json: 1, too_long: 1 });
    const info = log.at("info").filter((l) => l.msg === "read rejected");
    expect(info).toHaveLength(1);
    expect(JSON.stringify(log.at("info"))).not.toContain("1234567890");
  });

  it("D1: Tasmota asks for Status 10 on connect, reads Switch<n>, and is unknown while its LWT says Offline", () => {
    const { link, input } = setup({ driver: "mqtt-tasmota", topic: "gate-io", switch: 2 });
    expect(link.published).toEqual(["cmnd/gate-io/Status 10"]);
    link.deliver("stat/gate-io/STATUS10", '{"StatusSNS":{"Time":"x","Switch1":"OFF","Switch2":"ON"}}');
    expect(input.level()).toBe("active");
    link.deliver("tele/gate-io/LWT", "Offline", true);
    expect(input.level()).toBe("unknown");
    expect(input.health().reason).toBe("the device reports Offline (tele/gate-io/LWT)");
    // A retained state while offline is from before: it does not make the level known.
    link.deliver("stat/gate-io/RESULT", '{"Switch2":{"Action":"OFF"}}', true);
    expect(input.level()).toBe("unknown");
    link.deliver("tele/gate-io/LWT", "Online", true);
    expect(link.published).toEqual(["cmnd/gate-io/Status 10", "cmnd/gate-io/Status 10"]);
    link.deliver("tele/gate-io/SENSOR", '{"Time":"x","Switch2":"OFF"}');
    expect(input.level()).toBe("inactive");
  });

  it("D1: Tasmota reads a switch under its SwitchText", () => {
    const { link, input } = setup({
      driver: "mqtt-tasmota",
      topic: "gate-io",
      switch: 1,
      switchText: "Door",
    });
    link.deliver("stat/gate-io/RESULT", '{"Door":"ON"}');
    expect(input.level()).toBe("active");
  });

  it("D1: Shelly Gen2 asks Input.GetStatus on connect and follows NotifyStatus; offline makes it unknown", () => {
    const { link, input } = setup({ driver: "mqtt-shelly-gen2", device: "i4", input: 1, activeLow: true });
    expect(link.published).toEqual([
      'i4/rpc {"id":1,"src":"gw-1-inputs","method":"Input.GetStatus","params":{"id":1}}',
    ]);
    link.deliver("gw-1-inputs/rpc", '{"id":1,"src":"i4","dst":"gw-1-inputs","result":{"id":1,"state":true}}');
    expect(input.level()).toBe("inactive");
    link.deliver(
      "i4/events/rpc",
      '{"method":"NotifyStatus","params":{"ts":1,"input:1":{"id":1,"state":false}}}',
    );
    expect(input.level()).toBe("active");
    link.deliver("i4/online", "false");
    expect(input.level()).toBe("unknown");
  });

  it("D1: Shelly Gen1 asks for an update on connect and reads 0/1; a bad availability payload is a reject", () => {
    const { link, input } = setup({ driver: "mqtt-shelly-gen1", device: "shellyi3-1", input: 0 });
    expect(link.published).toEqual(["shellies/shellyi3-1/command update"]);
    link.deliver("shellies/shellyi3-1/input/0", "1");
    expect(input.level()).toBe("active");
    link.deliver("shellies/shellyi3-1/online", "maybe");
    expect(input.counters().rejected).toEqual({ bad_format: 1 });
    expect(input.level()).toBe("active");
  });

  it("D1: after stop no level changes follow", async () => {
    const { link, input, levels } = setup({ driver: "mqtt-shelly-gen1", device: "d", input: 0 });
    await input.stop();
    link.deliver("shellies/d/input/0", "1");
    expect(levels).toEqual([]);
    expect(input.health().state).toBe("stopped");
  });
});
