/**
 * Starts a real Mosquitto broker on 127.0.0.1 and a free port for a test file, and stops it after.
 * Falls back to an in-process `aedes` broker only when no `mosquitto` binary exists, and says so.
 * `stop()` then `restart()` bring the broker down and back on the same port (offline tests).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A running broker for tests. */
export interface TestBroker {
  /** mqtt://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** "mosquitto" or "aedes" (the fallback). */
  readonly kind: "mosquitto" | "aedes";
  /** Stops the broker (clients see the connection drop). Safe to call twice. */
  stop(): Promise<void>;
  /** Starts it again on the same port after stop(). */
  restart(): Promise<void>;
}

/** The mosquitto binary: on PATH, or where Debian installs it (/usr/sbin is not on every PATH). */
function mosquittoBinary(): string | undefined {
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
async function waitForPort(port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
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

class MosquittoBroker implements TestBroker {
  readonly kind = "mosquitto" as const;
  readonly url: string;
  private child: ChildProcess | undefined;
  private output = "";
  private readonly dir: string;

  constructor(
    private readonly binary: string,
    readonly port: number,
  ) {
    this.url = `mqtt://127.0.0.1:${port}`;
    this.dir = mkdtempSync(join(tmpdir(), "accessgw-mosquitto-"));
    writeFileSync(
      join(this.dir, "mosquitto.conf"),
      [
        `listener ${port} 127.0.0.1`,
        "allow_anonymous true",
        "persistence false",
        "max_packet_size 1048576",
        "log_dest stderr",
        "log_type error",
        "log_type warning",
        "",
      ].join("\n"),
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

class AedesBroker implements TestBroker {
  readonly kind = "aedes" as const;
  readonly url: string;
  private close: (() => Promise<void>) | undefined;

  constructor(readonly port: number) {
    this.url = `mqtt://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const { Aedes } = (await import("aedes")) as unknown as {
      Aedes: { createBroker(): Promise<{ handle: (s: Socket) => void; close(cb: () => void): void }> };
    };
    const broker = await Aedes.createBroker();
    const server = createServer((socket) => broker.handle(socket));
    const sockets = new Set<Socket>();
    server.on("connection", (s) => {
      sockets.add(s);
      s.once("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.close = async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    };
  }

  async stop(): Promise<void> {
    const close = this.close;
    this.close = undefined;
    await close?.();
  }

  restart(): Promise<void> {
    return this.start();
  }
}

/**
 * Starts a broker for one test file: Mosquitto when installed (what `.ci/run` ensures), else aedes
 * with a line on stderr saying so. Returns the broker and a disposer for afterAll.
 */
export async function startBroker(): Promise<TestBroker & { dispose(): Promise<void> }> {
  // ACCESSGW_TEST_BROKER=aedes forces the fallback (to check it still works).
  const binary = process.env.ACCESSGW_TEST_BROKER === "aedes" ? undefined : mosquittoBinary();
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      if (binary !== undefined) {
        const broker = new MosquittoBroker(binary, port);
        await broker.start();
        return Object.assign(broker, {
          dispose: async () => {
            await broker.stop();
            broker.cleanup();
          },
        });
      }
      process.stderr.write(
        "test broker: no mosquitto binary found (or ACCESSGW_TEST_BROKER=aedes), using the in-process aedes broker instead " +
          "(apt-get install -y mosquitto for the real one; .ci/run installs it)\n",
      );
      const broker = new AedesBroker(port);
      await broker.start();
      return Object.assign(broker, { dispose: () => broker.stop() });
    } catch (err) {
      // Another process may have taken the port between freePort() and listen: try another.
      if (attempt >= 3) throw err;
    }
  }
}
