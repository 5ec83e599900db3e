/**
 * The doors part of the `npm start` tour (doors.md): the pool turnstile confirms each passage and
 * undoes a grant when the member walks away (D2), reception admits a member choosing which pack
 * pays (D5, seed 003), and the fire panel releases every door until reception resets it (D3).
 */
import { randomUUID } from "node:crypto";
import { relayLine } from "../firmware-sim/console.js";
import type { RelayEvent, Simulator } from "../firmware-sim/simulator.js";
import { memberBalance } from "../gateway/decisions.js";
import type { CommandReply } from "../gateway/frontDesk/commandService.js";
import type { Store } from "../gateway/store/db.js";
import { listAllEvents, listEvents, type RecordedEvent } from "../gateway/store/events.js";

/** What the door steps work with. */
export interface DoorTourParts {
  sim: Simulator;
  store: Store;
  clock: () => number;
  zone: string;
  out: (line: string) => void;
  /** Carries out a front-desk command as the control socket does (Gateway.command). */
  command: (command: unknown) => Promise<CommandReply>;
  /** The relay changes the tour has seen so far. */
  relays: RelayEvent[];
  /** An input's level as the gateway reads it (Gateway.inputSignals). */
  inputLevel: (inputId: string) => string;
}

/** The simulated turnstile on the pool gate, and the door it confirms passages for. */
const TURNSTILE = "pool-turnstile";
const PASSAGE_DOOR = "pool-gate";

