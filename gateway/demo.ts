/**
 * `npm start`: the real gateway daemon on the built-in demo (config/demo/), with the simulator
 * playing its hardware: serial readers and an LCUS board on tcp://127.0.0.1:4001–4003, Tasmota,
 * Shelly and JSON devices on an MQTT broker (an embedded one unless 127.0.0.1:1883 already has one).
 *
 * At a terminal it opens the simulator's prompt: type a card number and watch the decision and the
 * relay. Without a terminal (or with --tour) it walks through six scans and exits 0 when every door
 * did what the rules say. The demo clock starts on Monday 14 Dec 2026 at 17:35, site time, and
 * runs in real time, so the demo members' packs are valid and the pool is at peak.
 */
import { readFileSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DateTime } from "luxon";
import type { Logger } from "pino";
import { type GatewayConfig, loadGatewayConfig } from "../config/gateway.js";
import { loadSimConfig } from "../firmware-sim/config.js";
import { relayLine, SimConsole } from "../firmware-sim/console.js";
import { type RelayEvent, Simulator } from "../firmware-sim/simulator.js";
import { main as cli } from "./cli.js";
import { Gateway } from "./daemon.js";
import { defaultLogFormat, makeLogger } from "./startCommand.js";
import { Store } from "./store/db.js";
import { listEvents, type RecordedEvent } from "./store/events.js";

const here = dirname(fileURLToPath(import.meta.url));
const demoDir = resolve(here, "../../config/demo");
/** The demo's wall clock at start, site time: peak hours at the pool, Bruno's yoga class at 18:00. */
export const DEMO_START = "2026-12-14T17:35:00";
const ZONE = "Europe/Rome";

/** One scripted scan of the non-interactive tour and what the doors must do. */
interface TourStep {
  title: string;
  reader: string;
  card: string;
  decision: "grant" | "deny";
}

const TOUR: TourStep[] = [
  { title: "Ada swims at peak time (2 credits)", reader: "pool-in", card: "4215834", decision: "grant" },
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

const BANNER = `Cards to try (members.yaml): 4215834 Ada (10 swims), 7654321 Bruno (premium, yoga at 18:00),
5550001 Carla (an expired day pass), 5550002 Dario (lost card), 5550003 Elena (blocked).
At the sim> prompt: "4215834" presents at pool-in; "present gym-in 7654321"; "use pool-out";
"unplug board-1" / "replug board-1"; "relays"; "help"; "quit". Decisions are logged on stderr.`;

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.connect(port, "127.0.0.1");
  });
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

