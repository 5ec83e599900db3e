/** A Transport over a serial port (USB-serial readers, RS-485 adapters), through `serialport`. */
import { SerialPort } from "serialport";
import { TransportError, toError } from "./errors.js";
import { hangupSafeBinding } from "./hangupBinding.js";
import { StreamTransport } from "./streamTransport.js";
import type { Transport } from "./transport.js";

class SerialTransport extends StreamTransport {
  private readonly port: SerialPort;

  constructor(target: string, port: SerialPort) {
    super(target, "port");
    this.port = port;
    port.on("data", (chunk: Buffer) => this.received(new Uint8Array(chunk)));
    // serialport reports a disconnect as "close" with err.disconnected; other errors (e.g. a
    // failed write) come as "error" and are followed by that close, so they only need catching.
    port.on("error", () => {});
    port.on("close", (err: Error | null) => this.closedWith(err ?? undefined));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closing = true;
    return new Promise((resolve) => {
      if (!this.port.isOpen) {
        this.closedWith(undefined);
        resolve();
        return;
      }
      this.port.close(() => resolve());
    });
  }

  protected send(bytes: Uint8Array, done: (err?: Error | null) => void): void {
    this.port.write(Buffer.from(bytes), done);
  }

  /** node-serialport: a port closed while reading is "canceled"; any error is "disconnected". */
  private closedWith(err: Error | undefined): void {
    this.finish(err === undefined && this.closing, err?.message ?? "port closed unexpectedly", err);
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