/** Polls `probe` every 20 ms until it gives a value or `ms` have passed. */
async function waitFor<T>(probe: () => T | undefined, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The event with this id as stored now (its `passed` changes when the passage is decided). */
function eventNow(store: Store, id: string): RecordedEvent | undefined {
  return listEvents(store).find((e) => e.id === id);
}

/** Whether a grant at this door waits for its passage (the pool gate has a turnstile). */
export function confirmsPassage(doorId: string | undefined): boolean {
  return doorId === PASSAGE_DOOR;
}

/**
 * D2 at the turnstile after a grant: the member pushes through (`pass`) or walks away. Waits for
 * the gateway to settle the grant and says how; true when it settled as expected.
 */
export async function passageStep(
  p: DoorTourParts,
  event: RecordedEvent,
  what: "pass" | "walk-away",
): Promise<boolean> {
  const action = what === "walk-away" ? "walk-away" : event.direction === "out" ? "pass-out" : "pass-in";
  p.out(`> ${TURNSTILE} ${action}: ${p.sim.act(TURNSTILE, action)}`);
  const settled = await waitFor(() => {
    const e = eventNow(p.store, event.id);
    return e?.passed === null ? undefined : e;
  }, 8000);
  if (!settled) {
    p.out("  the grant was not settled within 8 s");
    return false;
  }
  if (settled.passed) p.out(`  passage seen: ${settled.id} stands (passed: true)`);
  else {
    const back = event.creditsDeducted > 0 ? `, ${event.creditsDeducted} credit(s) back` : "";
    const pack = settled.multipackId
      ? memberBalance(p.store, { member: settled.memberId ?? "" }, p.clock()).multipacks.find(
          (m) => m.multipackId === settled.multipackId,
        )
      : undefined;
    const left = pack ? ` (${pack.creditsRemaining}/${pack.creditsTotal} left)` : "";
    p.out(`  nobody passed within the door's timeout: grant undone${back}${left} (passed: false)`);
  }
  return settled.passed === (what === "pass");
}

/** A front-desk command as the command line sends it (its own id, now, who and why). */
function staffCommand(p: DoorTourParts, verb: string, args: object, reason: string): object {
  return {
    id: randomUUID(),
    at: new Date(p.clock()).toISOString(),
    verb,
    args,
    operator: "reception",
    reason,
  };
}

/** One line for a command's answer. */
function replyLine(r: CommandReply): string {
  const outcome = r.decision
    ? ` ${r.decision.decision.toUpperCase()} ${r.decision.reason}  ${r.decision.message}`
    : "";
  return r.ok ? `  done${outcome}` : `  refused: ${r.error}`;
}

/**
 * D5, seed 003: reception admits Federica at the gym and chooses which of her packs pays: her pool pack
 * cannot be used at the gym (refused, with why), her day pass can (the gym door opens).
 */
export async function admitSteps(p: DoorTourParts): Promise<boolean> {
  p.out("\n# Reception admits Federica at the gym and chooses which pack pays (admit --multipack)");
  const args = { card: "5550004", reader: "gym-in" };
  p.out("> accessgw admit --card 5550004 --reader gym-in --multipack mp-federica-pool");
  const refused = await p.command(
    staffCommand(p, "admit", { ...args, multipack: "mp-federica-pool" }, "card left in the locker"),
  );
  p.out(replyLine(refused));
  const seenRelays = p.relays.length;
  p.out("> accessgw admit --card 5550004 --reader gym-in --multipack mp-federica-day");
  const admitted = await p.command(
    staffCommand(p, "admit", { ...args, multipack: "mp-federica-day" }, "card left in the locker"),
  );
  p.out(replyLine(admitted));
  const pulse = await waitFor(() => {
    const mine = p.relays.slice(seenRelays).filter((r) => r.deviceId === "gym-relay");
    return mine.some((r) => !r.on) ? mine : undefined;
  }, 8000);
  for (const r of pulse ?? []) p.out(`  ${relayLine(r, p.zone)}`);
  const event = admitted.eventId ? eventNow(p.store, admitted.eventId) : undefined;
  if (event)
    p.out(`  recorded ${event.id}: ${event.multipackId} paid ${event.creditsDeducted}, by ${event.operator}`);
  return !refused.ok && admitted.ok && event?.multipackId === "mp-federica-day" && pulse !== undefined;
}

/** The relays held on right now (the last change of each channel was ON). */
function heldOn(relays: readonly RelayEvent[]): string[] {
  const last = new Map<string, boolean>();
  for (const r of relays) last.set(`${r.deviceId} ch${r.channel}`, r.on);
  return [...last].filter(([, on]) => on).map(([key]) => key);
}

/**
 * D3: the fire panel's contact releases every door within moments and holds them released; the
 * panel is reset, and reception ends the emergency (reset: manual), which locks them again.
 */
export async function fireSteps(p: DoorTourParts): Promise<boolean> {
  p.out("\n# Fire alarm: the panel's release contact opens every door and holds it open");
  const before = p.relays.length;
  const doorsBefore = listAllEvents(p.store, { kind: "door" }).length;
  p.out(`> fire-panel alarm: ${p.sim.act("fire-panel", "alarm")}`);
  const released = ["board-1 ch1", "board-1 ch2", "gym-relay ch1", "studio-relay ch0"];
  const held = await waitFor(() => {
    const on = heldOn(p.relays);
    return released.every((k) => on.includes(k)) ? on : undefined;
  }, 5000);
  for (const r of p.relays.slice(before)) p.out(`  ${relayLine(r, p.zone)}`);
  const modes = listAllEvents(p.store, { kind: "door" }).slice(doorsBefore);
  for (const e of modes)
    if (e.kind === "door")
      p.out(`  door ${e.door}: ${e.mode} (${e.source}${e.reason ? `: ${e.reason}` : ""})`);

  p.out(`> fire-panel reset: ${p.sim.act("fire-panel", "reset")}`);
  await waitFor(() => (p.inputLevel("fire-panel") === "inactive" ? true : undefined), 5000);
  p.out("  the doors stay released until reception resets the emergency (reset: manual)");
  const afterReset = p.relays.length;
  p.out('> accessgw emergency --off --operator reception --reason "fire brigade: all clear"');
  const off = await p.command(staffCommand(p, "emergency", { on: false }, "fire brigade: all clear"));
  p.out(replyLine(off));
  const locked = await waitFor(() => {
    const on = heldOn(p.relays);
    return released.every((k) => !on.includes(k)) ? true : undefined;
  }, 5000);
  for (const r of p.relays.slice(afterReset)) p.out(`  ${relayLine(r, p.zone)}`);
  return held !== undefined && off.ok && locked === true;
}
