import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { expect, vi } from "vitest";
import type { SerialDeviceServer } from "../../firmware-sim/devices/serialDeviceServer.js";
import { SimSerialLineReader } from "../../firmware-sim/devices/serialLineReader.js";
import { DB_FILE } from "../../gateway/store/db.js";
import { type Defer, test as harness } from "../harness/index.js";
import { accessgw, launch, type Running, type RunOptions } from "./accessgw.js";

/** A site open around the clock and Eve, whose ten swims never expire: grants at any real time. */
export const SITE = `site: { id: e2e-site, timezone: UTC }
areas:
  - id: pool
accessTypes:
  - id: pool-any
    areas: [pool]
    windows: [{ days: [mon, tue, wed, thu, fri, sat, sun, hol], from: "00:00", to: "24:00" }]
products:
  - id: forever10
    name: Ten swims, no expiry
    credits: 10
    validity: { indefinite: true }
    items:
      - { accessType: pool-any, credits: 1, priority: 1 }
`;

export const MEMBERS = `members:
  - id: m-e2e
    name: Eve
    cards: [{ number: "1234567", status: active }]
    multipacks:
      - { id: mp-e2e, product: forever10, purchasedAt: "2020-01-01T10:00:00Z", status: active }
`;

/** Imports SITE and MEMBERS (written into `dir`) into the data folder. */
export async function importSite(dir: string, data: string): Promise<void> {
  writeFileSync(join(dir, "site.yaml"), SITE);
  writeFileSync(join(dir, "members.yaml"), MEMBERS);
  const r = await accessgw(["import", join(dir, "site.yaml"), join(dir, "members.yaml"), "--data", data]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

/** A running `accessgw start`: its output so far, and its exit. */
export interface DaemonProcess extends Running {
  /** Waits until stderr matches (the daemon logs JSON lines). */
  logged: (pattern: RegExp, timeout?: number) => Promise<void>;
}

/** How a daemon is spawned: its environment on top of the test's, its umask, its user and group. */
export type SpawnOptions = Pick<RunOptions, "env" | "umask" | "uid" | "gid">;

/** Spawns `accessgw start ARGS`; `defer` gets a SIGKILL for a daemon the test left running. */
function spawnDaemon(args: string[], defer: Defer, options: SpawnOptions = {}): DaemonProcess {
  const running = launch(["start", ...args], options);
  const { child, output } = running;
  defer(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  const logged = (pattern: RegExp, timeout = 10_000) =>
    vi.waitFor(() => expect(output.stderr).toMatch(pattern), { timeout, interval: 20 });
  return { ...running, logged };
}

/**
 * A gateway.yaml with one pool reader at `readerTarget` (R17 debounce 100 ms) and, given a relay, its
 * door.
 */
export function writeConfig(
  file: string,
  readerTarget: string,
  relay?: { driver: "lcus-serial" | "modbus-rtu"; target: string; pulseMs?: number },
  extra = "",
): void {
  const door = relay === undefined ? "" : ", door: pool-gate";
  const lines = [
    "readers:",
    `  - { id: pool-in, driver: serial-line, area: pool, direction: in${door}, port: "${readerTarget}", format: decimal, debounceMs: 100 }`,
  ];
  if (relay !== undefined)
    lines.push(
      "doors:",
      `  - { id: pool-gate, relay: board-1, channel: 1, pulseMs: ${relay.pulseMs ?? 200} }`,
      "relays:",
      `  - { id: board-1, driver: ${relay.driver}, port: "${relay.target}" }`,
    );
  writeFileSync(file, `${lines.join("\n")}\n${extra}`);
}

/** A daemon started with one pool reader (and a relay when given). */
export interface RunningDaemon {
  daemon: DaemonProcess;
  reader: SimSerialLineReader;
  readerServer: SerialDeviceServer;
  /** The gateway.yaml it runs with. */
  config: string;
}

/**
 * The harness with the real daemon as a child process of the test:
 * - `daemon(args, options)` spawns `accessgw start ARGS` (killed after the test if it still runs);
 * - `lineReader()`: a simulated serial-line reader (decimal lines) on its own device server;
 * - `startWithReader(relay, extra)` writes gateway.yaml for one pool reader (writeConfig) into the
 *   test's folder, starts the daemon on the folder's `data` and waits until it runs with the reader
 *   connected.
 */
export const test = harness
  .extend(
    "daemon",
    ({ defer }) =>
      (args: string[], options?: SpawnOptions) =>
        spawnDaemon(args, defer, options),
  )
  .extend(
    "lineReader",
    ({ serialServer }) =>
      async (): Promise<{ server: SerialDeviceServer; reader: SimSerialLineReader }> => {
        const server = await serialServer();
        const reader = new SimSerialLineReader({ link: server, lineEnding: "CR" });
        reader.start();
        return { server, reader };
      },
  )
  .extend(
    "startWithReader",
    ({ folder, daemon: spawn, lineReader }) =>
      async (relay?: Parameters<typeof writeConfig>[2], extra = ""): Promise<RunningDaemon> => {
        const { server: readerServer, reader } = await lineReader();
        const config = join(folder.dir, "gateway.yaml");
        writeConfig(config, readerServer.target, relay, extra);
        const daemon = spawn(["--config", config, "--data", folder.data]);
        await daemon.logged(/"gateway started"/);
        await vi.waitFor(() => expect(readerServer.connected).toBe(true), { timeout: 5000 });
        return { daemon, reader, readerServer, config };
      },
  );

/** The same as `test`, for files that say `it`. */
export const it = test;

/** SIGTERM: the daemon must stop cleanly (exit 0); resolves with what it logged. */
export async function stopCleanly(daemon: DaemonProcess): Promise<string> {
  daemon.child.kill("SIGTERM");
  const run = await daemon.exited;
  expect(run.code).toBe(0);
  return run.stderr;
}

/** The events recorded in a data folder, read straight from its cache (also while a daemon runs). */
export function storedEvents(
  data: string,
): { decision: string; reason: string; pulse: string | null; relayFailed: boolean }[] {
  const db = new Database(join(data, DB_FILE), { readonly: true });
  try {
    // Every column: the folder of an older accessgw has no `pulse` (read as null).
    const rows = db.prepare("SELECT * FROM events ORDER BY seq").all() as {
      doc: string;
      pulse?: string | null;
    }[];
    return rows.map((r) => {
      const e = JSON.parse(r.doc) as { decision: string; reason: string; relayFailed: boolean };
      return { decision: e.decision, reason: e.reason, pulse: r.pulse ?? null, relayFailed: e.relayFailed };
    });
  } finally {
    db.close();
  }
}
