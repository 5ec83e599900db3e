/**
 * Issue 13 §4: the `osdp-output` relay on a simulated PD over a socat pty (the real `serialport`):
 * a pulse is a temporary ON the PD ends by itself; hold is a permanent state; an output the PD does
 * not have, and a PD that stopped answering, fail with RELAY_FAILED like every relay driver (D2).
 */
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { OsdpPorts } from "../../drivers/osdp/osdpPorts.js";
import { cryptoRandom } from "../../drivers/osdp/secureHandshake.js";
import { OsdpOutputRelay } from "../../drivers/relays/osdpOutputRelay.js";
import { openTransport } from "../../drivers/transport/transport.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { it } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import { requireSocat } from "../helpers/socat.js";

describe("the osdp-output relay on a simulated PD", () => {
  it("D2: pulses output 0 on and lets the PD end it, holds it, and fails with RELAY_FAILED for a missing output or a silent PD", async ({
    folder,
    simulator,
    defer,
  }) => {
    requireSocat();
    const bus = join(folder.dir, "bus");
    const sim = await simulator(
      `devices:\n  - id: bus\n    kind: osdp-bus\n    expose: { pty: ${bus} }\n    pds: [{ address: 1, outputs: 1 }]\n`,
    );
    const ports = new OsdpPorts({
      factory: openTransport,
      scheduler: realScheduler,
      now: () => performance.now(),
      random: cryptoRandom,
      logger: silentLogger(),
    });
    defer(() => ports.stop());
    ports.join({ port: bus, baudRate: 9600, pd: { address: 1, secureChannel: "required", scbk: null } });
    const relay = new OsdpOutputRelay("pd-out", {
      ports,
      pd: { port: bus, address: 1 },
      scheduler: realScheduler,
      clock: Date.now,
      logger: silentLogger(),
      restingStates: () => [{ channel: 0, on: false }],
    });
    relay.start();
    defer(() => relay.stop());
    await vi.waitFor(() => expect(relay.health().state).toBe("open"), { timeout: 5000 });
    const outputs = sim.pd("bus", 1).panel.outputs;

    await relay.pulse(0, 250);
    // 250 ms is three tenths on the PD's timer: ON, then OFF by the PD itself.
    await vi.waitFor(() => expect(outputs.history.map((c) => c.on)).toEqual([true, false]), {
      timeout: 2000,
    });
    await relay.hold(0, true);
    expect(outputs.isOn(0)).toBe(true);
    await relay.hold(0, false);
    expect(outputs.isOn(0)).toBe(false);

    await expect(relay.pulse(3, 500)).rejects.toMatchObject({
      code: "RELAY_FAILED",
      failure: "exception",
      channel: 3,
    });
    expect(relay.counters()).toMatchObject({ pulses: 2, completed: 1, failed: 1, exceptions: 1 });

    sim.pd("bus", 1).setFault("silent");
    await vi.waitFor(() => expect(relay.health().state).toBe("waiting"), { timeout: 12_000 });
    await expect(relay.pulse(0, 500)).rejects.toMatchObject({
      code: "RELAY_FAILED",
      failure: "transport_down",
    });
  }, 30_000);
});
