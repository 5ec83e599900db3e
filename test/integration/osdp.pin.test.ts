/**
 * Issue 13 "Tests", R21 card and PIN at an OSDP keypad through the whole gateway: the simulator's
 * PD 1 (a keypad and a display) on a socat pty, the real `serialport`, the secure channel, the PIN
 * step, the pipeline and the door on the PD's own output. The right and wrong PIN are in
 * osdp.gateway.test.ts; here the timeout, the lock-out, the keys (`*`, `#` in both forms, a second
 * card) and a reload while a card waits. The gateway's clock is the test's, and the PIN timeout
 * waits until the test fires it (HeldTimers): the poll loop runs on real timers.
 */
import { describe, expect, vi } from "vitest";
import { displayLines, TEXT_PAGE_MS } from "../../drivers/osdp/osdpFeedback.js";
import type { OsdpPd } from "../../firmware-sim/devices/osdpPd.js";
import { planReload } from "../../gateway/configDiff.js";
import type { Gateway } from "../../gateway/daemon.js";
import type { Store } from "../../gateway/store/db.js";
import { listEvents } from "../../gateway/store/events.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { type MemoryLog, memoryLogger } from "../helpers/logs.js";
import { gatewayConfig, HeldTimers, reasons, startedBus } from "../helpers/osdpRig.js";
import { pinMembers } from "../helpers/pinMembers.js";

/** Pia: 3 credits of the trial week (one a gym entry), so a grant takes one and a deny none. */
const PIA = { card: "123:4567", pin: "730519" };
/** Noè: the unlimited gym pack. */
const NOE = { card: "123:4568", pin: "462088" };
/** Wrong PINs for Pia, none a prefix of hers. */
const WRONG = ["918273", "918274", "918275", "918276", "918277"];
/** A short PIN timeout, in seconds (config/readerPin.ts allows 1–120). */
const TIMEOUT_S = 7;

/** The worked example, Pia (the trial week) and Noè (the gym pack), both with a PIN. */
const members = (store: Store) =>
  pinMembers(store, { ...PIA, product: "trial" }, { ...NOE, product: "gymflex" });

/** What PD 1 showed after its first `from` entries: `led:red`, `buzzer:3 beeps`, `display:…`. */
const shownSince = (pd: OsdpPd, from: number) =>
  pd.panel.display.history.slice(from).map((o) => `${o.via}:${o.text}`);

/** Gym-in's driver counters (`keypads`: the keypad reports it took from its PD). */
const counters = (gateway: Gateway) =>
  gateway.status().readers.find((r) => r.id === "gym-in")?.driverCounters;

/** R21: no PIN typed, right or wrong, in anything the gateway logged or recorded; nor the hashes. */
function expectNoPins(log: MemoryLog, store: Store): void {
  const written = JSON.stringify([log.lines, listEvents(store)]);
  for (const typed of [PIA.pin, NOE.pin, ...WRONG]) expect(written).not.toContain(typed);
  expect(written).not.toContain("$scrypt$");
}

const WAIT = { timeout: 5000 };

/**
 * Waits for the `n`th event (from 1) and for `pd` to show its feedback after its first `from`
 * entries (D6: LED, beeps, the message's rows; the door's output aside); returns both.
 */
async function decided(store: Store, pd: OsdpPd, n: number, from: number) {
  await vi.waitFor(() => expect(reasons(store)).toHaveLength(n), WAIT);
  const event = listEvents(store)[n - 1] as ReturnType<typeof listEvents>[number];
  const granted = event.decision === "grant";
  const rows = displayLines(event.message ?? "").map((row) => `display:${row}`);
  const expected = [granted ? "led:green" : "led:red", granted ? "buzzer:1 beep" : "buzzer:3 beeps", ...rows];
  const shown = () => shownSince(pd, from).filter((s) => !s.startsWith("output:"));
  await vi.waitFor(() => expect(shown()).toEqual(expected), WAIT);
  return { event, shown: shown() };
}

