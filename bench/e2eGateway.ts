/**
 * The gateway of the end-to-end benchmark, in its own process: the production `accessgw start`
 * path (runStart: the store, the pino logger on stderr, Date.now, SIGTERM handling) on a config
 * file, with one change: every door's pulse is shortened to `--pulse-ms`.
 *
 * Why: pulses on one door never overlap, and the benchmark scans a card at each reader every
 * 100 ms. With the configuration minimum of 100 ms, each pulse (on, 100 ms, off) ends a little
 * after the next grant, so the door's queue would grow by a timer slip per scan and the figure would
 * measure that queue, not the gateway. The pulse length is not on the path being measured.
 *
 *   node dist/bench/e2eGateway.js --config DIR/gateway.yaml --pulse-ms 40
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { checkGatewayConfig } from "../config/gateway.js";
import { runStart } from "../gateway/startCommand.js";

const { values: opt } = parseArgs({
  options: { config: { type: "string" }, "pulse-ms": { type: "string", default: "40" } },
});
const file = opt.config;
const pulseMs = Number(opt["pulse-ms"]);
if (!file || !(pulseMs > 0)) {
  process.stderr.write("usage: e2eGateway --config FILE [--pulse-ms N]\n");
  process.exit(2);
}
const checked = checkGatewayConfig(file, readFileSync(file, "utf8"));
if (!checked.config) {
  for (const p of checked.problems) process.stderr.write(`${p}\n`);
  process.exit(2);
}
const config = checked.config;
for (const door of config.doors) door.pulseMs = pulseMs;
const code = await runStart({
  file,
  config,
  raw: checked.raw,
  dataDir: config.gateway.data ?? "./data",
  gatewayId: config.gateway.id ?? "gw-bench-e2e",
  err: (text) => process.stderr.write(`${text}\n`),
});
process.exit(code);
