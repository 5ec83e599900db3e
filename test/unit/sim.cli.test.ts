import { PassThrough } from "node:stream";
import { describe, expect } from "vitest";
import { main, type SimCliIo } from "../../firmware-sim/cli.js";
import { it } from "../harness/index.js";

/** Runs the command line in-process; stdin ends at once, no signal ever comes. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.setEncoding("utf8").on("data", (s: string) => {
    out += s;
  });
  stderr.setEncoding("utf8").on("data", (s: string) => {
    err += s;
  });
  const stdin = new PassThrough();
  stdin.end();
  const io: SimCliIo = { stdin, stdout, stderr, terminal: false, onSignal: () => () => {} };
  const code = await main(argv, io);
  return { code, stdout: out, stderr: err };
}

describe("accessgw-sim command line", () => {
  it("prints its usage for --help (exit 0)", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("usage: accessgw-sim --config sim.yaml [--scenario scenario.yaml]");
  });

  it.each([
    [[], /--config is required/],
    [["--config"], /Option '--config <value>' argument missing/i],
    [["--config", "x.yaml", "--bogus"], /Unknown option '--bogus'/],
    [["--config", "x.yaml", "--log-level", "loud"], /--log-level must be one of fatal, .* \(found "loud"\)/],
  ])("refuses bad usage %j with exit 2", async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("refuses a missing or invalid sim.yaml with exit 2, naming file and path", async ({
    writeFile: file,
  }) => {
    const missing = await run(["--config", "/nonexistent/sim.yaml"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("/nonexistent/sim.yaml: cannot read the file (ENOENT)");
    const bad = file(
      "sim.yaml",
      "devices:\n  - { id: a, kind: lcus-board, expose: { tcp: 0 }, channels: 999 }\n",
    );
    const invalid = await run(["--config", bad]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`${bad}: devices[0].channels: `);
  });

  it("starts the devices, says where they listen, and stops when the input ends (exit 0)", async ({
    writeFile: file,
  }) => {
    const sim = file("sim.yaml", "devices:\n  - { id: board-1, kind: lcus-board, expose: { tcp: 0 } }\n");
    const r = await run(["--config", sim]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(
      /accessgw-sim: 1 simulated device\n {2}board-1 {2}lcus-board {2}tcp:\/\/127\.0\.0\.1:\d+\n/,
    );
  });
});
