/**
 * Starts a real Mosquitto broker on 127.0.0.1 and a free port for a test file, and stops it after.
 * Falls back to an in-process `aedes` broker only when no `mosquitto` binary exists, and says so.
 * `stop()` then `restart()` bring the broker down and back on the same port (offline tests).
 */
import { createServer, type Socket } from "node:net";
import { freePort, MosquittoBroker, mosquittoBinary } from "../../firmware-sim/mosquitto.js";

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
export async function startBroker(
  options: { /** Mosquitto configuration lines (ignored by the aedes fallback). */ extra?: string[] } = {},
): Promise<TestBroker & { dispose(): Promise<void> }> {
  // ACCESSGW_TEST_BROKER=aedes forces the fallback (to check it still works).
  const binary = process.env.ACCESSGW_TEST_BROKER === "aedes" ? undefined : mosquittoBinary();
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      if (binary !== undefined) {
        const broker = new MosquittoBroker(binary, port, options.extra);
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
