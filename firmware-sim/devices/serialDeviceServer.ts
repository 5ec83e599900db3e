/**
 * A simulated serial device server (a "serial-to-Ethernet bridge"): a TCP listener on loopback
 * whose one client is the gateway's transport. Devices write bytes to it and read bytes from it,
 * exactly where a real serial line would sit, so the real drivers run unchanged over `tcp://`.
 *
 * One client at a time: a second client REPLACES the first (the old socket is destroyed), as
 * ser2net-style bridges do, so a driver that reconnects before noticing its old socket died is
 * never locked out.
 */
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { Listeners } from "../../drivers/transport/listeners.js";

/** The device side of a serial line: what simulated devices are handed instead of a port. */
export interface DeviceLink {
  /** Sends bytes to the gateway; returns false (bytes lost) when nobody is connected. */
  write(bytes: Uint8Array): boolean;
  /** Subscribes to bytes from the gateway; returns a function that unsubscribes. */
  onData(listener: (bytes: Uint8Array) => void): () => void;
}

/** What a SerialDeviceServer reports. */
export interface SerialDeviceServerEvents {
  data: (bytes: Uint8Array) => void;
  /** A client connected (possibly replacing the previous one). */
  connection: () => void;
  /** The current client went away (hung up, or was dropped by unplug/stop). */
  disconnect: () => void;
}

/** Where a SerialDeviceServer listens. */
export interface SerialDeviceServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port, reported by `port` once started. */
  port?: number;
}

/** A one-client TCP server standing in for a serial line; `start()` listens, `stop()` closes. */
export class SerialDeviceServer implements DeviceLink {
  private readonly host: string;
  private readonly requestedPort: number;
  private readonly listeners = new Listeners<SerialDeviceServerEvents>();
  private server: Server | undefined;
  private client: Socket | undefined;
  private boundPort = 0;
  private stopped = false;

  constructor(options: SerialDeviceServerOptions = {}) {
    this.host = options.host ?? "127.0.0.1";
    this.requestedPort = options.port ?? 0;
  }

  /** The bound port (0 before the first start()); unchanged across unplug/replug. */
  get port(): number {
    return this.boundPort;
  }

  /** The `tcp://host:port` target a driver is configured with. */
  get target(): string {
    return `tcp://${this.host}:${this.boundPort}`;
  }

  /** Whether a client is connected right now. */
  get connected(): boolean {
    return this.client !== undefined && !this.client.destroyed;
  }

  /** Whether it is accepting connections (started and not unplugged). */
  get plugged(): boolean {
    return this.server !== undefined;
  }

  /** Listens and resolves with the bound port; a second call just returns the port. */
  async start(): Promise<number> {
    if (this.server === undefined && !this.stopped) await this.listen(this.requestedPort);
    return this.boundPort;
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof SerialDeviceServerEvents>(event: K, listener: SerialDeviceServerEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }

  /** Subscribes to bytes from the client. */
  onData(listener: (bytes: Uint8Array) => void): () => void {
    return this.listeners.on("data", listener);
  }

  /** Writes to the client; false when there is none (a serial line with nobody listening). */
  write(bytes: Uint8Array): boolean {
    const client = this.client;
    if (client === undefined || client.destroyed) return false;
    client.write(bytes);
    return true;
  }

  /** Simulates pulling the cable: drops the client and stops accepting until replug(). */
  async unplug(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.dropClient();
    if (server !== undefined) await closeServer(server);
  }

  /** Plugs back in: accepts again on the same port; does nothing if plugged, never started or stopped. */
  async replug(): Promise<void> {
    if (this.server !== undefined || this.boundPort === 0 || this.stopped) return;
    await this.listen(this.boundPort);
  }

  /** Drops the client and closes the listener for good; safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.unplug();
  }

  private listen(port: number): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, this.host, () => {
        server.off("error", reject);
        this.server = server;
        this.boundPort = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private accept(socket: Socket): void {
    const previous = this.client;
    this.client = socket;
    // Replace, not refuse: see the module comment.
    previous?.destroy();
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      if (this.client === socket) this.listeners.emit("data", new Uint8Array(chunk));
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      if (this.client !== socket) return;
      this.client = undefined;
      this.listeners.emit("disconnect");
    });
    this.listeners.emit("connection");
  }

  private dropClient(): void {
    const client = this.client;
    if (client === undefined) return;
    this.client = undefined;
    client.destroy();
    this.listeners.emit("disconnect");
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
