/** Small measurement helpers: percentiles, memory, file sizes, the machine. */
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { cpus, totalmem } from "node:os";

/** Latency summary in milliseconds. */
export interface Latency {
  n: number;
  /** Read syscalls per operation, and MB read from the disk during the pass (page cache misses). */
  readsPerOp?: number;
  diskReadMB?: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Summarises durations given in nanoseconds (a Float64Array filled by the timing loop). */
export function summarise(ns: Float64Array, n = ns.length): Latency {
  const s = ns.slice(0, n).sort();
  const at = (q: number) => (s[Math.min(n - 1, Math.ceil(q * n) - 1)] ?? 0) / 1e6;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i] as number;
  return { n, p50: at(0.5), p99: at(0.99), max: (s[n - 1] ?? 0) / 1e6, mean: sum / n / 1e6 };
}

/**
 * CPU milliseconds (user + system) the calling thread has used, or null off Linux: on a loaded
 * machine a thread's CPU time says what its work costs where its wall time does not.
 */
export function threadCpuMs(): number | null {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "utf8");
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in ticks of 10 ms.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** Resident set size now and its peak (VmHWM), in bytes. */
export function memory(): { rss: number; peak: number } {
  const rss = process.memoryUsage().rss;
  let peak = rss;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) peak = Number(m[1]) * 1024;
  } catch {
    // not Linux: the current RSS is the best we have
  }
  return { rss, peak };
}

/** This process's I/O counters: read syscalls, and bytes actually read from the disk (page cache misses). */
export function ioCounters(): { syscr: number; readBytes: number } {
  try {
    const text = readFileSync("/proc/self/io", "utf8");
    const get = (k: string) => Number(new RegExp(`^${k}: (\\d+)$`, "m").exec(text)?.[1] ?? 0);
    return { syscr: get("syscr"), readBytes: get("read_bytes") };
  } catch {
    return { syscr: 0, readBytes: 0 };
  }
}

/** Size of the database file and its -wal, in bytes. */
export function dbSize(file: string): { db: number; wal: number } {
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  return { db: size(file), wal: size(`${file}-wal`) };
}

/** What the benchmark ran on. */
export function machine(dir: string): {
  cpu: string;
  cores: number;
  memory: string;
  disk: string;
  node: string;
} {
  let disk = "unknown";
  try {
    const lines = execFileSync("df", ["-T", "-h", dir], { encoding: "utf8" }).trim().split("\n");
    const f = (lines[1] ?? "").split(/\s+/);
    disk = `${f[1]} on ${f[0]} (${f[2]} total, ${f[4]} free), mounted at ${f[6]}`;
  } catch {
    // no df
  }
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? "unknown",
    cores: cpu.length,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    disk,
    node: process.version,
  };
}

export const MB = 1024 * 1024;
