import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import type { StatusDocument } from "../../config/statusDocument.js";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { SimSerialLineReader } from "../../firmware-sim/devices/serialLineReader.js";
import { accessgw, type Run } from "./accessgw.js";
import { SITE as E2E_SITE, MEMBERS, test } from "./daemon.js";

/** The e2e site and Eve, the site in Rome's time zone (the status shows its zone). */
const SITE = E2E_SITE.replace("timezone: UTC", "timezone: Europe/Rome");

/** `status --json` output: whether the daemon runs, why not, and the status file's document. */
interface Reading {
  running: boolean;
  reason: string | null;
  status: StatusDocument | null;
}

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

const it = test
  /**
   * The daemon as a child process, no gateway id in its environment; killed after the test if still
   * running.
   */
  .extend(
    "spawnStart",
    ({ daemon }) =>
      (args: string[]) =>
        daemon(args, { env: { ACCESSGW_GATEWAY_ID: undefined } }),
  )
  /**
   * Imports the site and writes a config: pool-in on a simulated reader and, unless `deadReader` is
   * false, pool-out on a closed port (a reader that cannot connect: a problem in the status).
   */
  .extend("setUp", ({ serialServer }) => async (dir: string, deadReader = true) => {
    writeFileSync(join(dir, "site.yaml"), SITE);
    writeFileSync(join(dir, "members.yaml"), MEMBERS);
    const data = join(dir, "data");
    const imported = await accessgw([
      "import",
      join(dir, "site.yaml"),
      join(dir, "members.yaml"),
      "--data",
      data,
    ]);
    expect(imported.code).toBe(0);
    const readerServer = await serialServer();
    const relayServer = await serialServer();
    const reader = new SimSerialLineReader({ link: readerServer, lineEnding: "CR" });
    reader.start();
    new SimLcusBoard({ link: relayServer }).start();
    const config = join(dir, "gateway.yaml");
    // gateway.data is relative to the config file: `status` must find it as `start` does.
    writeFileSync(
      config,
      [
        "gateway: { id: gw-status, data: data }",
        "readers:",
        `  - { id: pool-in, driver: serial-line, area: pool, direction: in, door: pool-gate, port: "${readerServer.target}" }`,
        ...(deadReader
          ? [
              `  - { id: pool-out, driver: serial-line, area: pool, direction: out, door: pool-gate, port: "tcp://127.0.0.1:${await closedPort()}" }`,
            ]
          : []),
        "doors:",
        "  - { id: pool-gate, relay: board-1, channel: 1, pulseMs: 100 }",
        "relays:",
        `  - { id: board-1, driver: lcus-serial, port: "${relayServer.target}" }`,
        "",
      ].join("\n"),
    );
    return { config, reader };
  });

async function status(config: string, json = true): Promise<Run> {
  return accessgw(["status", "--config", config, ...(json ? ["--json"] : [])]);
}

const reading = (run: Run): Reading => JSON.parse(run.stdout) as Reading;

