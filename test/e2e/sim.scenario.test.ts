import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { freePort } from "../../firmware-sim/mosquitto.js";
import { type Defer, it } from "../harness/index.js";
import { accessgw, BIN, ROOT, type Run, type Running, launch as run } from "./accessgw.js";

const SIM_BIN = join(ROOT, "bin", "accessgw-sim.js");
const DEMO = join(ROOT, "config", "demo");

/** `node SCRIPT ARGS` with its output collected and its exit awaited; stopped (SIGTERM) after the test. */
function launch(defer: Defer, [script, ...args]: string[], stdin: "ignore" | "pipe" = "ignore"): Running {
  const running = run(args, { script, stdin });
  const { child, exited } = running;
  defer(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
  });
  return running;
}

/**
 * The demo's pool (config/demo: site, members, the pool part of gateway.yaml and sim.yaml) on free
 * ports in `dir`: returns the sim.yaml and gateway.yaml paths.
 */
async function demoPool(dir: string, data: string): Promise<{ sim: string; gateway: string }> {
  const imported = await accessgw([
    "import",
    join(DEMO, "site.yaml"),
    join(DEMO, "members.yaml"),
    "--data",
    data,
  ]);
  expect(imported.stderr).toBe("");
  expect(imported.code).toBe(0);
  const [poolIn, poolOut, board] = [await freePort(), await freePort(), await freePort()];
  const sim = join(dir, "sim.yaml");
  writeFileSync(
    sim,
    [
      "devices:",
      `  - { id: pool-in, kind: serial-line-reader, expose: { tcp: ${poolIn} }, lineEnding: CR }`,
      `  - { id: pool-out, kind: rdm6300, expose: { tcp: ${poolOut} } }`,
      `  - { id: board-1, kind: lcus-board, expose: { tcp: ${board} }, channels: 2 }`,
      "",
    ].join("\n"),
  );
  const gateway = join(dir, "gateway.yaml");
  writeFileSync(
    gateway,
    [
      "readers:",
      `  - { id: pool-in, area: pool, direction: in, door: pool-gate, driver: serial-line, port: "tcp://127.0.0.1:${poolIn}" }`,
      `  - { id: pool-out, area: pool, direction: out, door: pool-gate, driver: rdm6300, port: "tcp://127.0.0.1:${poolOut}" }`,
      "doors:",
      "  - { id: pool-gate, relay: board-1, channel: 1, channelB: 2, pulseMs: 1000 }",
      "relays:",
      `  - { id: board-1, driver: lcus-serial, port: "tcp://127.0.0.1:${board}" }`,
      "",
    ].join("\n"),
  );
  return { sim, gateway };
}

/**
 * Starts the simulator on a scenario, then the real gateway against it; resolves with the
 * simulator's run and what the gateway had logged by then (for a failure's message).
 */
async function runAgainstGateway(
  defer: Defer,
  folder: { dir: string; data: string },
  scenario: string,
): Promise<Run & { gatewayLog: string }> {
  const { sim, gateway } = await demoPool(folder.dir, folder.data);
  const simulator = launch(defer, [SIM_BIN, "--config", sim, "--scenario", scenario]);
  // The devices listen before the gateway starts, so its first connection attempts succeed.
  await vi.waitFor(() => expect(simulator.output.stdout).toContain("board-1"), {
    timeout: 5000,
    interval: 20,
  });
  const daemon = launch(defer, [BIN, "start", "--config", gateway, "--data", folder.data]);
  const run = await simulator.exited;
  return { ...run, gatewayLog: `the gateway's log:\n${daemon.output.stdout}${daemon.output.stderr}` };
}

