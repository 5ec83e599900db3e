/** Starts `socat` with two linked pseudo-terminals: a real serial-port pair for integration tests. */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";

/** A running socat and the two device paths it made. */
export interface PtyPair {
  /** The two ends: the /dev/pts paths, or the `link=` paths when links were asked for. */
  readonly a: string;
  readonly b: string;
  /** The /dev/pts paths socat reported. */
  readonly ptys: readonly [string, string];
  /** Stops socat (SIGTERM) and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** Throws a clear error when socat is not installed. */
export function requireSocat(): void {
  const probe = spawnSync("socat", ["-V"], { stdio: "ignore" });
  if (probe.error !== undefined) {
    throw new Error(
      "socat is not installed: the serial transport tests need it to make pseudo-terminals. " +
        "`bash .ci/run` installs it; by hand: apt-get install -y socat",
    );
  }
}

/** Starts socat; resolves once both ptys exist and socat is relaying. `links` gives stable paths. */
export function startPtyPair(links?: { a: string; b: string }, timeoutMs = 5000): Promise<PtyPair> {
  requireSocat();
  const end = (link: string | undefined) => `pty,raw,echo=0${link === undefined ? "" : `,link=${link}`}`;
  const child = spawn("socat", ["-d", "-d", end(links?.a), end(links?.b)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise<PtyPair>((resolve, reject) => {
    const ptys: string[] = [];
    let stderr = "";
    const timer = setTimeout(
      () => fail(new Error(`socat did not set up its ptys in ${timeoutMs} ms`)),
      timeoutMs,
    );
    function fail(err: Error): void {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${err.message}\nsocat said:\n${stderr}`));
    }
    const early = (code: number | null) => fail(new Error(`socat exited early (code ${String(code)})`));
    child.once("error", fail);
    child.once("exit", early);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
      for (const m of chunk.matchAll(/PTY is (\/dev\/\S+)/g)) if (m[1] !== undefined) ptys.push(m[1]);
      // "starting data transfer loop" comes after both ptys (and their links) are made.
      if (ptys.length >= 2 && /starting data transfer loop/.test(stderr)) {
        clearTimeout(timer);
        child.off("exit", early);
        child.off("error", fail);
        child.stderr?.removeAllListeners("data");
        child.stderr?.resume();
        const [pa, pb] = ptys as [string, string];
        resolve({
          a: links?.a ?? pa,
          b: links?.b ?? pb,
          ptys: [pa, pb],
          stop: () => stopChild(child, exited),
        });
      }
    });
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  await exited;
}