describe("status --config FILE", () => {
  it("shows a running daemon's devices, last scan and pid (exit 3: running, with a problem); after SIGTERM it says not running (exit 4)", async ({
    folder: { dir },
    setUp,
    spawnStart,
  }) => {
    const { config, reader } = await setUp(dir);
    const { child, exited } = spawnStart(["--config", config]);

    // Poll until the daemon has written its file and both links have settled; no fixed sleep.
    await vi.waitFor(
      async () => {
        const run = await status(config);
        expect(run.code).toBe(3);
        const doc = reading(run).status;
        expect(doc?.readers.map((r) => [r.id, r.state])).toEqual([
          ["pool-in", "open"],
          ["pool-out", "waiting"],
        ]);
        expect(doc?.relays.map((r) => [r.id, r.state])).toEqual([["board-1", "open"]]);
      },
      { timeout: 10_000, interval: 100 },
    );

    expect(reader.present("1234567")).toBe(true);
    await vi.waitFor(
      async () => {
        const doc = reading(await status(config)).status;
        expect(doc?.readers[0]?.lastScan).toMatchObject({ decision: "grant", reason: "ok", card: "…4567" });
        expect(doc?.relays[0]?.pulses).toBe(1);
      },
      { timeout: 5000, interval: 100 },
    );

    const run = await status(config);
    expect(run.stderr).toBe("");
    const r = reading(run);
    expect(r).toMatchObject({ running: true, reason: null });
    const doc = r.status as StatusDocument;
    expect(doc).toMatchObject({
      version: 1,
      gatewayId: "gw-status",
      pid: child.pid,
      state: "running",
      config,
      dataDir: join(dir, "data"),
      zone: "Europe/Rome",
      totals: { scans: 1, grants: 1, denies: 0, errors: 0, relayFailures: 0 },
    });
    expect(JSON.stringify(doc)).not.toContain("1234567");
    expect(doc.readers[1]).toMatchObject({ id: "pool-out", reason: expect.stringMatching(/ECONNREFUSED/) });
    expect(doc.readers[0]?.driverCounters).toMatchObject({ cards: 1, bytes: 8 });
    expect(doc.problems).toEqual([expect.stringMatching(/^reader pool-out: not connected \(.*ECONNREFUSED/)]);

    const human = await status(config, false);
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(new RegExp(`^RUNNING  gateway gw-status  pid ${child.pid}  up `));
    expect(human.stdout).toMatch(/^ {2}GOOD {2}pool-in {3}serial-line {2}open since /m);
    expect(human.stdout).toMatch(
      /^ {2}BAD {3}pool-out {2}serial-line {2}(waiting|connecting) since .*ECONNREFUSED/m,
    );
    expect(human.stdout).toMatch(/last scan .* GRANT ok {2}card …4567 {2}member m-e2e/);

    child.kill("SIGTERM");
    expect((await exited).code).toBe(0);
    const after = await status(config);
    expect(after.code).toBe(4);
    expect(reading(after)).toMatchObject({
      running: false,
      reason: expect.stringMatching(/^stopped cleanly at /),
      status: { state: "stopped", pid: child.pid },
    });
    const afterHuman = await status(config, false);
    expect(afterHuman.code).toBe(4);
    expect(afterHuman.stdout).toMatch(/^NOT RUNNING {2}stopped cleanly at /);
  }, 30_000);

  it("exits 0 for a daemon running with no problem; refuses a second daemon on the same data folder; says not running (exit 4) once the first was killed (pid gone)", async ({
    folder: { dir },
    setUp,
    spawnStart,
  }) => {
    const { config } = await setUp(dir, false);
    const { child, exited } = spawnStart(["--config", config]);
    await vi.waitFor(
      async () => {
        const run = await status(config);
        expect(reading(run).status?.readers.map((r) => r.state)).toEqual(["open"]);
        expect(run.code).toBe(0);
      },
      { timeout: 10_000, interval: 100 },
    );
    const human = await status(config, false);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^RUNNING .*\nno problems\n/);

    // A second daemon on the same data folder is refused while the first runs.
    const second = await spawnStart(["--config", config]).exited;
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(`another accessgw daemon \\(pid ${child.pid}, gateway gw-status\\) is running on `),
    );
    expect(reading(await status(config)).status?.pid).toBe(child.pid);

    child.kill("SIGKILL");
    await exited;

    const run = await status(config);
    expect(run.code).toBe(4);
    expect(reading(run)).toMatchObject({
      running: false,
      reason: `process ${child.pid} is gone (it did not stop cleanly)`,
      status: { state: "running" },
    });
  }, 30_000);

  it("says not running (exit 4) when no daemon ever ran there", async ({ folder: { dir } }) => {
    const config = join(dir, "gateway.yaml");
    writeFileSync(config, "gateway: { data: nowhere }\n");
    const run = await status(config);
    expect(run.code).toBe(4);
    expect(reading(run)).toEqual({
      running: false,
      reason: `no status file in ${join(dir, "nowhere")}`,
      status: null,
    });
  });

  it("refuses a bad configuration or a missing --config with exit 2", async ({ folder: { dir } }) => {
    const config = join(dir, "gateway.yaml");
    writeFileSync(config, "readers: 7\n");
    const bad = await status(config);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/readers/);
    const missing = await accessgw(["status"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/status needs --config FILE/);
  });
});
