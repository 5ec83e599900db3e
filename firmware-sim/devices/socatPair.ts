/**
 * Linked pseudo-terminal pairs made by `socat`: the one place that starts socat and reads its
 * output, for the simulator's pty exposure, the end-to-end benchmark and the serial tests.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { lstatSync, unlinkSync } from "node:fs";

/** A running socat relaying between two raw, echo-less ptys. */
export interface SocatPair {
  /** The two ends: the `link=` paths when links were asked for, else the /dev/pts paths. */
  readonly a: string;
  readonly b: string;
  /** The /dev/pts paths socat reported. */
  readonly ptys: readonly [string, string];
  /** Resolves when socat exits, killed or by itself. */
  readonly exited: Promise<void>;
  /** Stops socat (SIGTERM) and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** Throws a clear error naming what needs socat when it is not installed. */
export function requireSocat(purpose: string): void {
  const probe = spawnSync("socat", ["-V"], { stdio: "ignore" });
  if (probe.error !== undefined) {
    throw new Error(`socat is not installed: ${purpose} (apt-get install -y socat)`);
  }
}

/**
 * Starts socat with two linked ptys; resolves once both exist (with their links) and socat is
 * relaying. Stale symlinks at the link paths (left by a socat killed hard) are removed first.
 */
export function startSocatPair(options: { links?: { a: string; b: string }; timeoutMs?: number } = {}) {
  const { links, timeoutMs = 5000 } = options;
  if (links) for (const path of [links.a, links.b]) removeSymlink(path);
  const end = (link: string | undefined) => `pty,raw,echo=0${link === undefined ? "" : `,link=${link}`}`;
  const child = spawn("socat", ["-d", "-d", end(links?.a), end(links?.b)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise<SocatPair>((resolve, reject) => {
    const ptys: string[] = [];
    let said = "";
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`socat could not make a pty pair: ${why}\nsocat said:\n${said}`));
    };
    const timer = setTimeout(() => fail(`no ptys after ${timeoutMs} ms`), timeoutMs);
    const early = (code: number | null) => fail(`socat exited early (code ${String(code)})`);
    const error = (err: NodeJS.ErrnoException) =>
      fail(err.code === "ENOENT" ? "socat is not installed (apt-get install -y socat)" : err.message);
    child.once("exit", early);
    child.once("error", error);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      said += chunk;
      for (const m of chunk.matchAll(/PTY is (\/dev\/\S+)/g)) if (m[1] !== undefined) ptys.push(m[1]);
      // "starting data transfer loop" comes after both ptys and their links exist.
      if (ptys.length < 2 || !/starting data transfer loop/.test(said)) return;
      clearTimeout(timer);
      child.off("exit", early);
      child.off("error", error);
      child.stderr?.removeAllListeners("data");
      child.stderr?.resume();
      const [pa, pb] = ptys as [string, string];
      resolve({
        a: links?.a ?? pa,
        b: links?.b ?? pb,
        ptys: [pa, pb],
        exited,
        stop: () => stop(child, exited),
      });
    });
  });
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  await exited;
}

function removeSymlink(path: string): void {
  try {
    if (lstatSync(path).isSymbolicLink()) unlinkSync(path);
  } catch {
    // Not there: nothing to remove.
  }
}
