/**
 * The non-interactive tour of `npm start`: scripted scans at the simulated readers (the pool
 * turnstile confirming each passage, one member walking away), reception admitting a member with
 * the pack it chooses, a fire alarm releasing every door until reception resets it, an edit of the
 * central's members file that reaches the gateway live, and a last look at what the central holds.
 * Each step says what the rules expect; the tour counts the steps that did not go that way.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import type { Central } from "../central/central.js";
import type { GatewayConfig } from "../config/gateway.js";
import { readerLine, relayLine } from "../firmware-sim/console.js";
import type { ReaderShownEvent, RelayEvent, Simulator } from "../firmware-sim/simulator.js";
import { explain, memberBalance } from "../gateway/decisions.js";
import type { CommandReply } from "../gateway/frontDesk/commandService.js";
import type { Store } from "../gateway/store/db.js";
import { listAllEvents, listEvents, type RecordedEvent } from "../gateway/store/events.js";
import { outboxDepth } from "../gateway/store/outbox.js";
import { admitSteps, confirmsPassage, fireSteps, passageStep } from "./doorTour.js";

/** A scan at a reader and what the doors must do. */
interface ScanStep {
  title: string;
  reader: string;
  card: string;
  decision: "grant" | "deny";
  /** At the pool turnstile (D2): the member pushes through (the default) or walks away. */
  passage?: "pass" | "walk-away";
}

const SCANS: ScanStep[] = [
  { title: "Ada swims at peak time (2 credits)", reader: "pool-in", card: "4215834", decision: "grant" },
  {
    title:
      "Giulia swims too: the pool reader answers her in Italian, the site's language; then she turns away at the turnstile",
    reader: "pool-in",
    card: "3141592",
    decision: "grant",
    passage: "walk-away",
  },
  {
    title: "Ada leaves through the RDM6300 exit reader",
    reader: "pool-out",
    card: "4215834",
    decision: "grant",
  },
  {
    title: "Bruno's premium membership opens the gym (Tasmota)",
    reader: "gym-in",
    card: "7654321",
    decision: "grant",
  },
  {
    title: "Bruno's 18:00 yoga booking opens the studio (Shelly)",
    reader: "studio-in",
    card: "7654321",
    decision: "grant",
  },
  { title: "Dario's card was reported lost", reader: "gym-in", card: "5550002", decision: "deny" },
  { title: "A card nobody knows", reader: "pool-in", card: "99999", decision: "deny" },
];

/** What the tour works with. */
export interface TourParts {
  sim: Simulator;
  store: Store;
  config: GatewayConfig;
  central: Central;
  /** The central's members file (the copy in the demo's data folder). */
  membersFile: string;
  clock: () => number;
  zone: string;
  out: (line: string) => void;
  /** Carries out a front-desk command as the control socket does (Gateway.command). */
  command: (command: unknown) => Promise<CommandReply>;
  /** An input's level as the gateway reads it. */
  inputLevel: (inputId: string) => string;
}

