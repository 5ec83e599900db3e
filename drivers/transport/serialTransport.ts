/** A Transport over a serial port (USB-serial readers, RS-485 adapters), through `serialport`. */
import { SerialPort } from "serialport";
import { TransportError, toError } from "./errors.js";
import { hangupSafeBinding } from "./hangupBinding.js";
import { Listeners } from "./listeners.js";
import type { Transport, TransportEvents } from "./transport.js";

class SerialTransport implements Transport {
  readonly target: string;
  private readonly port: SerialPort;
  private readonly listeners = new Listeners<TransportEvents>();
  private closing = false;
  private closed = false;
  private readonly early: Uint8Array[] = [];

  constructor(target: string, port: SerialPort) {
    this.target = target;
    this.port = port;
    port.on("data", (chunk: Buffer) => this.received(new Uint8Array(chunk)));
    // serialport reports a disconnect as "close" with err.disconnected; other errors (e.g. a
    // failed write) come as "error" and are followed by that close, so they only need catching.
    port.on("error", () => {});
    port.on("close", (err: (Error & { disconnected?: boolean }) | null) => this.finish(err ?? undefined));
  }

  get isOpen(): boolean {
    return !this.closed && !this.closing;
  }

  on<K extends keyof TransportEvents>(event: K, listener: TransportEvents[K]): () => void {
    const off = this.listeners.on(event, listener);
    if (event === "data" && this.early.length > 0) {
      for (const bytes of this.early.splice(0)) this.listeners.emit("data", bytes);
    }
    return off;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.isOpen) {
      return Promise.reject(new TransportError("TRANSPORT_NOT_OPEN", this.target, "write on a closed port"));
    }
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(bytes), (err) => {
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
      if (!this.port.isOpen) {
        this.finish(undefined);
        resolve();
        return;
      }
      this.port.close(() => resolve());
    });
  }

  private received(bytes: Uint8Array): void {
    if (this.listeners.count("data") === 0) this.early.push(bytes);
    else this.listeners.emit("data", bytes);
  }

  private finish(err: (Error & { disconnected?: boolean }) | undefined): void {
    if (this.closed) return;
    this.closed = true;
    // node-serialport: a port closed while reading is "canceled"; any error is "disconnected".
    if (err === undefined && this.closing) {
      this.listeners.emit("close", "canceled");
      return;
    }
    const message = err?.message ?? "port closed unexpectedly";
    this.listeners.emit(
      "close",
      "disconnected",
      new TransportError("TRANSPORT_DISCONNECTED", this.target, message, { cause: err }),
    );
  }
}

/** Opens a serial device at `baudRate`, 8N1; resolves once open, rejects with TRANSPORT_OPEN_FAILED. */
export function openSerialTransport(target: string, path: string, baudRate: number): Promise<Transport> {
  return new Promise((resolve, reject) => {
    // `binding` is SerialPortStream's option; SerialPort's own type hides it but passes it on.
    const options = {
      path,
      baudRate,
      dataBits: 8 as const,
      parity: "none" as const,
      stopBits: 1 as const,
      autoOpen: false,
    };
    const port = new SerialPort({ ...options, binding: hangupSafeBinding() } as typeof options);
    port.open((err) => {
      if (err) {
        reject(new TransportError("TRANSPORT_OPEN_FAILED", target, toError(err).message, { cause: err }));
        return;
      }
      resolve(new SerialTransport(target, port));
    });
  });
}
