/**
 * The sync benchmark as a process of its own (started by run.ts with --only sync, or by hand):
 * a snapshot of N members applied while scans go on. Prints the figures; --out writes them as JSON.
 *
 *   node dist/bench/syncMain.js --members 1M
 *   node dist/bench/syncMain.js --members 50k --out r.json
 *   node dist/bench/syncMain.js --members 50k --part 1000 --only snapshot   # another part size
 *   node dist/bench/syncMain.js --members 100k --only snapshot --main-thread  # parts validated on the main thread
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_PART_MEMBERS } from "../central/messages.js";
import { runCentral } from "./syncCentral.js";
import { benchBroker, runSnapshot } from "./syncSnapshot.js";

const { values: opt } = parseArgs({
  options: {
    members: { type: "string", default: "1M" },
    // The reference central's default (its byte limit lets the benchmark's members fill a part).
    part: { type: "string", default: String(DEFAULT_PART_MEMBERS) },
    "scan-rate": { type: "string", default: "50" },
    "central-members": { type: "string", default: "1000" },
    changes: { type: "string", default: "200" },
    "offline-events": { type: "string", default: "100k" },
    only: { type: "string" },
    // Sync parts validated on the main thread (the worker's fallback), to compare with the worker.
    "main-thread": { type: "boolean", default: false },
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
  const snapshot =
    opt.only === "central"
      ? null
      : await runSnapshot(
          {
            members: count(opt.members as string),
            partSize: Number(opt.part),
            mainThread: opt["main-thread"] === true,
            scansPerSecond: Number(opt["scan-rate"]),
            dir: join(opt.dir as string, "snapshot"),
            seed: Number(opt.seed),
            log,
          },
          broker,
        );
  const central =
    opt.only === "snapshot"
      ? null
      : await runCentral(
          {
            members: count(opt["central-members"] as string),
            changes: Number(opt.changes),
            offlineEvents: count(opt["offline-events"] as string),
            dir: join(opt.dir as string, "central"),
            seed: Number(opt.seed),
            log,
          },
          broker,
        );
  const result = { snapshot, central };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (opt.out) writeFileSync(opt.out, JSON.stringify(result));
} finally {
  await broker.stop();
  broker.cleanup();
}
