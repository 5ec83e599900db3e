import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { DECISION_FIELDS } from "../helpers/decisionFields.js";

/** The repository root: the e2e tests run the real binary from here. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = join(ROOT, "bin", "accessgw.js");
export const EXAMPLES = join(ROOT, "test", "fixtures", "examples");
/** The gateway id every run gets through $ACCESSGW_GATEWAY_ID unless a test says otherwise. */
export const GATEWAY_ID = "gw-e2e";

/** One finished run of the binary. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Variables to set (a string) or remove (undefined) on top of the test environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Runs `npx --no-install accessgw` instead of `node bin/accessgw.js`. */
  npx?: boolean;
  /** Runs this script with node instead of bin/accessgw.js (the simulator's bin, say). */
  script?: string;
  /** Gives it a standard input the test writes to (ignored by default). */
  stdin?: "ignore" | "pipe";
  /** Options for node itself, before bin/accessgw.js (e.g. a heap limit). */
  nodeArgs?: string[];
  /** Runs it under this umask (through sh), as a service manager or a login shell would. */
  umask?: string;
  /** Runs it as this user and group (a test running as root uses an unprivileged user). */
  uid?: number;
  gid?: number;
}

if (!existsSync(join(ROOT, "dist", "gateway", "cli.js")))
  throw new Error("dist/gateway/cli.js is missing: run `npm run build` before the e2e tests");

/** A run of the binary still going: its process, what it printed so far, and its end. */
export interface Running {
  child: ChildProcess;
  /** stdout and stderr so far (code -1 until it ends). */
  output: Run;
  exited: Promise<Run>;
}

/** Starts the real command line and collects its output; ACCESSGW_DATA is never inherited. */
export function launch(args: string[], options: RunOptions = {}): Running {
  const env: NodeJS.ProcessEnv = { ...process.env, ACCESSGW_GATEWAY_ID: GATEWAY_ID };
  delete env.ACCESSGW_DATA;
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  // The bin is the repository's own: npx has nothing to fetch. Offline, it does not wait on the
  // registry either (about 10 s per call on a machine without network, which CI is).
  if (options.npx) env.npm_config_offline = "true";
  const [command, argv] = options.npx
    ? ["npx", ["--no-install", "accessgw", ...args]]
    : [process.execPath, [...(options.nodeArgs ?? []), options.script ?? BIN, ...args]];
  const [file, fileArgs] =
    options.umask === undefined
      ? [command, argv]
      : ["/bin/sh", ["-c", `umask ${options.umask} && exec "$0" "$@"`, command, ...argv]];
  const child = spawn(file, fileArgs, {
    cwd: options.cwd ?? ROOT,
    env,
    stdio: [options.stdin ?? "ignore", "pipe", "pipe"],
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });
  const output: Run = { code: -1, stdout: "", stderr: "" };
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output.stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output.stderr += chunk;
  });
  const exited = new Promise<Run>((resolve, reject) => {
    child.on("error", reject);
    // Killed by a signal: 128, as a shell would say (the signal itself is in child.signalCode).
    child.on("close", (code, signal) => {
      output.code = code ?? (signal === null ? -1 : 128);
      resolve(output);
    });
  });
  return { child, output, exited };
}

/** Runs the real command line to its end and collects its output. */
export function accessgw(args: string[], options: RunOptions = {}): Promise<Run> {
  return launch(args, options).exited;
}

/** The one JSON document a successful `--json` run printed; nothing may have gone to stderr. */
export function jsonOf<T = Record<string, unknown>>(run: Run): T {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** The JSON objects of a one-per-line `--json` output. */
export function jsonLines<T = Record<string, unknown>>(run: Run): T[] {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return run.stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as T);
}

/** Imports the worked example (site.yaml, members.yaml) into a data folder. */
export async function importExamples(data: string): Promise<void> {
  const r = await accessgw([
    "import",
    join(EXAMPLES, "site.yaml"),
    join(EXAMPLES, "members.yaml"),
    "--data",
    data,
  ]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

/** Asserts every decision field of cli.md is present (null, never absent, when it does not apply). */
export function expectAllDecisionFields(d: Record<string, unknown>): void {
  for (const field of DECISION_FIELDS) {
    expect(d, `field ${field}`).toHaveProperty(field);
    expect(d[field], `field ${field}`).not.toBeUndefined();
  }
  for (const row of d.trace as Record<string, unknown>[])
    for (const field of ["multipackId", "accessTypeId", "outcome", "reason"]) {
      expect(row, `trace field ${field}`).toHaveProperty(field);
      expect(row[field], `trace field ${field}`).not.toBeUndefined();
    }
}
