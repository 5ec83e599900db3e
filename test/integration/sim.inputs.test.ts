/**
 * The gateway's input drivers (doors.md D1) against the simulator's door hardware on a real
 * Mosquitto and a Modbus board's inputs: a turnstile pushed through, a door opened, a fire panel's
 * alarm, each through the input module the real site would use.
 */
import { describe, expect } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import type { InputLevel } from "../../gateway/features/inputSignals.js";
import { it } from "../harness/index.js";

/** Resolves once `check` holds, polling every 10 ms; fails after `ms`. */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("D1: inputs read from the simulator's door hardware", () => {
  it("D1: each MQTT input driver reads its module: PASS pulses, a door contact and a fire alarm, and unknown while the module is unplugged", async ({
    broker,
    simulator,
    gateway: startGateway,
  }) => {
    const sim = await simulator(
      [
        "devices:",
        "  - { id: gate, kind: turnstile, via: { driver: tasmota, topic: gate-io }, pulseMs: 300 }",
        "  - { id: side-door, kind: door, via: { driver: shelly-gen2, device: shellyplusi4-side } }",
        "  - { id: panel, kind: fire-panel, via: { driver: shelly-gen1, device: shellyi3-fire } }",
        "  - { id: lane, kind: turnstile, via: { driver: mqtt-json, topic: site/pool/lane }, pulseMs: 300 }",
        `broker: { url: "${broker.url}" }`,
      ].join("\n"),
    );
    const config = GatewayConfig.parse({
      mqtt: { url: broker.url },
      inputs: [
        { id: "gate-in", driver: "mqtt-tasmota", topic: "gate-io", switch: 1 },
        { id: "gate-out", driver: "mqtt-tasmota", topic: "gate-io", switch: 2 },
        { id: "side-contact", driver: "mqtt-shelly-gen2", device: "shellyplusi4-side", input: 0 },
        { id: "side-rex", driver: "mqtt-shelly-gen2", device: "shellyplusi4-side", input: 1 },
        { id: "fire", driver: "mqtt-shelly-gen1", device: "shellyi3-fire", input: 0 },
        { id: "lane-in", driver: "mqtt-json", topic: "site/pool/lane/pass-in", field: "state" },
      ],
    });
    const gateway = await startGateway({ config });
    const signals = gateway.inputSignals;
    const seen: [string, InputLevel][] = [];
    signals.onChange((id, level) => seen.push([id, level]));
    const ids = config.inputs.map((i) => i.id);
    // Every level is asked for (Status 10, Input.GetStatus, update) or retained: known without a change.
    await until(() => ids.every((id) => signals.level(id) === "inactive"));

    sim.act("gate", "pass-out");
    await until(() => signals.level("gate-out") === "active");
    await until(() => signals.level("gate-out") === "inactive");
    expect(signals.level("gate-in")).toBe("inactive");
    sim.act("lane", "pass-in");
    await until(() => signals.level("lane-in") === "active");
    sim.act("side-door", "open");
    sim.act("side-door", "rex");
    await until(() => signals.level("side-contact") === "active" && signals.level("side-rex") === "active");
    sim.act("panel", "alarm");
    await until(() => signals.level("fire") === "active");
    expect(seen.filter(([id]) => id === "gate-out").map(([, l]) => l)).toEqual([
      "inactive",
      "active",
      "inactive",
    ]);

    await sim.unplug("panel");
    await until(() => signals.level("fire") === "unknown");
    expect(gateway.status().problems).toContain(
      `input fire: level unknown since ${gateway.status().inputs.find((i) => i.id === "fire")?.downSince} (the device reports false (shellies/shellyi3-fire/online))`,
    );
    await sim.replug("panel");
    await until(() => signals.level("fire") === "active");
  });

  it("D1: a turnstile wired to a Modbus board's inputs is read over the bus the relay board shares", async ({
    simulator,
    gateway: startGateway,
  }) => {
    const sim = await simulator(
      [
        "devices:",
        "  - { id: board, kind: modbus-board, expose: { tcp: 0 }, coils: 4, inputs: 4 }",
        "  - { id: gate, kind: turnstile, via: { driver: modbus, board: board, address: 2 }, pulseMs: 300 }",
      ].join("\n"),
    );
    const port = sim.device("board").where();
    const config = GatewayConfig.parse({
      doors: [{ id: "gate", relay: "board", channel: 0, pulseMs: 300 }],
      relays: [{ id: "board", driver: "modbus-rtu", port }],
      inputs: [
        { id: "pass-in", driver: "modbus-rtu", port, address: 2 },
        { id: "pass-out", driver: "modbus-rtu", port, address: 3 },
      ],
    });
    const gateway = await startGateway({ config });
    const signals = gateway.inputSignals;
    await until(() => signals.level("pass-in") === "inactive" && signals.level("pass-out") === "inactive");
    sim.act("gate", "pass-in");
    await until(() => signals.level("pass-in") === "active");
    await until(() => signals.level("pass-in") === "inactive");
    expect(gateway.status().inputs.map((i) => [i.id, i.state, i.level])).toEqual([
      ["pass-in", "open", "inactive"],
      ["pass-out", "open", "inactive"],
    ]);
    expect(gateway.status().relays[0]?.state).toBe("open");
  });
});
