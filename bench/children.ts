/**
 * The benchmarks that run in a child process of bench/run.ts (their own event loop and heap, and a
 * real Mosquitto or socat ptys of their own), started and read back here.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { E2eResult } from "./e2eLatency.js";
import type { E2eRun } from "./e2eReport.js";
import type { SyncRun } from "./syncReport.js";

/** Runs syncMain.js with `members` in a child process and reads its figures; exits on failure. */
export function runSync(here: string, cacheDir: string, members: string): SyncRun {
  const out = join(cacheDir, "result-sync.json");
  process.stderr.write("\nsync: snapshot, change latency, offline outbox (a real Mosquitto on 127.0.0.1)\n");
  const child = spawnSync(
    process.execPath,
    [join(here, "syncMain.js"), ...["--members", members, "--dir", join(cacheDir, "sync"), "--out", out]],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  if (child.status !== 0) {
    process.stderr.write(`sync: the benchmark process failed (${child.status ?? child.signal})\n`);
    process.exit(1);
  }
  const run = JSON.parse(readFileSync(out, "utf8")) as SyncRun;
  rmSync(out, { force: true });
  rmSync(join(cacheDir, "sync"), { recursive: true, force: true });
  return run;
}

/** What the end-to-end run is given (bench/run.ts's --e2e-* flags). */
export interface EndToEndOptions {
  quick: boolean;
  seconds: string;
  controlSeconds: string;
  readers: string;
  boards: string;
  /** Ms between two cards at one reader (e2eMain's --interval); its default when absent. */
  interval?: string;
  /** Where the result is written in the cache folder; `result-e2e.json` when absent. */
  name?: string;
}

/** Runs e2eMain.js in a child process and reads its figures; exits on failure. */
export function runEndToEnd(here: string, cacheDir: string, o: EndToEndOptions): E2eRun {
  const out = join(cacheDir, `result-${o.name ?? "e2e"}.json`);
  const args = o.quick
    ? ["--quick"]
    : [...["--seconds", o.seconds], ...["--control-seconds", o.controlSeconds]];
  args.push("--readers", o.readers, "--boards", o.boards, "--out", out);
  if (o.interval !== undefined) args.push("--interval", o.interval);
  process.stderr.write("\nend to end: readers → gateway → relays on socat ptys\n");
  const child = spawnSync(process.execPath, [join(here, "e2eMain.js"), ...args], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (child.status !== 0) {
    process.stderr.write(`end to end: the benchmark process failed (${child.status ?? child.signal})\n`);
    process.exit(1);
  }
  const run = JSON.parse(readFileSync(out, "utf8")) as E2eRun;
  rmSync(out, { force: true });
  return run;
}

/**
 * The end-to-end run with `readers` serial-line readers on 2 LCUS boards, a card every `gapMs` across
 * them (each reader every readers × gapMs): the serial readers at the OSDP benchmark's pace.
 */
export function runSerialAtPace(
  here: string,
  cacheDir: string,
  o: { readers: number; gapMs: number; seconds: string },
): E2eResult {
  return runEndToEnd(here, cacheDir, {
    quick: false,
    seconds: o.seconds,
    controlSeconds: "0",
    readers: String(o.readers),
    boards: "2",
    interval: String(o.readers * o.gapMs),
    name: "osdp-serial",
  }).result;
}
