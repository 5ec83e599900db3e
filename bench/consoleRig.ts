/**
 * The real daemon with its console, for the browser tests (test/browser/) and the console
 * benchmark (bench/console.ts): a data folder with the site and members imported and console users
 * added through the command line, a simulated serial-line reader and LCUS relay board on loopback
 * serial device servers, and `accessgw start` (the built binary) serving the console on
 * 127.0.0.1 at a port it picks and logs. The data folder and the daemon are also offered alone,
 * for a site with other devices (test/browser/osdpSite.ts: OSDP readers on a simulated bus).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SimLcusBoard } from "../firmware-sim/devices/lcusBoard.js";
import { SerialDeviceServer } from "../firmware-sim/devices/serialDeviceServer.js";
import { SimSerialLineReader } from "../firmware-sim/devices/serialLineReader.js";

/** A console user to add: name, role and password. */
export interface ConsoleUser {
  name: string;
  role: "viewer" | "desk" | "technician" | "manager";
  password: string;
}

/** What the rig is made of. */
export interface ConsoleRigOptions {
  /** The repository's root (bin/accessgw.js runs the built dist/). */
  root: string;
  /** A fresh folder: the YAML files, gateway.yaml and the data folder go in it. */
  dir: string;
  /** site.yaml's text: an area `pool` the reader `pool-in` enters. */
  site: string;
  /** members.yaml's text. */
  members: string;
  users: readonly ConsoleUser[];
}

/** A running daemon with its console and devices. */
export interface ConsoleRig {
  /** The console's base URL, `http://127.0.0.1:PORT`. */
  url: string;
  reader: SimSerialLineReader;
  board: SimLcusBoard;
  data: string;
  /** Everything the daemon wrote to stderr so far (JSON log lines). */
  log: () => string;
  /** Stops the daemon (SIGTERM; SIGKILL after 5 s) and the devices. */
  stop: () => Promise<void>;
}

/** Runs `accessgw ARGS` to its end with `input` on stdin; throws with its stderr unless it exits 0. */
async function run(root: string, args: string[], input = ""): Promise<void> {
  const child = spawn(process.execPath, [join(root, "bin", "accessgw.js"), ...args], {
    stdio: ["pipe", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`accessgw ${args[0]} exited ${code}: ${stderr}`);
}

/** gateway.yaml: the reader pool-in (decimal lines) at the door pool-gate on the LCUS board, and the console. */
function gatewayYaml(readerTarget: string, relayTarget: string): string {
  return `readers:
  - { id: pool-in, driver: serial-line, area: pool, direction: in, door: pool-gate, port: "${readerTarget}", format: decimal, debounceMs: 100 }
doors:
  - { id: pool-gate, relay: board-1, channel: 1, pulseMs: 200 }
relays:
  - { id: board-1, driver: lcus-serial, port: "${relayTarget}" }
http: { listen: "127.0.0.1:0" }
`;
}

/** Waits until the daemon logs its listener; returns the port (fails when it exits or takes 15 s). */
async function servingPort(child: ChildProcess, stderr: () => string): Promise<number> {
  for (const end = Date.now() + 15_000; Date.now() < end; await sleep(20)) {
    const line = stderr()
      .split("\n")
      .find((l) => l.includes('"http: serving'));
    if (line) return (JSON.parse(line) as { port: number }).port;
    if (child.exitCode !== null) throw new Error(`accessgw start exited ${child.exitCode}: ${stderr()}`);
  }
  throw new Error(`accessgw start logged no "http: serving" within 15 s: ${stderr()}`);
}

/** The data folder with the site and members imported and the users added (cli.md import, user add); returns its path. */
export async function prepareConsoleData(o: ConsoleRigOptions): Promise<string> {
  const data = join(o.dir, "data");
  // Members (names, cards) and the configuration are written 0600, like every data file (secure by default).
  writeFileSync(join(o.dir, "site.yaml"), o.site, { mode: 0o600 });
  writeFileSync(join(o.dir, "members.yaml"), o.members, { mode: 0o600 });
  await run(o.root, ["import", join(o.dir, "site.yaml"), join(o.dir, "members.yaml"), "--data", data]);
  for (const u of o.users)
    await run(
      o.root,
      ["user", "add", u.name, "--role", u.role, "--password-stdin", "--data", data],
      `${u.password}\n`,
    );
  return data;
}

/** A running `accessgw start` with its console. */
export interface ConsoleDaemon {
  /** The console's base URL, `http://127.0.0.1:PORT`. */
  url: string;
  /** Everything the daemon wrote to stderr so far (JSON log lines). */
  log: () => string;
  /** Stops the daemon: SIGTERM, SIGKILL after 5 s. */
  stop: () => Promise<void>;
}

/**
 * Starts `accessgw start` on gateway.yaml `config` and data folder `data` (gateway id gw-console);
 * resolves once its console listens (the daemon stopped again when it does not).
 */
export async function startConsoleDaemon(root: string, config: string, data: string): Promise<ConsoleDaemon> {
  const child = spawn(
    process.execPath,
    [join(root, "bin", "accessgw.js"), "start", "--config", config, "--data", data],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ACCESSGW_GATEWAY_ID: "gw-console" } },
  );
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const closed = new Promise((resolve) => child.once("close", resolve));
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await closed;
    clearTimeout(killer);
  };
  try {
    const port = await servingPort(child, () => stderr);
    return { url: `http://127.0.0.1:${port}`, log: () => stderr, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Imports the site and members, adds the users, starts the devices and the daemon. */
export async function startConsoleRig(o: ConsoleRigOptions): Promise<ConsoleRig> {
  const data = await prepareConsoleData(o);
  const readerServer = new SerialDeviceServer();
  const relayServer = new SerialDeviceServer();
  await readerServer.start();
  await relayServer.start();
  const reader = new SimSerialLineReader({ link: readerServer, lineEnding: "CR" });
  const board = new SimLcusBoard({ link: relayServer });
  reader.start();
  board.start();
  const config = join(o.dir, "gateway.yaml");
  writeFileSync(config, gatewayYaml(readerServer.target, relayServer.target), { mode: 0o600 });
  const stopDevices = async () => {
    reader.stop();
    board.stop();
    await readerServer.stop();
    await relayServer.stop();
  };
  let daemon: ConsoleDaemon;
  try {
    daemon = await startConsoleDaemon(o.root, config, data);
  } catch (err) {
    await stopDevices();
    throw err;
  }
  const stop = async () => {
    await daemon.stop();
    await stopDevices();
  };
  try {
    // The reader's line must be open before a test scans at it.
    for (const end = Date.now() + 5000; !readerServer.connected; await sleep(20))
      if (Date.now() > end) throw new Error("the daemon did not connect to the simulated reader in 5 s");
    return { url: daemon.url, reader, board, data, log: daemon.log, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
