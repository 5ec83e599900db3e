/**
 * Issue 13 §6: a scenario at a simulated OSDP bus, run by the simulator's scenario runner over a
 * real pty, with a test-side CP standing in for the gateway: it polls under the secure channel,
 * and answers the card with a grant's feedback (D6: LED green, one beep, the output pulsed). The
 * scenario's `pd` steps reach the PD and its `expectPd` steps see the feedback; a wrong
 * expectation fails.
 */
import { join } from "node:path";
import { describe, expect } from "vitest";
import { LED_COLOR } from "../../drivers/osdp/codes.js";
import { openSerialTransport } from "../../drivers/transport/serialTransport.js";
import { loadSimConfig } from "../../firmware-sim/config.js";
import { checkScenario } from "../../firmware-sim/scenario.js";
import { runScenario } from "../../firmware-sim/scenarioRunner.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { test as it } from "../harness/index.js";
import { TestCp } from "./testCp.js";
import { hexBytes } from "./trace.js";

const GRANT_LED = {
  reader: 0,
  led: 0,
  temporary: {
    control: 2,
    onTenths: 20,
    offTenths: 0,
    onColor: LED_COLOR.GREEN,
    offColor: 0,
    timerTenths: 20,
  },
  permanent: { control: 0, onTenths: 0, offTenths: 0, onColor: 0, offColor: 0 },
};

/** Polls PD 1 until stopped; a card read gets a grant's feedback. */
async function gatewayStandIn(cp: TestCp, running: () => boolean): Promise<void> {
  while (running()) {
    const { reply } = await cp.send(1, { kind: "poll" });
    if (reply?.kind === "raw") {
      await cp.send(1, { kind: "led", leds: [GRANT_LED] });
      await cp.send(1, { kind: "buz", reader: 0, tone: 2, onTenths: 1, offTenths: 1, count: 1 });
      await cp.send(1, { kind: "out", outputs: [{ output: 0, control: 5, timerTenths: 5 }] });
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("an OSDP scenario", () => {
  it("D6: a card at a PD comes back as LED green, one beep and an output pulse, as the scenario expects", async ({
    folder,
    simulator,
    defer,
  }) => {
    const path = join(folder.dir, "bus");
    const yaml = `devices:\n  - id: bus\n    kind: osdp-bus\n    expose: { pty: ${path} }\n    pds: [{ address: 1, scbk: 000102030405060708090a0b0c0d0e0f }]\n`;
    const sim = await simulator(yaml);
    const port = await openSerialTransport(path, path, 9600);
    defer(() => port.close());
    const cp = new TestCp(port);
    expect(await cp.secure(1, hexBytes("000102030405060708090a0b0c0d0e0f"))).toEqual({ ok: true });
    let running = true;
    const loop = gatewayStandIn(cp, () => running);
    defer(async () => {
      running = false;
      await loop;
    });

    const text = [
      "steps:",
      '  - pd: { device: bus, address: 1, card: "123:4567" }',
      "  - expectPd: { device: bus, address: 1, led: green, beeps: 1, within: 3000 }",
      "  - expectPd: { device: bus, address: 1, output: 0, within: 3000 }",
      "  - pd: { device: bus, address: 1, card: '1:1' }",
      "  - expectPd: { device: bus, address: 1, led: red, within: 1000 }",
    ].join("\n");
    const { scenario, problems } = checkScenario("s.yaml", text, loadSimConfig("sim.yaml", yaml));
    if (scenario === null) throw new Error(problems.join("\n"));
    const result = await runScenario(scenario, sim, {
      clock: Date.now,
      scheduler: realScheduler,
      print: () => {},
    });
    expect(result.lines.filter((l) => /^[✓✗]/.test(l)).map((l) => l.slice(0, 1))).toEqual([
      "✓",
      "✓",
      "✓",
      "✓",
      "✗",
    ]);
    expect(result.lines.join("\n")).toMatch(
      /✓ {2}2\. expect bus\/1 led green, 1 beep within 3000 ms: seen led green/,
    );
    expect(result).toMatchObject({ passed: false, expectations: 3, failed: 1 });
  });
});