describe("accessgw-sim --scenario against the real gateway", () => {
  it("exits 0 when the demo scenario's expectations hold: an exit granted, a lost and an unknown card refused", async ({
    folder,
    defer,
  }) => {
    const run = await runAgainstGateway(defer, folder, join(DEMO, "scenario.yaml"));
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/pool-in\s+serial-line-reader\s+tcp:\/\/127\.0\.0\.1:\d+/);
    expect(run.stdout).toMatch(/✓ {2}1\. present 4215834 at pool-out/);
    expect(run.stdout, run.gatewayLog).toMatch(
      /✓ {2}2\. expect board-1 ch2 pulse 500\.\.2000 ms within 3000 ms: seen ON \+\d+ ms, OFF/,
    );
    expect(run.stdout).toMatch(/✓ {2}5\. expect board-1 ch1 no pulse within 2000 ms: seen nothing/);
    expect(run.stdout).not.toContain("✗");
    expect(run.stdout).toContain("passed: 4 expectations held");
    expect(run.code).toBe(0);
  });

  it("exits 1 with a ✗ line when an expectation fails: a lost card does not open the gate", async ({
    folder,
    defer,
  }) => {
    const scenario = join(folder.dir, "wrong.yaml");
    writeFileSync(
      scenario,
      [
        "steps:",
        '  - present: { reader: pool-in, card: "5550002" }',
        "  - expect: { relay: board-1, channel: 1, pulse: true, within: 1500 }",
        "",
      ].join("\n"),
    );
    const run = await runAgainstGateway(defer, folder, scenario);
    expect(run.stdout).toContain("✓  1. present 5550002 at pool-in");
    expect(run.stdout).toContain("✗  2. expect board-1 ch1 pulse within 1500 ms: seen nothing");
    expect(run.stdout).toContain("FAILED: 1 of 2 steps");
    expect(run.code).toBe(1);
  });

  it("exits 2 naming file and path for a bad scenario, before starting any device", async ({
    folder: { dir, data },
    defer,
  }) => {
    const { sim } = await demoPool(dir, data);
    const scenario = join(dir, "bad.yaml");
    writeFileSync(
      scenario,
      "steps:\n  - present: { reader: pool-in, card: 1 }\n  - expect: { relay: gym, channel: 1 }\n",
    );
    const run = await launch(defer, [SIM_BIN, "--config", sim, "--scenario", scenario]).exited;
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`${scenario}: steps[1].expect.relay: unknown device "gym"`);
  });

  it("exits 1 saying which devices the gateway never connected to", async ({
    folder: { dir, data },
    defer,
  }) => {
    const { sim } = await demoPool(dir, data);
    const scenario = join(dir, "lonely.yaml");
    writeFileSync(scenario, "waitForGateway: 200\nsteps:\n  - wait: 10\n");
    const run = await launch(defer, [SIM_BIN, "--config", sim, "--scenario", scenario]).exited;
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /✗ the gateway did not connect within 200 ms to: pool-in \(tcp:\/\/127\.0\.0\.1:\d+\), pool-out/,
    );
  });
});

describe("accessgw-sim interactive", () => {
  it.for(["SIGINT", "SIGTERM"] as const)(
    "answers commands typed on stdin and stops cleanly on %s (exit 0, ports closed)",
    async (signal, { folder: { dir }, defer }) => {
      const sim = join(dir, "sim.yaml");
      const port = await freePort();
      writeFileSync(sim, `devices:\n  - { id: board-1, kind: lcus-board, expose: { tcp: ${port} } }\n`);
      const run = launch(defer, [SIM_BIN, "--config", sim], "pipe");
      await vi.waitFor(
        () => expect(run.output.stdout).toContain(`board-1  lcus-board  tcp://127.0.0.1:${port}`),
        {
          timeout: 5000,
        },
      );
      run.child.stdin?.write("relays\n");
      await vi.waitFor(() => expect(run.output.stdout).toContain("never switched"), { timeout: 5000 });
      run.child.kill(signal);
      const done = await run.exited;
      expect(done.code).toBe(0);
      expect(done.stderr).toBe("");
      // The port is free again: a new listener can take it.
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", resolve);
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  );
});
