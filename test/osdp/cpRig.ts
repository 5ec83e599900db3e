/**
 * The control panel's rule tests' rig: a bus over scripted PDs (fakePds.ts) on fake timers, with
 * everything it reported, and the commands and replies the tests send.
 */
import { vi } from "vitest";
import type {
  CardEvent,
  KeypadEvent,
  PdCommand,
  PdStatus,
  RejectedEvent,
} from "../../drivers/osdp/cpTypes.js";
import { OsdpBus } from "../../drivers/osdp/osdpBus.js";
import type { OsdpReply } from "../../drivers/osdp/replies.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { silentLogger } from "../helpers/logs.js";
import { FakeLine, FakePd, type FakePdOptions } from "./fakePds.js";

/** The readers' SCBK in the rig. */
export const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
/** The key KEYSET gives (or a key the gateway does not hold). */
export const NEW_KEY = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);
/** A grant's LED: green for 2 s. */
export const LED: PdCommand = {
  kind: "led",
  leds: [
    {
      reader: 0,
      led: 0,
      temporary: { control: 2, onTenths: 20, offTenths: 0, onColor: 2, offColor: 0, timerTenths: 20 },
      permanent: { control: 0, onTenths: 0, offTenths: 0, onColor: 0, offColor: 0 },
    },
  ],
};
/** A RAW read of a 26-bit H10301 card (facility 123, card 4567). */
export const CARD: OsdpReply = {
  kind: "raw",
  reader: 0,
  format: 1,
  bitCount: 26,
  data: Uint8Array.of(0xbd, 0x88, 0xeb, 0x80),
};

/** A bus over scripted PDs (call in a test with fake timers), and everything it reported. */
export function rig(
  pds: FakePdOptions[],
  required = true,
  scbk: Uint8Array | null = KEY,
  logger = silentLogger(),
) {
  const fakes = pds.map((o) => new FakePd(o));
  const line = new FakeLine(fakes);
  const bus = new OsdpBus({
    port: "/dev/ttyFAKE",
    link: line,
    pds: pds.map((o) => ({ address: o.address, secureChannel: required ? "required" : "off", scbk })),
    scheduler: realScheduler,
    now: () => Date.now(),
    random: () => Uint8Array.of(1, 1, 2, 3, 5, 8, 13, 21),
    logger,
  });
  const seen = {
    cards: [] as CardEvent[],
    keys: [] as KeypadEvent[],
    status: [] as PdStatus[],
    rejected: [] as RejectedEvent[],
  };
  bus.on("card", (e) => seen.cards.push(e));
  bus.on("keypad", (e) => seen.keys.push(e));
  bus.on("status", (e) => seen.status.push({ ...e }));
  bus.on("rejected", (e) => seen.rejected.push(e));
  bus.start();
  return { fakes, pd: fakes[0] as FakePd, line, bus, seen };
}

/** A PD with the rig's SCBK, out of install mode. */
export const secureReader = (address = 1): FakePdOptions => ({
  address,
  secure: { scbk: KEY, installMode: false },
});
/** The kinds of command the CP wrote to one PD, in order. */
export const kinds = (line: FakeLine, address = 1) => line.to(address).map((w) => w.kind);
/** Moves the fake clock on, running timers and promises. */
export const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
/** A command's outcome, caught at once so that a rejection is never unhandled while time advances. */
export const outcome = (p: Promise<unknown>): Promise<{ value?: unknown; error?: unknown }> =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
