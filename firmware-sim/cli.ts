/**
 * `accessgw-sim`: starts the simulated devices of a sim.yaml and either opens the technician's
 * prompt or runs a scenario file non-interactively (exit 0 when every expectation held, 1 when
 * one failed, 2 for bad input).
 */
import type { Readable, Writable } from "node:stream";
import { parseArgs } from "node:util";
import { readTextFile } from "../config/textFile.js";
import { asLogLevel, LOG_LEVELS, levelShows } from "../runtime/logger.js";
import { realScheduler } from "../runtime/scheduler.js";
import { checkSimConfig } from "./config.js";
import { SimConsole } from "./console.js";
import { checkScenario, type Scenario } from "./scenario.js";
import { runScenario } from "./scenarioRunner.js";
import { Simulator } from "./simulator.js";

/** The process parts the command line uses, handed in so tests can run it in-process. */
export interface SimCliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Whether stdin/stdout are a terminal. */
  terminal: boolean;
  /** Calls `listener` on SIGINT or SIGTERM; returns a function that unsubscribes. */
  onSignal(listener: (signal: string) => void): () => void;
}

const USAGE = `usage: accessgw-sim --config sim.yaml [--scenario scenario.yaml]

Starts the simulated card readers and relay boards of sim.yaml (serial devices on TCP ports or
pty pairs, MQTT devices on the broker) for a gateway to connect to.

  --config FILE     the simulator configuration (devices, broker)
  --scenario FILE   run the scenario's steps and expectations, then exit:
                    0 every expectation held, 1 one did not, 2 bad input
  --log-level LEVEL what the prompt shows live: info (default) relay and reader lines and
                    device errors, warn or error only device errors, silent none of them
  --help            this text

Without --scenario an interactive prompt opens: type a card number to present it; "help" lists
the commands. Ctrl-C or "quit" stops the simulator.`;

/** The process's own streams and signals. */
function processIo(): SimCliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    terminal: process.stdin.isTTY === true && process.stdout.isTTY === true,
    onSignal(listener) {
      process.on("SIGINT", listener);
      process.on("SIGTERM", listener);
      return () => {
        process.off("SIGINT", listener);
        process.off("SIGTERM", listener);
      };
    },
  };
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: string[], io: SimCliIo = processIo()): Promise<number> {
  const err = (text: string) => io.stderr.write(`${text}\n`);
  const out = (text: string) => io.stdout.write(`${text}\n`);
  let args: { config?: string; scenario?: string; "log-level"?: string; help?: boolean };
  try {
    args = parseArgs({
      args: argv,
      options: {
        config: { type: "string" },
        scenario: { type: "string" },
        "log-level": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (e) {
    err(`accessgw-sim: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    out(USAGE);
    return 0;
  }
  const level = asLogLevel(args["log-level"] ?? "info");
  if (level === undefined) {
    err(`accessgw-sim: --log-level must be one of ${LOG_LEVELS.join(", ")} (found "${args["log-level"]}")`);
    return 2;
  }
  if (args.config === undefined) {
    err(`accessgw-sim: --config is required\n\n${USAGE}`);
    return 2;
  }
  const config = readChecked(args.config, (file, text) => {
    const r = checkSimConfig(file, text);
    return { value: r.config, problems: r.problems };
  });
  if (!config.value) return reportProblems(err, config.problems);
  const simConfig = config.value;
  let scenario: Scenario | undefined;
  if (args.scenario !== undefined) {
    const checked = readChecked(args.scenario, (file, text) => {
      const r = checkScenario(file, text, simConfig);
      return { value: r.scenario, problems: r.problems };
    });
    if (!checked.value) return reportProblems(err, checked.problems);
    scenario = checked.value;
  }

  let sim: Simulator;
  try {
    sim = new Simulator({ config: simConfig });
    await sim.start();
  } catch (e) {
    err(`accessgw-sim: cannot start: ${(e as Error).message}`);
    return (e as { exitCode?: number }).exitCode === 2 ? 2 : 1;
  }
  printBanner(sim, out);

  let interrupted = false;
  let interrupt = () => {};
  const stopped = new Promise<void>((resolve) => {
    interrupt = resolve;
  });
  const cleanups: (() => void)[] = [];
  const offSignal = io.onSignal(() => {
    interrupted = true;
    interrupt();
  });
  try {
    if (scenario !== undefined) {
      // The prompt prints device errors itself; a scenario run reports them on stderr.
      cleanups.push(
        sim.on("error", (id, e) => {
          if (levelShows(level, "warn")) err(`accessgw-sim: ${id}: ${(e as Error).message}`);
        }),
      );
      const run = runScenario(scenario, sim, { clock: Date.now, scheduler: realScheduler, print: out });
      const result = await Promise.race([run, stopped.then(() => undefined)]);
      if (result === undefined) {
        err("accessgw-sim: interrupted");
        return 1;
      }
      return result.passed ? 0 : 1;
    }
    const prompt = new SimConsole({ sim, input: io.stdin, output: io.stdout, terminal: io.terminal, level });
    cleanups.push(() => prompt.close());
    await Promise.race([prompt.run(), stopped]);
    if (interrupted) out("stopping");
    return 0;
  } finally {
    offSignal();
    for (const off of cleanups) off();
    await sim.stop();
    // The prompt leaves stdin paused or flowing; let go of it so the process can end.
    io.stdin.pause();
  }
}

/** Reads a file and checks it; a read error is one problem naming the file. */
function readChecked<T>(
  file: string,
  check: (file: string, text: string) => { value: T | null; problems: string[] },
): { value: T | null; problems: string[] } {
  const read = readTextFile(file);
  if (read.problem !== undefined) return { value: null, problems: [read.problem] };
  return check(file, read.text);
}

function reportProblems(err: (text: string) => void, problems: string[]): number {
  err(
    `accessgw-sim: ${problems.length === 1 ? "1 problem" : `${problems.length} problems`}:\n  ${problems.join("\n  ")}`,
  );
  return 2;
}

/** Says which device listens where, and which broker the MQTT devices use. */
function printBanner(sim: Simulator, out: (text: string) => void): void {
  const rows = sim.list();
  const idWidth = Math.max(...rows.map((r) => r.id.length));
  const kindWidth = Math.max(...rows.map((r) => r.kind.length));
  out(`accessgw-sim: ${rows.length} simulated device${rows.length === 1 ? "" : "s"}`);
  for (const r of rows) out(`  ${r.id.padEnd(idWidth)}  ${r.kind.padEnd(kindWidth)}  ${r.where}`);
  const broker = sim.brokerDescription;
  if (broker !== null) out(`  MQTT: ${broker}`);
}
