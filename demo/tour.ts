import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../gateway/cli.js";

/**
 * `npm run tour`: a tour of the command line on the built-in demo site (config/demo/). Runs real
 * `accessgw` commands in-process on a fresh data folder and prints what a technician would see.
 * `npm start` runs the live daemon instead (demo.ts); pass --keep to keep the data folder.
 */
const here = dirname(fileURLToPath(import.meta.url));
const demo = resolve(here, "../../config/demo");
const keep = process.argv.includes("--keep");
const data = mkdtempSync(join(tmpdir(), "accessgw-demo-"));
const env = { ...process.env, ACCESSGW_GATEWAY_ID: "gw-demo" };

const steps: [string, string[]][] = [
  ["Load the demo site and its members", ["import", join(demo, "site.yaml"), join(demo, "members.yaml")]],
  [
    "What if Ada scans at the pool on Monday morning? (off-peak: 1 credit; nothing is recorded)",
    ["explain", "--card", "0004215834", "--area", "pool", "--at", "2026-12-14T10:00"],
  ],
  [
    "Ada swims at peak time: 2 credits",
    ["scan", "--card", "4215834", "--area", "pool", "--at", "2026-12-14T17:00"],
  ],
  [
    "She leaves the pool",
    ["scan", "--card", "4215834", "--area", "pool", "--direction", "out", "--at", "2026-12-14T17:40"],
  ],
  [
    "…and comes back within 120 minutes: a free re-entry",
    ["scan", "--card", "4215834", "--area", "pool", "--at", "2026-12-14T18:30"],
  ],
  [
    "Her card is used again at the pool without an exit: anti-passback",
    ["scan", "--card", "4215834", "--area", "pool", "--at", "2026-12-14T18:40"],
  ],
  [
    "Her pool pack does not open the gym",
    ["scan", "--card", "4215834", "--area", "gym", "--at", "2026-12-14T18:45"],
  ],
  [
    "Bruno has booked the 18:00 yoga class",
    ["scan", "--card", "7654321", "--area", "studio", "--at", "2026-12-14T17:40"],
  ],
  [
    "Bruno's premium membership covers the pool off-peak only",
    ["explain", "--card", "7654321", "--area", "pool", "--at", "2026-12-14T17:00"],
  ],
  [
    "Carla's day pass was for yesterday",
    ["explain", "--card", "5550001", "--area", "gym", "--at", "2026-12-11T09:00"],
  ],
  [
    "Dario's card was reported lost",
    ["explain", "--card", "5550002", "--area", "gym", "--at", "2026-12-14T09:00"],
  ],
  [
    "Elena is blocked for an unpaid bill",
    ["explain", "--card", "5550003", "--area", "gym", "--at", "2026-12-14T09:00"],
  ],
  ["A card nobody knows", ["explain", "--card", "99999", "--area", "gym", "--at", "2026-12-14T09:00"]],
  ["Ada's balance after her swim", ["balance", "--card", "4215834", "--at", "2026-12-14T19:00"]],
  ["Everything recorded today", ["events"]],
];

let failed = 0;
for (const [title, args] of steps) {
  process.stdout.write(
    `\n# ${title}\n$ accessgw ${args.map((a) => (a.startsWith(demo) ? `config/demo/${a.slice(demo.length + 1)}` : a)).join(" ")}\n`,
  );
  const code = await main([...args, "--data", data], {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    env,
  });
  if (code !== 0) failed++;
}
process.stdout.write(
  `\nDemo data folder: ${data}${keep ? " (kept)" : " (removed; run with --keep to keep it)"}\n`,
);
if (!keep) rmSync(data, { recursive: true, force: true });
process.exitCode = failed === 0 ? 0 : 1;
