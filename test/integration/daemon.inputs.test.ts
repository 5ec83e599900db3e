/**
 * The daemon with inputs (doors.md D1) on a real Mosquitto: levels in status(), the InputSignals
 * feed for the door logic, and unknown while the broker is away.
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

describe("D1: the daemon's inputs", () => {
  it("D1: shows every input in status with its level, feeds changes to the door logic, and lists an input with no reading as a problem", async ({
    broker,
    mqttClient,
    gateway: startGateway,
  }) => {
    const device = await mqttClient();
    const config = GatewayConfig.parse({
      mqtt: { url: broker.url },
      inputs: [
        { id: "pool-pass-a", driver: "mqtt-json", topic: "site/pool/pass-a", field: "state", debounceMs: 0 },
        { id: "fire-panel", driver: "mqtt-shelly-gen1", device: "shellyi3-fire", input: 0, debounceMs: 0 },
        { id: "pool-contact", driver: "mqtt-tasmota", topic: "pool-io", switch: 1 },
      ],
    });
    const gateway = await startGateway({ config });
    const seen: [string, InputLevel][] = [];
    gateway.inputSignals.onChange((id, level) => seen.push([id, level]));
    await until(() => gateway.status().mqtt?.state === "open");
    // Retained, as these devices publish their levels: the gateway's subscription may not be in
    // place yet when the link reports open, and a retained level still reaches it.
    await device.publishAsync("site/pool/pass-a", '{"state":"open"}', { retain: true });
    await device.publishAsync("shellies/shellyi3-fire/input/0", "0", { retain: true });
    await until(() => gateway.inputSignals.level("fire-panel") === "inactive");
    await until(() => gateway.inputSignals.level("pool-pass-a") === "active");
    expect(seen).toEqual([
      ["pool-pass-a", "active"],
      ["fire-panel", "inactive"],
    ]);
    const status = gateway.status();
    expect(status.inputs.map((i) => [i.id, i.driver, i.level])).toEqual([
      ["pool-pass-a", "mqtt-json", "active"],
      ["fire-panel", "mqtt-shelly-gen1", "inactive"],
      ["pool-contact", "mqtt-tasmota", "unknown"],
    ]);
    expect(status.inputs[2]).toMatchObject({ state: "open", reason: "no reading yet" });
    expect(status.problems).toEqual([
      expect.stringMatching(/^input pool-contact: level unknown since \S+ \(no reading yet\)$/),
    ]);
    await device.publishAsync("shellies/shellyi3-fire/online", "false");
    await until(() => gateway.inputSignals.level("fire-panel") === "unknown");
    expect(gateway.status().inputs[1]?.reason).toBe(
      "the device reports false (shellies/shellyi3-fire/online)",
    );
    expect(gateway.inputSignals.level("no-such-input")).toBe("unknown");
  });
});
