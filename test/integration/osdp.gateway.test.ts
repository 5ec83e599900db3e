/**
 * Issue 13 §3–§5: the gateway's `osdp` readers and `osdp-output` relay against the simulator's
 * OSDP PDs (firmware-sim `osdp-bus`) on a socat pty, through the real `serialport`: three PDs on
 * one bus, each with its own secure channel state; D6 feedback at the PD (LED, beeps, the message
 * on a display); R21 card and PIN at an OSDP keypad; the door on the PD's own output; a PD in
 * clear where the channel is required has its cards refused; a PD unplugged and back.
 */
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { writeNewKeyFile } from "../../drivers/osdp/keyFile.js";
import type { Store } from "../../gateway/store/db.js";
import { listEvents } from "../../gateway/store/events.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { gatewayConfig, phc, reasons, simYaml, startedBus } from "../helpers/osdpRig.js";
import { requireSocat } from "../helpers/socat.js";
import { importExamples, importInputs } from "../store/storeHelpers.js";

const PIN = "7305";

/** The worked example and Pia (card 123:4567, a PIN) with the unlimited gym pack. */
function members(store: Store): void {
  importExamples(store);
  importInputs(store, [
    {
      name: "osdp.yaml",
      value: {
        members: [
          {
            id: "m-pia",
            name: "Pia",
            cards: [{ number: "123:4567" }],
            pinHash: phc(PIN),
            multipacks: [{ id: "mp-pia", product: "gymflex", purchasedAt: "2027-03-20T10:00:00+01:00" }],
          },
        ],
      },
    },
  ]);
}

