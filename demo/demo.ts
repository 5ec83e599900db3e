/**
 * `npm start`: the real gateway daemon on the built-in demo (config/demo/), with the simulator
 * playing its hardware — serial readers and an LCUS board on tcp://127.0.0.1:4001–4003, Tasmota,
 * Shelly and JSON devices on an MQTT broker (an embedded one unless 127.0.0.1:1883 already has one)
 * — and the reference central serving the site and members from copies of the demo files in the
 * data folder. The gateway starts with an empty cache and gets everything from the central.
 *
 * At a terminal it opens the simulator's prompt: type a card number and watch the decision and the
 * relay; edit the members file and watch the change arrive. Without a terminal (or with --tour) it
 * walks through scans, a live edit and a look at the central, and exits 0 when all went as the rules
 * say. The demo clock starts on Monday 14 Dec 2026 at 17:35, site time, and runs in real time, so
 * the demo members' packs are valid and the pool is at peak.
 */
import { copyFileSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DateTime } from "luxon";
import type { Logger } from "pino";
import { Central } from "../central/central.js";
import { loadGatewayConfig } from "../config/gateway.js";
import { loadSimConfig } from "../firmware-sim/config.js";
import { SimConsole } from "../firmware-sim/console.js";
import { Simulator } from "../firmware-sim/simulator.js";
import { Gateway } from "../gateway/daemon.js";
import { siteZoneOf } from "../gateway/decisionLog.js";
import { Store } from "../gateway/store/db.js";
import { defaultLogFormat, makeLogger } from "../runtime/logger.js";
import {
  DEMO_CONSOLE_PORT,
  DEMO_EDITOR_PORT,
  demoConsole,
  demoEditor,
  demoGatewayData,
} from "./demoConsole.js";
import { tour, waitFor } from "./demoTour.js";

const here = dirname(fileURLToPath(import.meta.url));
const demoDir = resolve(here, "../../config/demo");
/** The demo's wall clock at start, site time: peak hours at the pool, Bruno's yoga class at 18:00. */
export const DEMO_START = "2026-12-14T17:35:00";
const ZONE = "Europe/Rome";

const BANNER = (
  members: string,
) => `Cards to try (members.yaml): 4215834 Ada (10 swims), 7654321 Bruno (premium, yoga at 18:00),
5550001 Carla (an expired day pass), 5550002 Dario (lost card), 5550003 Elena (blocked).
At the sim> prompt: "4215834" presents at pool-in; "present gym-in 7654321"; "use pool-out";
"unplug board-1" / "replug board-1"; "relays"; "help"; "quit". Decisions are logged on stderr.
The central serves ${members}: edit it and save (block Ada, add a card, give Carla
a new pack) and the gateway decides with the change within a second.`;

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
    // The central's files: copies the newcomer may edit while the demo runs.
    const siteFile = join(data, "site.yaml");
    const membersFile = join(data, "members.yaml");
    copyFileSync(join(demoDir, "site.yaml"), siteFile);
    copyFileSync(join(demoDir, "members.yaml"), membersFile);

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
    // The pretty lines' times are the site's once the gateway's cache is open (below).
    let siteZone: () => string | null = () => null;
    const logger: Logger = makeLogger(config.log.level, defaultLogFormat(process.stderr.isTTY), {
      zone: () => siteZone(),
    });
    const brokerUrl = config.mqtt?.url ?? "mqtt://127.0.0.1:1883";
    const central = new Central({
      siteId: config.gateway.site ?? "demo-rome",
      siteConfigFile: siteFile,
      membersFile,
      mqtt: { url: brokerUrl, clientId: "accessgw-demo-central" },
      dataDir: join(data, "central"),
      logger: logger.child({ component: "central" }),
      clock,
    });
    await central.start();
    cleanups.push(() => central.stop());
    // issue 11: the facility manager's editor on the demo's central, with a demo manager login.
    const editor = await demoEditor({
      central,
      siteId: config.gateway.site ?? "demo-rome",
      siteConfigFile: siteFile,
      membersFile,
      dataDir: join(data, "central"),
      port: (await listening(DEMO_EDITOR_PORT)) ? 0 : DEMO_EDITOR_PORT,
      clock,
      logger: logger.child({ component: "central" }),
    });
    cleanups.push(() => editor.stop());
    // Listening before the gateway says hello (the central answers gateways it has heard).
    await waitFor(() => (central.isConnected() ? true : undefined), 5000);
    await central.whenSubscribed();

    // An empty cache: the site and members come from the central.
    const store = Store.open(demoGatewayData(data));
    siteZone = siteZoneOf(store);
    cleanups.push(() => store.close());
    const gatewayId = config.gateway.id ?? "gw-demo";
    const web = demoConsole({
      file: gatewayFile,
      config,
      store,
      dataDir: demoGatewayData(data),
      gatewayId,
      logger,
      clock,
      port: (await listening(DEMO_CONSOLE_PORT)) ? 0 : DEMO_CONSOLE_PORT,
    });
    const gateway = new Gateway({
      config,
      store,
      gatewayId,
      logger,
      clock,
      version: "demo",
      observer: web.feed,
      onChange: () => web.feed.changed(),
    });
    await gateway.start();
    cleanups.push(() => gateway.stop());
    const consoleServer = await web.start(gateway);
    cleanups.push(() => consoleServer.stop());

    out(`accessgw demo: the gateway daemon, its simulated hardware and the reference central (config/demo/)`);
    for (const d of sim.list()) out(`  ${d.id.padEnd(13)} ${d.kind.padEnd(19)} ${d.where}`);
    if (sim.brokerDescription) out(`  MQTT: ${sim.brokerDescription}`);
    out(`  central       ${config.gateway.site}: ${central.memberCount()} members from ${membersFile}`);
    for (const line of [...consoleServer.lines, ...editor.lines]) out(line);
    out(`Demo clock: Mon 14 Dec 2026 17:35 in ${ZONE}, running. Data folder: ${data}`);
    const ready = await waitFor(() => {
      const s = gateway.status();
      const all = [...s.readers, ...s.relays];
      const inputsRead = s.inputs.every((i) => i.level !== "unknown");
      return all.every((d) => d.state === "open") && inputsRead && s.sync?.inStep ? true : undefined;
    }, 15_000);
    if (!ready) {
      out("demo: some devices did not connect, or the central's data did not arrive, within 15 s:");
      for (const p of gateway.status().problems) out(`  ${p}`);
    } else {
      const y = gateway.status().sync;
      out(`The gateway started empty and synced: config rev ${y?.configRev}, members at rev ${y?.lastRev}.`);
    }

    if (!interactive) {
      const failures = await tour(
        {
          sim,
          store,
          config,
          central,
          membersFile,
          clock,
          zone: ZONE,
          out,
          command: (c) => gateway.command(c, "local"),
          inputLevel: (id) => gateway.inputSignals.level(id),
        },
        gatewayId,
      );
      out(
        failures === 0
          ? "\nEvery door did what the rules say. Run `npm start` at a terminal to type cards yourself."
          : `\n${failures} step(s) did not go as expected.`,
      );
      return failures === 0 ? 0 : 1;
    }
    out(`\n${BANNER(membersFile)}`);
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
