import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { SimSerialLineReader } from "../../firmware-sim/devices/serialLineReader.js";
import { accessgw, GATEWAY_ID, jsonLines } from "./accessgw.js";
import { importSite, it } from "./daemon.js";

describe("start --config FILE", () => {
  it("runs the daemon: a card at the simulated reader opens the door, SIGTERM stops it (exit 0, stdout empty)", async ({
    folder: { dir, data },
    serialServer,
    daemon,
  }) => {
    await importSite(dir, data);
    const readerServer = await serialServer();
    const relayServer = await serialServer();
    const reader = new SimSerialLineReader({ link: readerServer, lineEnding: "CR" });
    reader.start();
    const board = new SimLcusBoard({ link: relayServer });
    board.start();
    const config = join(dir, "gateway.yaml");
    writeFileSync(
      config,
      [
        "readers:",
        `  - { id: pool-in, driver: serial-line, area: pool, direction: in, door: pool-gate, port: "${readerServer.target}", format: decimal }`,
        "doors:",
        "  - { id: pool-gate, relay: board-1, channel: 1, pulseMs: 200 }",
        "relays:",
        `  - { id: board-1, driver: lcus-serial, port: "${relayServer.target}" }`,
        "",
      ].join("\n"),
    );

    const { child, output, exited } = daemon(["--config", config, "--data", data]);
    await vi.waitFor(
      () => {
        expect(readerServer.connected).toBe(true);
        expect(relayServer.connected).toBe(true);
        expect(output.stderr).toMatch(/"gateway started"/);
      },
      { timeout: 5000, interval: 20 },
    );
    const started = output.stderr
      .split("\n")
      .filter((l) => l.includes('"gateway started"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(started).toEqual([expect.objectContaining({ readers: 1, relays: 1 })]);

    expect(reader.present("1234567")).toBe(true);
    await vi.waitFor(
      () =>
        expect(board.history.map((c) => [c.channel, c.on])).toEqual([
          [1, true],
          [1, false],
        ]),
      { timeout: 3000, interval: 20 },
    );

    const t0 = Date.now();
    child.kill("SIGTERM");
    const run = await exited;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/"gateway stopped"/);

    const events = jsonLines(await accessgw(["events", "--json", "--data", data]));
    expect(events).toEqual([
      expect.objectContaining({
        decision: "grant",
        readerId: "pool-in",
        card: "1234567",
        memberId: "m-e2e",
        creditsDeducted: 1,
        creditsRemaining: 9,
        id: `${GATEWAY_ID}:1`,
        relayFailed: false,
      }),
    ]);
  }, 15_000);

  it("cli.md: scan --json and events --json carry relayFailed (false when the door was not involved)", async ({
    folder: { dir, data },
  }) => {
    await importSite(dir, data);
    const scanned = jsonLines(
      await accessgw(["scan", "--card", "1234567", "--area", "pool", "--json", "--data", data]),
    );
    expect(scanned).toEqual([expect.objectContaining({ decision: "grant", relayFailed: false })]);
    const events = jsonLines(await accessgw(["events", "--json", "--data", data]));
    expect(events).toEqual([expect.objectContaining({ id: `${GATEWAY_ID}:1`, relayFailed: false })]);
  }, 10_000);

  it("--log-format pretty writes one readable line per entry instead of JSON; an unknown format is refused (exit 2)", async ({
    folder: { dir, data },
    daemon,
  }) => {
    await importSite(dir, data);
    const config = join(dir, "gateway.yaml");
    writeFileSync(
      config,
      'readers:\n  - { id: pool-in, driver: serial-line, area: pool, direction: in, port: "tcp://127.0.0.1:1" }\n',
    );
    const bad = await daemon(["--config", config, "--data", data, "--log-format", "xml"]).exited;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--log-format must be json or pretty \(found "xml"\)/);

    const { child, output, exited } = daemon(["--config", config, "--data", data, "--log-format", "pretty"]);
    await vi.waitFor(() => expect(output.stderr).toMatch(/INFO: gateway started/), {
      timeout: 5000,
      interval: 20,
    });
    child.kill("SIGTERM");
    const run = await exited;
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    const started = run.stderr.split("\n").find((l) => l.includes("gateway started"));
    // §6: the time of day in the site's zone first (the example site is UTC), one line per entry.
    expect(started).toMatch(/^\d\d:\d\d:\d\d INFO: gateway started \{.*"readers":1/);
    // The reader's port refuses (127.0.0.1:1): an expected network error, never a stack trace.
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).toMatch(/INFO: gateway stopped/);
  }, 15_000);

  it("refuses a bad configuration with exit 2, naming the problem, before opening the data folder", async ({
    folder: { dir, data },
    daemon,
  }) => {
    const config = join(dir, "gateway.yaml");
    writeFileSync(
      config,
      'readers:\n  - { id: pool-in, driver: serial-line, area: pool, direction: sideways, port: "tcp://127.0.0.1:1" }\n',
    );
    const { exited } = daemon(["--config", config, "--data", data]);
    const run = await exited;
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/readers\[0\]\.direction/);
    expect(run.stderr).toMatch(/1 problem found/);
  }, 10_000);

  it("refuses a reader whose area the stored site does not have (exit 2)", async ({
    folder: { dir, data },
    daemon,
  }) => {
    await importSite(dir, data);
    const config = join(dir, "gateway.yaml");
    writeFileSync(
      config,
      'readers:\n  - { id: gym-in, driver: serial-line, area: gym, direction: in, port: "tcp://127.0.0.1:1" }\n',
    );
    const run = await daemon(["--config", config, "--data", data]).exited;
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/readers\[0\]\.area: unknown area "gym"/);
  }, 10_000);

  it("refuses to run without an imported site (exit 1)", async ({ folder: { dir, data }, daemon }) => {
    const config = join(dir, "gateway.yaml");
    writeFileSync(
      config,
      'readers:\n  - { id: pool-in, driver: serial-line, area: pool, direction: in, port: "tcp://127.0.0.1:1" }\n',
    );
    const run = await daemon(["--config", config, "--data", data]).exited;
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/no site configuration/);
  }, 10_000);
});
