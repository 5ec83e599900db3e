/**
 * A gateway's uplink to the broker as a TCP relay on loopback that can be cut and mended: the
 * gateway's `mqtt.url` points here, so cutting it takes that one gateway off the central (its
 * readers on their own serial lines keep working) while the others stay connected, as a site's
 * WAN link fails for one building.
 */
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";

/** A cuttable TCP relay in front of a broker; `start()` listens, `stop()` closes everything. */
export class Uplink {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private down = false;

  constructor(
    private readonly brokerHost: string,
    private readonly brokerPort: number,
  ) {}

  /** Listens on an ephemeral 127.0.0.1 port; resolves with the mqtt:// URL to hand the gateway. */
  async start(): Promise<string> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Whether the link is cut. */
  get isCut(): boolean {
    return this.down;
  }

  /** Drops every open connection and refuses new ones until mend(). */
  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Accepts connections again (the gateway reconnects on its own backoff). */
  mend(): void {
    this.down = false;
  }

  /** Closes the listener and every connection. */
  async stop(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = connect(this.brokerPort, this.brokerHost);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      // Either end going away ends the pair; errors are a closed link, nothing more.
      s.on("error", () => {});
      s.on("close", () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
