/**
 * The OSDP end-to-end tests' shared setup: the simulator's three PDs on one socat pty bus, a
 * gateway with an `osdp` reader per PD (PD 1's with the door on its own output), members' PIN
 * hashes, and timers that hold the PIN timeout until the test fires it.
 */
import { randomBytes, scryptSync } from "node:crypto";
import { join } from "node:path";
import { expect, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { writeNewKeyFile } from "../../drivers/osdp/keyFile.js";
import type { Simulator } from "../../firmware-sim/simulator.js";
import type { Gateway } from "../../gateway/daemon.js";
import type { Store } from "../../gateway/store/db.js";
import { listEvents } from "../../gateway/store/events.js";
import { realScheduler, type Scheduler } from "../../runtime/scheduler.js";
import type { TestGatewayOptions } from "../harness/gateway.js";
import { requireSocat } from "./socat.js";

/** A PHC string for `pin` with R21's parameters, made with Node's scrypt. */
export function phc(pin: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(pin, salt, 32, { N: 2 ** 14, r: 8, p: 1 });
  const b64 = (b: Buffer) => b.toString("base64").replace(/=+$/, "");
  return `$scrypt$ln=14,r=8,p=1$${b64(salt)}$${b64(hash)}`;
}

/** PD 1: the gateway's key file (secured); PD 2: no key on either side (install mode); PD 3: a key the gateway lacks. */
export function simYaml(bus: string, keyFile: string): string {
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

/** R21 at PD 1's reader `gym-in`: whether it asks for a PIN, and (optionally) how long it waits. */
export interface PinOptions {
  pin: "never" | "always";
  pinTimeoutSeconds?: number;
}

/** Readers gym-in (PD 1, the door gym-door on its output 0), gym-side (PD 2) and gym-back (PD 3). */
export function gatewayConfig(bus: string, keyFile: string, pin: PinOptions): GatewayConfig {
  const reader = { driver: "osdp", port: bus, area: "gym", direction: "in", cardNumber: "wiegand-fc-cn" };
  return GatewayConfig.parse({
    readers: [
      { ...reader, id: "gym-in", address: 1, scbkFile: keyFile, door: "gym-door", ...pin },
      { ...reader, id: "gym-side", address: 2 },
      { ...reader, id: "gym-back", address: 3 },
    ],
    doors: [{ id: "gym-door", relay: "gym-pd", channel: 0, pulseMs: 300 }],
    relays: [{ id: "gym-pd", driver: "osdp-output", reader: "gym-in" }],
  });
}

/** The fixtures an OSDP test starts its bus with. */
export interface OsdpFixtures {
  folder: { dir: string };
  simulator: (text: string) => Promise<Simulator>;
  gateway: (o: TestGatewayOptions) => Promise<Gateway>;
}

/**
 * Starts the simulated bus and a gateway on it (`gateway` options besides the config, e.g. its
 * clock, logger or scheduler), and waits until PD 1 and PD 2 are open.
 */
export async function startedBus(
  f: OsdpFixtures,
  pin: PinOptions,
  gateway: Omit<TestGatewayOptions, "config">,
): Promise<{ sim: Simulator; gateway: Gateway; bus: string; keyFile: string }> {
  requireSocat();
  const bus = join(f.folder.dir, "osdp-bus");
  const keyFile = join(f.folder.dir, "keys", "gym-in.scbk");
  writeNewKeyFile(keyFile);
  const sim = await f.simulator(simYaml(bus, keyFile));
  const started = await f.gateway({ ...gateway, config: gatewayConfig(bus, keyFile, pin) });
  const state = () => Object.fromEntries(started.status().readers.map((r) => [r.id, r.state]));
  await vi.waitFor(() => expect(state()).toMatchObject({ "gym-in": "open", "gym-side": "open" }), {
    timeout: 8000,
  });
  return { sim, gateway: started, bus, keyFile };
}

/** The reasons of the events recorded, oldest first. */
export const reasons = (store: Store): string[] => listEvents(store).map((e) => e.reason);

/** A timer held by HeldTimers. */
class HeldTimer {
  constructor(readonly fn: () => void) {}
}

/**
 * The gateway's timers: real ones (the OSDP poll loop runs on them), except those of one delay
 * (the PIN timeout, a delay nothing else in the gateway uses), which wait until the test fires them.
 */
export class HeldTimers implements Scheduler {
  private readonly held = new Set<HeldTimer>();

  constructor(readonly ms: number) {}

  setTimeout = (fn: () => void, ms: number): unknown => {
    if (ms !== this.ms) return realScheduler.setTimeout(fn, ms);
    const timer = new HeldTimer(fn);
    this.held.add(timer);
    return timer;
  };

  clearTimeout = (handle: unknown): void => {
    if (handle instanceof HeldTimer) this.held.delete(handle);
    else realScheduler.clearTimeout(handle);
  };

  setImmediate = (fn: () => void): unknown => realScheduler.setImmediate?.(fn);

  clearImmediate = (handle: unknown): void => realScheduler.clearImmediate?.(handle);

  /** How many timers of the held delay are set and not cleared. */
  get pending(): number {
    return this.held.size;
  }

  /** Fires every held timer, as if the delay had passed; returns how many. */
  fire(): number {
    const due = [...this.held];
    this.held.clear();
    for (const t of due) t.fn();
    return due.length;
  }
}
