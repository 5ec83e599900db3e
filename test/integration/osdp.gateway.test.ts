/**
 * Issue 13 §3–§5: the gateway's `osdp` readers and `osdp-output` relay against the simulator's
 * OSDP PDs (firmware-sim `osdp-bus`) on a socat pty, through the real `serialport`: three PDs on
 * one bus, each with its own secure channel state; D6 feedback at the PD (LED, beeps, the message
 * on a display); R21 card and PIN at an OSDP keypad; the door on the PD's own output; a PD in
 * clear where the channel is required has its cards refused; a PD unplugged and back.
 */
import { randomBytes, scryptSync } from "node:crypto";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { writeNewKeyFile } from "../../drivers/osdp/keyFile.js";
import type { Gateway } from "../../gateway/daemon.js";
import type { Store } from "../../gateway/store/db.js";
import { listEvents } from "../../gateway/store/events.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { requireSocat } from "../helpers/socat.js";
import { importExamples, importInputs } from "../store/storeHelpers.js";

const PIN = "7305";

/** A PHC string for `pin` with R21's parameters. */
function phc(pin: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(pin, salt, 32, { N: 2 ** 14, r: 8, p: 1 });
  const b64 = (b: Buffer) => b.toString("base64").replace(/=+$/, "");
  return `$scrypt$ln=14,r=8,p=1$${b64(salt)}$${b64(hash)}`;
}

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

/** PD 1: the gateway's key file (secured); PD 2: no key on either side (install mode); PD 3: a key the gateway lacks. */
function simYaml(bus: string, keyFile: string): string {
  return [
    "devices:",
    "  - id: bus",
    "    kind: osdp-bus",
    `    expose: { pty: ${bus} }`,
    "    pds:",
    `      - { address: 1, scbkFile: ${keyFile}, display: true, keypad: true, outputs: 1 }`,
    "      - { address: 2, display: false, keypad: true, outputs: 0 }",
    "      - { address: 3, scbk: 00112233445566778899aabbccddeeff, display: false }",
    "",
  ].join("\n");
}

function gatewayConfig(bus: string, keyFile: string, pin: "never" | "always") {
  const reader = { driver: "osdp", port: bus, area: "gym", direction: "in", cardNumber: "wiegand-fc-cn" };
  return GatewayConfig.parse({
    readers: [
      { ...reader, id: "gym-in", address: 1, scbkFile: keyFile, door: "gym-door", pin },
      { ...reader, id: "gym-side", address: 2 },
      { ...reader, id: "gym-back", address: 3 },
    ],
    doors: [{ id: "gym-door", relay: "gym-pd", channel: 0, pulseMs: 300 }],
    relays: [{ id: "gym-pd", driver: "osdp-output", reader: "gym-in" }],
  });
}

async function started(
  folder: { dir: string },
  simulator: (text: string) => Promise<import("../../firmware-sim/simulator.js").Simulator>,
  startGateway: (o: { config: GatewayConfig; clock: () => number }) => Promise<Gateway>,
  pin: "never" | "always",
  clock: () => number,
) {
  requireSocat();
  const bus = join(folder.dir, "osdp-bus");
  const keyFile = join(folder.dir, "keys", "gym-in.scbk");
  writeNewKeyFile(keyFile);
  const sim = await simulator(simYaml(bus, keyFile));
  const gateway = await startGateway({ config: gatewayConfig(bus, keyFile, pin), clock });
  const state = () => Object.fromEntries(gateway.status().readers.map((r) => [r.id, r.state]));
  await vi.waitFor(() => expect(state()).toMatchObject({ "gym-in": "open", "gym-side": "open" }), {
    timeout: 8000,
  });
  return { sim, gateway, bus, keyFile };
}

const reasons = (store: Store) => listEvents(store).map((e) => e.reason);

describe("the gateway's osdp readers on a simulated OSDP bus", () => {
  it("D6: three PDs on one bus; a grant lights PD 1 green with one beep, shows the message and pulses its output 0; a deny is red with three beeps", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    members(t.store);
    let now = at("2027-03-22T10:00");
    const { sim, gateway } = await started(folder, simulator, startGateway, "never", () => now);
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
    const { sim, gateway } = await started(folder, simulator, startGateway, "always", () => now);
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
      config: gatewayConfig(bus, keyFile, "never"),
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
    const { sim, gateway } = await started(folder, simulator, startGateway, "never", () =>
      at("2027-03-22T10:00"),
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
