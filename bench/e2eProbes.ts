/** Small measurements around the end-to-end benchmark: a pty hop alone, fsync alone, CPU time, pty reads. */
import { closeSync, constants, fdatasyncSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { ReadStream } from "node:tty";
import { summariseMs } from "./e2eMatch.js";
import { cardOf, scanLine } from "./e2eSetup.js";
import type { PtyPair } from "./ptyPair.js";
import type { Latency } from "./stats.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Opens a pty end for reading with libuv's tty handle: `data` fires as soon as bytes arrive. */
export function readEnd(
  path: string,
  cleanups: (() => void)[],
  onData: (chunk: Buffer, at: number) => void,
): void {
  const stream = new ReadStream(openSync(path, constants.O_RDWR | constants.O_NOCTTY));
  stream.on("data", (chunk: Buffer) => onData(chunk, performance.now()));
  // socat going away at teardown ends the stream with EIO: expected then.
  stream.on("error", () => {});
  cleanups.push(() => {
    stream.destroy();
  });
}

/** Writes a 10-byte line at one end of a pair and times its arrival at the other, `n` times. */
export async function measureHop(pair: PtyPair, n: number, cleanups: (() => void)[]): Promise<Latency> {
  const fd = openSync(pair.gatewaySide, constants.O_RDWR | constants.O_NOCTTY);
  cleanups.push(() => closeSync(fd));
  let arrived: ((at: number) => void) | undefined;
  readEnd(pair.benchSide, cleanups, (_chunk, at) => arrived?.(at));
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const got = new Promise<number>((resolve) => {
      arrived = resolve;
    });
    writeSync(fd, scanLine(cardOf(0, i)));
    const sent = performance.now();
    samples.push((await got) - sent);
    await sleep(5);
  }
  arrived = undefined;
  return summariseMs(samples);
}

/** Times fdatasync after a 4 kB write in `dir`, `n` times: the disk's part of every commit. */
export function measureFsync(dir: string, n: number): Latency {
  const file = join(dir, "fsync-probe");
  const fd = openSync(file, "w");
  const samples: number[] = [];
  try {
    const page = Buffer.alloc(4096, 0x5a);
    for (let i = 0; i < n; i++) {
      writeSync(fd, page);
      const t = performance.now();
      fdatasyncSync(fd);
      samples.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return summariseMs(samples);
}

/** CPU time (user + system, ms) a process has used, from /proc/PID/stat; null when unreadable. */
export function cpuMs(pid: number | undefined): number | null {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Linux reports them in clock ticks, 100 a second on every common configuration.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}
