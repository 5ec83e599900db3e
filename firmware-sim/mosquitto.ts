/**
 * A real Mosquitto broker on 127.0.0.1 and a given port, started and stopped by the tests and the
 * benchmarks (which need a broker that behaves like production: MQTT 5, persistent sessions, queue
 * and packet limits). `stop()` then `restart()` bring it down and back on the same port.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The mosquitto binary: on PATH, or where Debian installs it (/usr/sbin is not on every PATH). */
export function mosquittoBinary(): string | undefined {
  for (const candidate of ["mosquitto", "/usr/sbin/mosquitto"]) {
    const probe = spawnSync(candidate, ["-h"], { stdio: "ignore" });
    if (probe.error === undefined) return candidate;
  }
  return undefined;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port (polls every 20 ms). */
export async function waitForPort(port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
      socket.connect(port, "127.0.0.1");
    });
    if (ok) return;
    if (!alive()) throw new Error(`the broker exited before it listened on 127.0.0.1:${port}`);
    if (Date.now() > deadline)
      throw new Error(`the broker did not listen on 127.0.0.1:${port} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export class MosquittoBroker {
  readonly kind = "mosquitto" as const;
  readonly url: string;
  private child: ChildProcess | undefined;
  private output = "";
  private readonly dir: string;

  constructor(
    private readonly binary: string,
    readonly port: number,
    /** Lines added to the configuration (e.g. "max_queued_messages 10000"); they win over the defaults. */
    extra: string[] = [],
  ) {
    this.url = `mqtt://127.0.0.1:${port}`;
    this.dir = mkdtempSync(join(tmpdir(), "accessgw-mosquitto-"));
    const lines = [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence false",
      "max_packet_size 1048576",
      "log_dest stderr",
      "log_type error",
      "log_type warning",
    ];
    const keys = new Set(extra.map((l) => l.split(" ")[0]));
    writeFileSync(
      join(this.dir, "mosquitto.conf"),
      [...lines.filter((l) => !keys.has(l.split(" ")[0])), ...extra, ""].join("\n"),
    );
  }

  async start(): Promise<void> {
    this.output = "";
    const child = spawn(this.binary, ["-c", join(this.dir, "mosquitto.conf")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child = child;
    let exited = false;
    child.once("exit", () => {
      exited = true;
    });
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (s: string) => {
      this.output += s;
    });
    try {
      await waitForPort(this.port, 5000, () => !exited);
    } catch (err) {
      child.kill("SIGKILL");
      throw new Error(`${(err as Error).message}\nmosquitto said:\n${this.output}`);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
    await exited;
    clearTimeout(timer);
  }

  restart(): Promise<void> {
    return this.start();
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
