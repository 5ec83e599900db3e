/** A Transport over a TCP socket (serial-to-Ethernet bridges, relay boards with a TCP port). */
import { createConnection, type Socket } from "node:net";
import { TransportError, toError } from "./errors.js";
import { StreamTransport } from "./streamTransport.js";
import type { Transport } from "./transport.js";

class TcpTransport extends StreamTransport {
  private readonly socket: Socket;
  private lastError: Error | undefined;

  constructor(target: string, socket: Socket) {
    super(target, "socket");
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => this.received(new Uint8Array(chunk)));
    socket.on("error", (err) => {
      this.lastError = err;
    });
    socket.on("close", () => this.finish(this.closing, "connection closed by the peer", this.lastError));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closing = true;
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.destroy();
    });
  }

  protected send(bytes: Uint8Array, done: (err?: Error | null) => void): void {
    this.socket.write(bytes, done);
  }
}

/** Connects to host:port; resolves once connected, rejects with TRANSPORT_OPEN_FAILED. */
export function openTcpTransport(target: string, host: string, port: number): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    const failed = (err: Error) => {
      socket.destroy();
      reject(new TransportError("TRANSPORT_OPEN_FAILED", target, toError(err).message, { cause: err }));
    };
    socket.once("error", failed);
    socket.once("connect", () => {
      socket.off("error", failed);
      socket.setNoDelay(true);
      const transport = new TcpTransport(target, socket);
      resolve(transport);
    });
  });
}