/** Polls `probe` every 20 ms until it gives a value or `ms` have passed. */
export async function waitFor<T>(probe: () => T | undefined, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The door relay (sim device id) and channel that a grant at `readerId` pulses. */
function doorOf(config: GatewayConfig, readerId: string): { relay: string; channel: number } | undefined {
  const reader = config.readers.find((r) => r.id === readerId);
  const door = config.doors.find((d) => d.id === reader?.door);
  if (!reader || !door) return undefined;
  return {
    relay: door.relay,
    channel: reader.direction === "out" ? (door.channelB ?? door.channel) : door.channel,
  };
}

/** What the tour hears from the simulator: relay changes and what the readers show (D6). */
interface Seen {
  relays: RelayEvent[];
  shown: ReaderShownEvent[];
}

/** Presents a card and checks the decision and the door; true when it went as the step says. */
async function scanStep(p: TourParts, step: ScanStep, seen: Seen): Promise<boolean> {
  const { out } = p;
  const { relays } = seen;
  out(`\n# ${step.title}\n> present ${step.reader} ${step.card}`);
  const before = listEvents(p.store).length;
  const seenRelays = relays.length;
  const seenShown = seen.shown.length;
  if (!p.sim.present(step.reader, step.card)) {
    out("  the simulated reader could not send the card");
    return false;
  }
  const event: RecordedEvent | undefined = await waitFor(() => listEvents(p.store)[before], 5000);
  if (!event) {
    out("  no decision within 5 s");
    return false;
  }
  const verdict = event.decision === "grant" ? "GRANTED" : "DENIED";
  out(`  ${verdict}  ${event.reason}  ${event.message ?? ""}`.trimEnd());
  const door = doorOf(p.config, step.reader);
  const pulse =
    event.decision === "grant" && door
      ? await waitFor(() => {
          const mine = relays
            .slice(seenRelays)
            .filter((r) => r.deviceId === door.relay && r.channel === door.channel);
          return mine.some((r) => !r.on) ? mine : undefined;
        }, 8000)
      : undefined;
  // D6: what the member saw at the reader (when it shows anything), in time order with the door.
  const shown = () => seen.shown.slice(seenShown).filter((e) => e.deviceId === step.reader);
  if (p.sim.device(step.reader).reader?.display)
    await waitFor(() => (shown().length > 0 ? true : undefined), 2000);
  const timeline = [
    ...(pulse ?? []).map((r) => ({ at: r.at, text: relayLine(r, p.zone) })),
    ...shown().map((e) => ({ at: e.at, text: readerLine(e, p.zone) })),
  ];
  for (const line of timeline.sort((a, b) => a.at - b.at)) out(`  ${line.text}`);
  const ok = event.decision === step.decision && (step.decision === "deny" || pulse !== undefined);
  if (!ok) out(`  expected ${step.decision}${step.decision === "grant" ? " and a door pulse" : ""}`);
  const doorId = p.config.readers.find((r) => r.id === step.reader)?.door;
  if (ok && event.decision === "grant" && confirmsPassage(doorId))
    return passageStep({ ...p, relays }, event, step.passage ?? "pass");
  return ok;
}

/** Reception blocks Ada in the central's members file; the change must reach the gateway. */
async function editStep(p: TourParts, seen: Seen): Promise<boolean> {
  const { out } = p;
  out("\n# Reception blocks Ada for an unpaid locker fee: members.yaml is edited and saved");
  const doc = parse(readFileSync(p.membersFile, "utf8")) as { members: Record<string, unknown>[] };
  const ada = doc.members.find((m) => m.id === "m-ada");
  if (!ada) return false;
  ada.blocks = [{ reason: "debt", from: "2026-12-01", message: "Locker fee unpaid — see reception" }];
  writeFileSync(p.membersFile, stringify(doc));
  out(`> edit ${p.membersFile}`);
  const started = Date.now();
  const arrived = await waitFor(() => {
    const d = explain(p.store, { card: "4215834", area: "pool", direction: "in", readerId: null }, p.clock());
    return d.reason === "member_blocked" ? true : undefined;
  }, 10_000);
  if (!arrived) {
    out("  the change did not reach the gateway within 10 s");
    return false;
  }
  out(
    `  the central published revision ${p.central.siteRev()}; the gateway had it ${Date.now() - started} ms after the save`,
  );
  return scanStep(
    p,
    { title: "Ada tries the pool again", reader: "pool-in", card: "4215834", decision: "deny" },
    seen,
  );
}

/** Every event reached the central, once, and the central's credits agree with the gateway's. */
async function centralStep(p: TourParts, gatewayId: string): Promise<boolean> {
  const { out } = p;
  out("\n# What the central holds");
  const recorded = listAllEvents(p.store).length;
  const acked = await waitFor(() => (outboxDepth(p.store) === 0 ? true : undefined), 10_000);
  const stored = p.central.events(gatewayId).length;
  const here = memberBalance(p.store, { member: "m-ada" }, p.clock()).multipacks.find(
    (m) => m.multipackId === "mp-ada-pool",
  );
  const there = p.central.remaining("mp-ada-pool");
  out(
    `  ${stored} of ${recorded} events stored at the central, acked up to ${p.central.watermark(gatewayId)}`,
  );
  out(
    `  Ada's pool pack: ${here?.creditsRemaining}/${here?.creditsTotal} at the gate, ${there} left at the central`,
  );
  return acked === true && stored === recorded && there === here?.creditsRemaining;
}

/** Runs the tour; returns how many steps did not go as the rules say. */
export async function tour(p: TourParts, gatewayId: string): Promise<number> {
  const seen: Seen = { relays: [], shown: [] };
  const offs = [p.sim.on("relay", (e) => seen.relays.push(e)), p.sim.on("reader", (e) => seen.shown.push(e))];
  let failures = 0;
  try {
    for (const step of SCANS) if (!(await scanStep(p, step, seen))) failures++;
    const doors = { ...p, relays: seen.relays };
    if (!(await admitSteps(doors))) failures++;
    if (!(await fireSteps(doors))) failures++;
    if (!(await editStep(p, seen))) failures++;
    if (!(await centralStep(p, gatewayId))) failures++;
  } finally {
    for (const off of offs) off();
  }
  return failures;
}
