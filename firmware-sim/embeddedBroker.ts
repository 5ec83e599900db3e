/**
 * An in-process MQTT broker (aedes) for the simulator, so a demo on a laptop needs no Mosquitto.
 * aedes is loaded only when a sim.yaml asks for `broker: { embedded: true }`.
 */
import { createServer, type Socket } from "node:net";

/** A running embedded broker. */
export interface EmbeddedBroker {
  readonly url: string;
  close(): Promise<void>;
}

interface AedesModule {
  Aedes: { createBroker(): Promise<{ handle: (s: Socket) => void; close(cb: () => void): void }> };
}

/** Starts aedes on 127.0.0.1 and the port of `url` (default 1883); rejects when the port is taken. */
export async function startEmbeddedBroker(url: string): Promise<EmbeddedBroker> {
  const port = Number(new URL(url).port || 1883);
  const { Aedes } = (await import("aedes")) as unknown as AedesModule;
  const broker = await Aedes.createBroker();
  const server = createServer((socket) => broker.handle(socket));
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
  } catch (err) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw new Error(`cannot start the embedded broker on 127.0.0.1:${port}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
