/**
 * The sync benchmark as a process of its own (started by run.ts with --only sync, or by hand):
 * a snapshot of N members applied while scans go on. Prints the figures; --out writes them as JSON.
 *
 *   node dist/bench/syncMain.js --members 1M
 *   node dist/bench/syncMain.js --members 50k --out r.json
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchBroker, runSnapshot } from "./syncSnapshot.js";

const { values: opt } = parseArgs({
  options: {
    members: { type: "string", default: "1M" },
    part: { type: "string", default: "500" },
    "scan-rate": { type: "string", default: "50" },
    seed: { type: "string", default: "20261207" },
    dir: { type: "string", default: join(tmpdir(), "accessgw-bench-sync") },
    out: { type: "string" },
  },
});
const count = (text: string) => {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!m) throw new Error(`bad count "${text}" (e.g. 50k, 1M)`);
  const mult = m[2]?.toLowerCase() === "k" ? 1e3 : m[2]?.toLowerCase() === "m" ? 1e6 : 1;
  return Math.round(Number(m[1]) * mult);
};
const log = (line: string) => process.stderr.write(`${line}\n`);

const broker = await benchBroker();
try {
  const snapshot = await runSnapshot(
    {
      members: count(opt.members as string),
      partSize: Number(opt.part),
      scansPerSecond: Number(opt["scan-rate"]),
      dir: join(opt.dir as string, "snapshot"),
      seed: Number(opt.seed),
      log,
    },
    broker,
  );
  const result = { snapshot };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (opt.out) writeFileSync(opt.out, JSON.stringify(result));
} finally {
  await broker.stop();
  broker.cleanup();
}