async function waitFor<T>(probe: () => T | undefined, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs the scripted tour; returns how many steps did not go as the rules say. */
async function tour(
  sim: Simulator,
  store: Store,
  config: GatewayConfig,
  out: (line: string) => void,
): Promise<number> {
  const relays: RelayEvent[] = [];
  const off = sim.on("relay", (e) => relays.push(e));
  let failures = 0;
  try {
    for (const step of TOUR) {
      out(`\n# ${step.title}\n> present ${step.reader} ${step.card}`);
      const before = listEvents(store).length;
      const seenRelays = relays.length;
      if (!sim.present(step.reader, step.card)) {
        out("  the simulated reader could not send the card");
        failures++;
        continue;
      }
      const event: RecordedEvent | undefined = await waitFor(() => listEvents(store)[before], 5000);
      if (!event) {
        out("  no decision within 5 s");
        failures++;
        continue;
      }
      const verdict = event.decision === "grant" ? "GRANTED" : "DENIED";
      out(`  ${verdict}  ${event.reason}  ${event.message ?? ""}`.trimEnd());
      const door = doorOf(config, step.reader);
      const pulse =
        event.decision === "grant" && door
          ? await waitFor(() => {
              const mine = relays
                .slice(seenRelays)
                .filter((r) => r.deviceId === door.relay && r.channel === door.channel);
              return mine.some((r) => !r.on) ? mine : undefined;
            }, 8000)
          : undefined;
      for (const r of pulse ?? []) out(`  ${relayLine(r, ZONE)}`);
      const ok = event.decision === step.decision && (step.decision === "deny" || pulse !== undefined);
      if (!ok) {
        out(`  expected ${step.decision}${step.decision === "grant" ? " and a door pulse" : ""}`);
        failures++;
      }
    }
  } finally {
    off();
  }
  return failures;
}

async function run(): Promise<number> {
  const { values: args } = parseArgs({
    options: { keep: { type: "boolean" }, tour: { type: "boolean" }, data: { type: "string" } },
  });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const interactive = !args.tour && process.stdin.isTTY === true && process.stdout.isTTY === true;
  const data = args.data ?? (await mkdtemp(join(tmpdir(), "accessgw-demo-")));
  const keep = args.keep === true || args.data !== undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  if (!keep) cleanups.push(() => rmSync(data, { recursive: true, force: true }));
  try {
    const quiet = { out: () => {}, err: (t: string) => process.stderr.write(`${t}\n`), env: process.env };
    const imported = await cli(
      ["import", join(demoDir, "site.yaml"), join(demoDir, "members.yaml"), "--data", data],
      quiet,
    );
    if (imported !== 0) return imported;

    const simFile = join(demoDir, "sim.yaml");
    const simConfig = loadSimConfig(simFile, readFileSync(simFile, "utf8"));
    const brokerPort = Number(new URL(simConfig.broker?.url ?? "mqtt://127.0.0.1:1883").port || 1883);
    if (simConfig.broker?.embedded && (await listening(brokerPort))) {
      // Someone (a local Mosquitto) already serves the demo's broker port: use it.
      simConfig.broker = { ...simConfig.broker, embedded: false };
    }
    // The simulator stamps relay changes with the demo clock too, so both tell the same time.
    const offset = DateTime.fromISO(DEMO_START, { zone: ZONE }).toMillis() - Date.now();
    const clock = () => Date.now() + offset;
    const sim = new Simulator({ config: simConfig, clock });
    try {
      await sim.start();
    } catch (e) {
      process.stderr.write(
        `demo: the simulator cannot start: ${(e as Error).message}\n` +
          "  (the demo needs 127.0.0.1 ports 4001–4003 free, and 1883 free or served by an MQTT broker)\n",
      );
      return 1;
    }
    cleanups.push(() => sim.stop());

    const gatewayFile = join(demoDir, "gateway.yaml");
    const config = loadGatewayConfig(gatewayFile, readFileSync(gatewayFile, "utf8"));
    const store = Store.open(data);
    cleanups.push(() => store.close());
    const logger: Logger = makeLogger(config.log.level, defaultLogFormat(process.stderr.isTTY));
    const gateway = new Gateway({ config, store, gatewayId: config.gateway.id ?? "gw-demo", logger, clock });
    gateway.start();
    cleanups.push(() => gateway.stop());

    out(`accessgw demo: the gateway daemon and its simulated hardware (config/demo/)`);
    for (const d of sim.list()) out(`  ${d.id.padEnd(13)} ${d.kind.padEnd(19)} ${d.where}`);
    if (sim.brokerDescription) out(`  MQTT: ${sim.brokerDescription}`);
    out(`Demo clock: Mon 14 Dec 2026 17:35 in ${ZONE}, running. Data folder: ${data}`);
    const ready = await waitFor(() => {
      const s = gateway.status();
      const all = [...s.readers, ...s.relays];
      return all.every((d) => d.state === "open") ? true : undefined;
    }, 10_000);
    if (!ready) {
      out("demo: some devices did not connect within 10 s:");
      for (const p of gateway.status().problems) out(`  ${p}`);
    }

    if (!interactive) {
      const failures = await tour(sim, store, config, out);
      out(
        failures === 0
          ? "\nEvery door did what the rules say. Run `npm start` at a terminal to type cards yourself."
          : `\n${failures} step(s) did not go as expected.`,
      );
      return failures === 0 ? 0 : 1;
    }
    out(`\n${BANNER}`);
    const prompt = new SimConsole({
      sim,
      input: process.stdin,
      output: process.stdout,
      terminal: true,
      timeZone: ZONE,
    });
    const onSignal = () => prompt.close();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    await prompt.run();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.stdin.pause();
    return 0;
  } finally {
    for (const c of cleanups.reverse()) await c();
    out(`Demo data folder: ${data}${keep ? " (kept)" : " (removed; run with --keep to keep it)"}`);
  }
}

process.exitCode = await run();