describe("the gateway's osdp readers on a simulated OSDP bus", () => {
  it("D6: three PDs on one bus; a grant lights PD 1 green with one beep, shows the message and pulses its output 0; a deny is red with three beeps", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    members(t.store);
    let now = at("2027-03-22T10:00");
    const { sim, gateway } = await startedBus(
      { folder, simulator, gateway: startGateway },
      { pin: "never" },
      { clock: () => now },
    );
    const pd1 = sim.pd("bus", 1);
    const pd2 = sim.pd("bus", 2);
    // The secure channel: PD 1 with the key file, PD 2 in install mode (no key on either side).
    expect(pd1.secureState).toBe("secure");
    expect(pd2.secureState).toBe("secure (install mode, SCBK-D)");
    await vi.waitFor(() => expect(gateway.status().relays[0]?.state).toBe("open"), { timeout: 5000 });

    pd1.present("123:4567", "H10301");
    await vi.waitFor(() => expect(reasons(t.store)).toEqual(["ok"]), { timeout: 5000 });
    await vi.waitFor(
      () => {
        const shown = pd1.panel.display.history.map((o) => `${o.via}:${o.text}`);
        expect(shown).toEqual(expect.arrayContaining(["led:green", "buzzer:1 beep", "output:output 0 ON"]));
        expect(shown.some((s) => s.startsWith("display:"))).toBe(true);
      },
      { timeout: 5000 },
    );
    // R15's message on the display: ASCII lines of at most 32 characters, words kept whole.
    const message = listEvents(t.store)[0]?.message ?? "";
    expect(message).not.toBe("");
    const lines = pd1.panel.textLines();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.length <= 32 && /^[\x20-\x7e]*$/.test(line))).toBe(true);
    expect(message.startsWith(lines.join(" ").slice(0, 10))).toBe(true);
    // The door: output 0 ON for the pulse, OFF again by the PD's own timer.
    await vi.waitFor(
      () =>
        expect(pd1.panel.outputs.history.map((c) => [c.channel, c.on])).toEqual([
          [0, true],
          [0, false],
        ]),
      {
        timeout: 3000,
      },
    );

    // An unknown card at PD 2, which has no display: red, three beeps, no TEXT sent.
    now += 60_000;
    pd2.present("1:1", "H10301");
    await vi.waitFor(() => expect(reasons(t.store)).toEqual(["ok", "unknown_card"]), { timeout: 5000 });
    await vi.waitFor(
      () =>
        expect(pd2.panel.display.history.map((o) => `${o.via}:${o.text}`)).toEqual([
          "led:red",
          "buzzer:3 beeps",
        ]),
      { timeout: 5000 },
    );
    // Nothing was refused: no TEXT went to the PD without a display (it would NAK it).
    const side = gateway.status().readers.find((r) => r.id === "gym-side");
    expect(side?.driverCounters).toMatchObject({ cards: 1, feedbackFailures: 0 });
  });

  it("R21: card then PIN at PD 1's keypad: the right PIN and # is granted, a wrong one is wrong_pin; PD 3 in clear has its cards refused and counted", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    members(t.store);
    let now = at("2027-03-22T10:00");
    const { sim, gateway } = await startedBus(
      { folder, simulator, gateway: startGateway },
      { pin: "always" },
      { clock: () => now },
    );
    const pd1 = sim.pd("bus", 1);
    pd1.present("123:4567", "H10301");
    await vi.waitFor(() => expect(pd1.pendingEvents).toBe(0), { timeout: 3000 });
    pd1.typeKeys(`${PIN}#`);
    await vi.waitFor(() => expect(reasons(t.store)).toEqual(["ok"]), { timeout: 5000 });
    now += 60_000;
    pd1.present("123:4567", "H10301");
    await vi.waitFor(() => expect(pd1.pendingEvents).toBe(0), { timeout: 3000 });
    pd1.typeKeys("8642#");
    await vi.waitFor(() => expect(reasons(t.store)).toEqual(["ok", "wrong_pin"]), { timeout: 5000 });

    // PD 3 has a key the gateway lacks: the channel fails, the PD is polled in clear, its card refused.
    const back = () => gateway.status().readers.find((r) => r.id === "gym-back");
    await vi.waitFor(() => expect(back()?.reason).toContain("secure channel failed"), { timeout: 5000 });
    sim.pd("bus", 3).present("123:4567", "H10301");
    await vi.waitFor(() => expect(back()?.driverCounters?.rejected).toEqual({ not_secured: 1 }), {
      timeout: 5000,
    });
    expect(reasons(t.store)).toEqual(["ok", "wrong_pin"]);
  });

  it("refuses a reader whose key file is open to others, saying why, while the other PDs on its bus run", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    members(t.store);
    requireSocat();
    const bus = join(folder.dir, "osdp-bus");
    const keyFile = join(folder.dir, "keys", "gym-in.scbk");
    writeNewKeyFile(keyFile);
    await simulator(simYaml(bus, keyFile));
    chmodSync(keyFile, 0o644);
    const gateway = await startGateway({
      config: gatewayConfig(bus, keyFile, { pin: "never" }),
      clock: () => at("2027-03-22T10:00"),
    });
    const reader = (id: string) => gateway.status().readers.find((r) => r.id === id);
    await vi.waitFor(() => expect(reader("gym-side")?.state).toBe("open"), { timeout: 8000 });
    expect(reader("gym-in")).toMatchObject({ state: "stopped" });
    expect(reader("gym-in")?.reason).toContain("mode 0644 lets group or others at the key");
  });

  it("reports a PD that stops answering as waiting after 8 s, and open again once it answers", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    members(t.store);
    const { sim, gateway } = await startedBus(
      { folder, simulator, gateway: startGateway },
      { pin: "never" },
      { clock: () => at("2027-03-22T10:00") },
    );
    const side = () => gateway.status().readers.find((r) => r.id === "gym-side");
    sim.pd("bus", 2).setFault("silent");
    await vi.waitFor(
      () =>
        expect(side()).toMatchObject({
          state: "waiting",
          reason: expect.stringContaining("does not answer"),
        }),
      {
        timeout: 12_000,
      },
    );
    expect(gateway.status().readers.find((r) => r.id === "gym-in")?.state).toBe("open");
    sim.pd("bus", 2).setFault("none");
    await vi.waitFor(() => expect(side()?.state).toBe("open"), { timeout: 8000 });
    expect(side()?.driverCounters?.reconnects).toBe(1);
  }, 30_000);
});
