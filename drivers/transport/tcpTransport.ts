/** A Transport over a TCP socket (serial-to-Ethernet bridges, relay boards with a TCP port). */
import { createConnection, type Socket } from "node:net";
import { TransportError, toError } from "./errors.js";
import { Listeners } from "./listeners.js";
import type { CloseReason, Transport, TransportEvents } from "./transport.js";

class TcpTransport implements Transport {
  readonly target: string;
  private readonly socket: Socket;
  private readonly listeners = new Listeners<TransportEvents>();
  private closing = false;
  private closed = false;
  private lastError: Error | undefined;
  private readonly early: Uint8Array[] = [];

  constructor(target: string, socket: Socket) {
    this.target = target;
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => this.received(new Uint8Array(chunk)));
    socket.on("error", (err) => {
      this.lastError = err;
    });
    socket.on("close", () => this.finish());
  }

  get isOpen(): boolean {
    return !this.closed && !this.closing;
  }

  on<K extends keyof TransportEvents>(event: K, listener: TransportEvents[K]): () => void {
    const off = this.listeners.on(event, listener);
    // Bytes that arrived before anyone listened are delivered to the first data listener.
    if (event === "data" && this.early.length > 0) {
      for (const bytes of this.early.splice(0)) this.listeners.emit("data", bytes);
    }
    return off;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.isOpen) {
      return Promise.reject(
        new TransportError("TRANSPORT_NOT_OPEN", this.target, "write on a closed socket"),
      );
    }
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (err) => {
        if (err)
          reject(new TransportError("TRANSPORT_WRITE_FAILED", this.target, err.message, { cause: err }));
        else resolve();
      });
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closing = true;
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.destroy();
    });
  }

  private received(bytes: Uint8Array): void {
    if (this.listeners.count("data") === 0) this.early.push(bytes);
    else this.listeners.emit("data", bytes);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    const reason: CloseReason = this.closing ? "canceled" : "disconnected";
    if (reason === "canceled") {
      this.listeners.emit("close", reason);
      return;
    }
    const err = new TransportError("TRANSPORT_DISCONNECTED", this.target, "connection closed by the peer", {
      cause: this.lastError,
    });
    this.listeners.emit("close", reason, err);
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
