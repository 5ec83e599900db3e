/**
 * Issue 13 §5: the example OSDP bus and scenario (firmware-sim/scenarios/osdp-bus.*) run against the
 * real gateway over a socat pty: three PDs in install mode, a member's card granted at the pool
 * entrance (LED green, one beep, the turnstile on output 0), an unknown card refused at the pool
 * exit (red, three beeps), a tamper at the gym reader.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { loadSimConfig } from "../../firmware-sim/config.js";
import { checkScenario } from "../../firmware-sim/scenario.js";
import { runScenario } from "../../firmware-sim/scenarioRunner.js";
import { listEvents } from "../../gateway/store/events.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { requireSocat } from "../helpers/socat.js";
import { importExamples, importInputs } from "../store/storeHelpers.js";

const scenarios = new URL("../../firmware-sim/scenarios/", import.meta.url);

describe("the example OSDP scenario against the gateway", () => {
  it("D6: passes every expectation of osdp-bus.scenario.yaml with the gateway's osdp readers and osdp-output relay", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    requireSocat();
    importExamples(t.store);
    importInputs(t.store, [
      {
        name: "pia.yaml",
        value: {
          members: [
            {
              id: "m-pia",
              name: "Pia",
              cards: [{ number: "123:4567" }],
              multipacks: [{ id: "mp-pia", product: "gymflex", purchasedAt: "2027-03-20T10:00:00+01:00" }],
            },
          ],
        },
      },
    ]);
    const bus = join(folder.dir, "osdp-bus");
    const keys = join(folder.dir, "keys");
    // The example's pty and key files, moved into the test's folder (no key yet: install mode).
    const simText = readFileSync(new URL("osdp-bus.sim.yaml", scenarios), "utf8")
      .replace("/tmp/accessgw-sim/osdp-bus", bus)
      .replaceAll("scbkFile: keys/", `scbkFile: ${keys}/`);
    const sim = await simulator(simText);
    const reader = (id: string, address: number, area: string, direction: string) => ({
      id,
      driver: "osdp",
      port: bus,
      address,
      area,
      direction,
      scbkFile: join(keys, `${id}.scbk`),
      cardNumber: "wiegand-fc-cn",
    });
    const config = GatewayConfig.parse({
      readers: [
        { ...reader("pool-in", 1, "pool", "in"), door: "pool-gate" },
        reader("pool-out", 2, "pool", "out"),
        reader("gym-in", 3, "gym", "in"),
      ],
      doors: [{ id: "pool-gate", relay: "pool-pd", channel: 0, pulseMs: 500 }],
      relays: [{ id: "pool-pd", driver: "osdp-output", reader: "pool-in" }],
    });
    const gateway = await startGateway({ config, clock: () => at("2027-03-22T10:00") });
    await vi.waitFor(
      () => expect(gateway.status().readers.map((r) => r.state)).toEqual(["open", "open", "open"]),
      {
        timeout: 8000,
      },
    );

    const text = readFileSync(new URL("osdp-bus.scenario.yaml", scenarios), "utf8");
    const { scenario, problems } = checkScenario(
      "osdp-bus.scenario.yaml",
      text,
      loadSimConfig("sim.yaml", simText),
    );
    if (scenario === null) throw new Error(problems.join("\n"));
    const result = await runScenario(scenario, sim, {
      clock: Date.now,
      scheduler: realScheduler,
      print: () => {},
    });
    expect(result, result.lines.join("\n")).toMatchObject({ passed: true, failed: 0 });
    expect(listEvents(t.store).map((e) => [e.readerId, e.decision, e.reason])).toEqual([
      ["pool-in", "grant", "ok"],
      ["pool-out", "deny", "unknown_card"],
    ]);
    // Each reader's bytes counter (status, the console's Devices page) counts what its own PD sent.
    const bytes = gateway.status().readers.map((r) => r.driverCounters?.bytes ?? 0);
    expect(bytes.every((n) => n > 0)).toBe(true);
  });
});
