/**
 * The end-to-end latency benchmark as a process of its own (started by run.ts, or by hand):
 * readers → gateway → relays on socat ptys; prints the table, and writes the figures as JSON with --out.
 *
 *   node dist/bench/e2eMain.js                    # 16 readers, 4 boards, 30 s after a 2 s warm-up
 *   node dist/bench/e2eMain.js --quick            # a 5 s smoke run
 *   node dist/bench/e2eMain.js --readers 3 --seconds 2 --keep --out r.json
 *   node dist/bench/e2eMain.js --tmp /dev/shm     # database on tmpfs: the gateway without the disk
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type E2eOptions, type E2eResult, runE2e } from "./e2eLatency.js";
import { type E2eRun, e2ePassed, e2eRows, renderE2eText } from "./e2eReport.js";

const here = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    readers: { type: "string", default: "16" },
    boards: { type: "string", default: "4" },
    seconds: { type: "string", default: "30" },
    warmup: { type: "string", default: "2" },
    interval: { type: "string", default: "100" },
    "pulse-ms": { type: "string", default: "40" },
    baud: { type: "string", default: "9600" },
    timeout: { type: "string", default: "2000" },
    "log-level": { type: "string", default: "info" },
    quick: { type: "boolean", default: false },
    "control-seconds": { type: "string", default: "10" },
    keep: { type: "boolean", default: false },
    tmp: { type: "string" },
    out: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (opt.help) {
  process.stdout.write(
    "usage: e2eMain [--readers 16] [--boards 4] [--seconds 30] [--warmup 2] [--interval 100] [--pulse-ms 40]\n" +
      "               [--baud 9600] [--timeout 2000] [--log-level info] [--control-seconds 10 (0: none)]\n" +
      "               [--quick] [--keep] [--tmp DIR (where the database goes)] [--out FILE]\n",
  );
  process.exit(0);
}
const num = (name: string, text: string | undefined, min: number) => {
  const v = Number(text);
  if (!Number.isFinite(v) || v < min) {
    process.stderr.write(`--${name}: expected a number ≥ ${min}, found "${text}"\n`);
    process.exit(2);
  }
  return v;
};

const base: E2eOptions = {
  readers: num("readers", opt.readers, 1),
  boards: num("boards", opt.boards, 1),
  seconds: opt.quick ? 5 : num("seconds", opt.seconds, 1),
  warmupSeconds: opt.quick ? 1 : num("warmup", opt.warmup, 0),
  intervalMs: num("interval", opt.interval, 1),
  pulseMs: num("pulse-ms", opt["pulse-ms"], 1),
  baudRate: num("baud", opt.baud, 1),
  timeoutMs: num("timeout", opt.timeout, 1),
  logLevel: opt["log-level"] as string,
  gatewayScript: join(here, "e2eGateway.js"),
  keep: opt.keep,
  ...(opt.tmp === undefined ? {} : { tmpBase: opt.tmp }),
  progress: (text) => process.stderr.write(`  [e2e] ${text}\n`),
};
const controlSeconds = opt.quick ? 3 : num("control-seconds", opt["control-seconds"], 0);
const result = await runE2e(base);
if (result.keptIn) process.stderr.write(`  [e2e] data, config and gateway log kept in ${result.keptIn}\n`);
let control: E2eResult | undefined;
if (controlSeconds > 0) {
  process.stderr.write(
    `  [e2e] control: the same load against a null gateway (e2eEcho.js), ${controlSeconds} s\n`,
  );
  control = await runE2e({
    ...base,
    seconds: controlSeconds,
    gatewayScript: join(here, "e2eEcho.js"),
    kind: "echo",
    keep: false,
  });
}
const run: E2eRun = control ? { result, control } : { result };
if (opt.out) writeFileSync(opt.out, JSON.stringify(run));
else process.stdout.write(`${renderE2eText(e2eRows(result, control))}\n`);
// By hand, a MISS is exit code 3; with --out the caller (run.ts) reads PASS/MISS from the figures.
process.exitCode = opt.out !== undefined || e2ePassed(e2eRows(result, control)) ? 0 : 3;
