/**
 * Linked pseudo-terminal pairs made by `socat`, for the end-to-end benchmark: the gateway opens one
 * end as its serial port, the load generator the other. (The test suite has its own helper; bench
 * code does not import test code.)
 */
import { type ChildProcess, spawn } from "node:child_process";

/** A running socat and its two ends. */
export interface PtyPair {
  /** The end the gateway opens. */
  readonly gatewaySide: string;
  /** The end the load generator opens. */
  readonly benchSide: string;
  /** Stops socat and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts socat with two raw, echo-less ptys; resolves once it is relaying. */
export function startPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  const child = spawn("socat", ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise<PtyPair>((resolve, reject) => {
    const ptys: string[] = [];
    let said = "";
    const timer = setTimeout(
      () => fail(new Error(`socat did not set up its ptys in ${timeoutMs} ms`)),
      timeoutMs,
    );
    function fail(err: Error): void {
      clearTimeout(timer);
      child.kill("SIGKILL");
      const hint =
        (err as NodeJS.ErrnoException).code === "ENOENT"
          ? "socat is not installed (apt-get install -y socat): the end-to-end benchmark needs it"
          : `${err.message}\nsocat said:\n${said}`;
      reject(new Error(hint));
    }
    const early = (code: number | null) => fail(new Error(`socat exited early (code ${String(code)})`));
    child.once("error", fail);
    child.once("exit", early);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      said += chunk;
      for (const m of chunk.matchAll(/PTY is (\/dev\/\S+)/g)) if (m[1] !== undefined) ptys.push(m[1]);
      // "starting data transfer loop" comes once both ptys exist.
      if (ptys.length >= 2 && /starting data transfer loop/.test(said)) {
        clearTimeout(timer);
        child.off("exit", early);
        child.off("error", fail);
        child.stderr?.removeAllListeners("data");
        child.stderr?.resume();
        const [a, b] = ptys as [string, string];
        resolve({ gatewaySide: a, benchSide: b, stop: () => stopChild(child, exited) });
      }
    });
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  await exited;
}