describe("R21: card and PIN at an OSDP PD's keypad", () => {
  it("R21: no PIN, or digits without #, within pinTimeoutSeconds is pin_timeout: red, three beeps and the message at the PD, no door, no credit; the next card starts from no digits", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    members(t.store);
    const log = memoryLogger("debug");
    const timers = new HeldTimers(TIMEOUT_S * 1000);
    let now = at("2027-03-22T10:00");
    const { sim, gateway } = await startedBus(
      { folder, simulator, gateway: startGateway },
      { pin: "always", pinTimeoutSeconds: TIMEOUT_S },
      { clock: () => now, logger: log.logger, scheduler: timers },
    );
    const pd1 = sim.pd("bus", 1);

    // The card, and no key at all: it waits for its PIN, nothing recorded, until the time is up.
    pd1.present(PIA.card, "H10301");
    await vi.waitFor(() => expect(timers.pending).toBe(1), WAIT);
    expect(reasons(t.store)).toEqual([]);
    let shown = pd1.panel.display.history.length;
    expect(timers.fire()).toBe(1);
    expect(reasons(t.store)).toEqual(["pin_timeout"]);
    expect(listEvents(t.store)[0]).toMatchObject({
      decision: "deny",
      memberId: "m-pia",
      readerId: "gym-in",
      creditsDeducted: 0,
      message: "PIN not entered in time — present your card again",
    });
    const timedOut = [
      "led:red",
      "buzzer:3 beeps",
      "display:PIN not entered in time -",
      "display:present your card again",
    ];
    await vi.waitFor(() => expect(shownSince(pd1, shown)).toEqual(timedOut), WAIT);

    // The card again, and half the PIN without #: the same.
    now += 60_000;
    pd1.present(PIA.card, "H10301");
    await vi.waitFor(() => expect(timers.pending).toBe(1), WAIT);
    pd1.typeKeys(PIA.pin.slice(0, 3));
    await vi.waitFor(() => expect(counters(gateway)).toMatchObject({ keypads: 1 }), WAIT);
    shown = pd1.panel.display.history.length;
    expect(timers.fire()).toBe(1);
    expect(reasons(t.store)).toEqual(["pin_timeout", "pin_timeout"]);
    await vi.waitFor(() => expect(shownSince(pd1, shown)).toEqual(timedOut), WAIT);
    // The rest of the PIN and # after the timeout: no card waits for them, nothing happens.
    pd1.typeKeys(`${PIA.pin.slice(3)}#`);
    await vi.waitFor(() => expect(counters(gateway)).toMatchObject({ keypads: 2 }), WAIT);
    expect(reasons(t.store)).toHaveLength(2);
    // Neither timeout opened the door.
    expect(pd1.panel.outputs.history).toEqual([]);

    // The next card starts from no digits: the PIN typed whole opens, and takes the first credit.
    now += 60_000;
    pd1.present(PIA.card, "H10301");
    await vi.waitFor(() => expect(timers.pending).toBe(1), WAIT);
    pd1.typeKeys(`${PIA.pin}#`);
    await vi.waitFor(() => expect(reasons(t.store)).toEqual(["pin_timeout", "pin_timeout", "ok"]), WAIT);
    expect(listEvents(t.store)[2]).toMatchObject({
      decision: "grant",
      creditsDeducted: 1,
      creditsRemaining: 2,
    });
    expect(timers.pending).toBe(0);
    await vi.waitFor(() => expect(pd1.panel.outputs.history.map((c) => c.on)).toEqual([true, false]), WAIT);
    expectNoPins(log, t.store);
  }, 30_000);

  it("R21: five wrong PINs in a row lock the card: the right PIN is then pin_locked, red at the PD; another member's card still opens; the lock ends 15 minutes after the fifth", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    members(t.store);
    const log = memoryLogger("debug");
    const timers = new HeldTimers(TIMEOUT_S * 1000);
    let now = at("2027-03-22T10:00");
    const { sim } = await startedBus(
      { folder, simulator, gateway: startGateway },
      { pin: "always", pinTimeoutSeconds: TIMEOUT_S },
      { clock: () => now, logger: log.logger, scheduler: timers },
    );
    const pd1 = sim.pd("bus", 1);
    /** A card at PD 1 and, once the gateway waits for its PIN, the keys (none: no PIN asked); its event and feedback. */
    const attempt = async (card: string, keys: string | null) => {
      const n = reasons(t.store).length + 1;
      const from = pd1.panel.display.history.length;
      pd1.present(card, "H10301");
      if (keys !== null) {
        await vi.waitFor(() => expect(timers.pending).toBe(1), WAIT);
        pd1.typeKeys(keys);
      }
      return decided(t.store, pd1, n, from);
    };

    for (const wrong of WRONG) {
      now += 5_000;
      expect((await attempt(PIA.card, `${wrong}#`)).event.reason).toBe("wrong_pin");
    }
    const fifth = now;
    expect(log.at("warn").map((l) => l.msg)).toContain("card locked after 5 wrong PINs (R21)");

    // Locked: refused at once, no PIN asked; the right PIN typed after it opens nothing.
    now += 5_000;
    const locked = await attempt(PIA.card, null);
    expect(locked.event).toMatchObject({ reason: "pin_locked", memberId: "m-pia", creditsDeducted: 0 });
    expect(timers.pending).toBe(0);
    // The message on two rows of 32 at a time: the rest ("reception") a page later.
    expect(locked.shown).toEqual([
      "led:red",
      "buzzer:3 beeps",
      "display:Too many wrong PINs - try again",
      "display:in 15 minutes or please see",
    ]);
    const page = pd1.panel.display.history.length;
    await vi.waitFor(
      () => expect(shownSince(pd1, page).map((s) => s.trimEnd())).toEqual(["display:reception", "display:"]),
      { timeout: TEXT_PAGE_MS + WAIT.timeout },
    );
    pd1.typeKeys(`${PIA.pin}#`);

    // Noè's card at the same reader, after Pia's keys on the bus: his PIN opens.
    now += 5_000;
    expect((await attempt(NOE.card, `${NOE.pin}#`)).event).toMatchObject({ memberId: "m-noe", reason: "ok" });
    await vi.waitFor(() => expect(pd1.panel.outputs.history.map((c) => c.on)).toEqual([true, false]), WAIT);

    // Ten seconds before the 15 minutes are up Pia's card is still refused without a PIN…
    now = fifth + 15 * 60_000 - 10_000;
    expect((await attempt(PIA.card, null)).event.reason).toBe("pin_locked");
    // …and at 15 minutes it asks for her PIN again, and the right one opens.
    now = fifth + 15 * 60_000;
    const open = await attempt(PIA.card, `${PIA.pin}#`);
    expect(open.event).toMatchObject({ memberId: "m-pia", reason: "ok", creditsDeducted: 1 });
    expect(reasons(t.store)).toEqual([...Array(5).fill("wrong_pin"), "pin_locked", "ok", "pin_locked", "ok"]);
    expectNoPins(log, t.store);
  }, 30_000);

  it("R21 keys at the PD: * clears and # ends the PIN, in OSDP's form (0x7F, 0x0D) or in ASCII; a second card while one waits replaces it, leaving its digits behind", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    members(t.store);
    const timers = new HeldTimers(TIMEOUT_S * 1000);
    let now = at("2027-03-22T10:00");
    const { sim, gateway } = await startedBus(
      { folder, simulator, gateway: startGateway },
      { pin: "always", pinTimeoutSeconds: TIMEOUT_S },
      { clock: () => now, scheduler: timers },
    );
    const pd1 = sim.pd("bus", 1);
    const waiting = () => vi.waitFor(() => expect(timers.pending).toBe(1), WAIT);

    // "99" typed and cleared with *: only the PIN after it counts, # ends it.
    pd1.present(PIA.card, "H10301");
    await waiting();
    pd1.typeKeys(`99*${PIA.pin}#`);
    await vi.waitFor(() => expect(reasons(t.store)).toEqual(["ok"]), WAIT);
    // The same keys from a keypad that sends * and # in ASCII.
    now += 60_000;
    pd1.present(PIA.card, "H10301");
    await waiting();
    pd1.typeKeys(`99*${PIA.pin}#`, true);
    await vi.waitFor(() => expect(reasons(t.store)).toEqual(["ok", "ok"]), WAIT);
    expect(counters(gateway)).toMatchObject({ keypads: 2, rejected: {} });

    // Pia's card waits with half her PIN typed; Noè's card replaces it, and his PIN alone opens.
    now += 60_000;
    pd1.present(PIA.card, "H10301");
    await waiting();
    pd1.typeKeys(PIA.pin.slice(0, 3));
    await vi.waitFor(() => expect(counters(gateway)).toMatchObject({ keypads: 3 }), WAIT);
    pd1.present(NOE.card, "H10301");
    pd1.typeKeys(`${NOE.pin}#`);
    await vi.waitFor(() => expect(reasons(t.store)).toEqual(["ok", "ok", "ok"]), WAIT);
    expect(listEvents(t.store)[2]).toMatchObject({ memberId: "m-noe" });
    // Nothing is recorded for Pia's card, and no timer is left for it.
    expect(timers.pending).toBe(0);
  }, 30_000);

  it("R21: a reload that restarts a PIN reader forgets the card waiting at it: no timer left, the PIN typed after opens nothing, the next card is taken as the new settings say", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    members(t.store);
    const timers = new HeldTimers(TIMEOUT_S * 1000);
    let now = at("2027-03-22T10:00");
    const pin = { pin: "always", pinTimeoutSeconds: TIMEOUT_S } as const;
    const { sim, gateway, bus, keyFile } = await startedBus(
      { folder, simulator, gateway: startGateway },
      pin,
      { clock: () => now, scheduler: timers },
    );
    const pd1 = sim.pd("bus", 1);
    pd1.present(PIA.card, "H10301");
    await vi.waitFor(() => expect(timers.pending).toBe(1), WAIT);

    const before = gatewayConfig(bus, keyFile, pin);
    const after = gatewayConfig(bus, keyFile, { pin: "never" });
    await gateway.reconfigure(after, planReload(before, after));
    expect(timers.pending).toBe(0);
    const gymIn = () => gateway.status().readers.find((r) => r.id === "gym-in");
    await vi.waitFor(() => expect(gymIn()?.state).toBe("open"), { timeout: 8000 });
    // The PIN for the card presented before the reload: the restarted reader takes the keys, nobody waits for them.
    pd1.typeKeys(`${PIA.pin}#`);
    await vi.waitFor(() => expect(counters(gateway)).toMatchObject({ keypads: 1 }), WAIT);
    expect(reasons(t.store)).toEqual([]);

    // gym-in asks for no PIN now: the next card opens at once.
    now += 60_000;
    pd1.present(PIA.card, "H10301");
    await vi.waitFor(() => expect(reasons(t.store)).toEqual(["ok"]), WAIT);
    expect(timers.pending).toBe(0);
  }, 30_000);
});
