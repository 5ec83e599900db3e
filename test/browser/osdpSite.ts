/**
 * A console site with OSDP readers (issue 13 §6): the real daemon (the built binary, as a
 * technician runs it) with three `osdp` readers on one RS-485 bus, played by the simulator's PDs
 * (firmware-sim `osdp-bus`) on a socat pseudo-terminal that the daemon opens through `serialport`.
 * Each PD has its own secure channel state: PD 1 on the reader's key file (established), PD 2
 * without a key on either side (install mode, the default key), PD 3 configured
 * `secureChannel: off` (clear).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { prepareConsoleData, startConsoleDaemon } from "../../bench/consoleRig.js";
import { writeNewKeyFile } from "../../drivers/osdp/keyFile.js";
import { loadSimConfig } from "../../firmware-sim/config.js";
import type { OsdpPd } from "../../firmware-sim/devices/osdpPd.js";
import { Simulator } from "../../firmware-sim/simulator.js";
import { ROOT } from "../e2e/accessgw.js";
import { requireSocat } from "../helpers/socat.js";
import { browserTest, MEMBERS, SITE, USERS } from "./consoleSite.js";

/** The readers and the address of each one's PD on the bus. */
export const PDS = { "gym-in": 1, "gym-side": 2, "gym-back": 3 } as const;

/** A running daemon with its console, and the simulated bus its readers are on. */
export interface OsdpSite {
  url: string;
  /** The simulated PD of a reader. */
  pd: (readerId: keyof typeof PDS) => OsdpPd;
  /** Everything the daemon wrote to stderr so far (JSON log lines). */
  log: () => string;
  stop: () => Promise<void>;
}

/** sim.yaml: the bus on a pty at `bus`; PD 1 shares the gateway's key file, PDs 2 and 3 have no key. */
function simYaml(bus: string, keyFile: string): string {
  return `devices:
  - id: bus
    kind: osdp-bus
    expose: { pty: ${bus} }
    pds:
      - { address: 1, scbkFile: ${keyFile}, display: true, keypad: true }
      - { address: 2, display: false }
      - { address: 3, display: false }
`;
}

/** gateway.yaml: three osdp readers at the pool on the bus, and the console. */
function gatewayYaml(bus: string, keyFile: string): string {
  const reader = `driver: osdp, port: "${bus}", area: pool, direction: in`;
  return `readers:
  - { id: gym-in, ${reader}, address: ${PDS["gym-in"]}, scbkFile: "${keyFile}" }
  - { id: gym-side, ${reader}, address: ${PDS["gym-side"]} }
  - { id: gym-back, ${reader}, address: ${PDS["gym-back"]}, secureChannel: "off" }
http: { listen: "127.0.0.1:0" }
`;
}

/** Imports the site, adds the users, starts the simulated bus and then the daemon on it. */
export async function startOsdpSite(dir: string): Promise<OsdpSite> {
  requireSocat();
  const data = await prepareConsoleData({
    root: ROOT,
    dir,
    site: SITE,
    members: MEMBERS,
    users: Object.values(USERS),
  });
  const bus = join(dir, "osdp-bus");
  const keyFile = join(dir, "keys", "gym-in.scbk");
  writeNewKeyFile(keyFile);
  const sim = new Simulator({ config: loadSimConfig("sim.yaml", simYaml(bus, keyFile)) });
  await sim.start();
  const config = join(dir, "gateway.yaml");
  writeFileSync(config, gatewayYaml(bus, keyFile), { mode: 0o600 });
  try {
    const daemon = await startConsoleDaemon(ROOT, config, data);
    return {
      url: daemon.url,
      pd: (readerId) => sim.pd("bus", PDS[readerId]),
      log: daemon.log,
      stop: async () => {
        await daemon.stop();
        await sim.stop();
      },
    };
  } catch (err) {
    await sim.stop();
    throw err;
  }
}

/** The harness with `site` (the OSDP site, once per file), `chromium` and `newPage`. */
export const it = browserTest(startOsdpSite);
