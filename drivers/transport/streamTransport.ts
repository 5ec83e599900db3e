/** What the serial and TCP transports share: listeners, bytes before the first listener, close reasons. */
import { TransportError } from "./errors.js";
import { Listeners } from "./listeners.js";
import type { Transport, TransportEvents } from "./transport.js";

/** A Transport over a Node stream-like device; subclasses only send bytes and close. */
export abstract class StreamTransport implements Transport {
  private readonly listeners = new Listeners<TransportEvents>();
  private readonly early: Uint8Array[] = [];
  /** We asked to close it: the close that follows is "canceled". */
  protected closing = false;
  /** The close has been reported. */
  protected closed = false;

  constructor(
    readonly target: string,
    private readonly noun: string,
  ) {}

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
        new TransportError("TRANSPORT_NOT_OPEN", this.target, `write on a closed ${this.noun}`),
      );
    }
    return new Promise((resolve, reject) => {
      this.send(bytes, (err) => {
        if (err)
          reject(new TransportError("TRANSPORT_WRITE_FAILED", this.target, err.message, { cause: err }));
        else resolve();
      });
    });
  }

  abstract close(): Promise<void>;

  /** Hands bytes to the device; calls back once they are written (or failed). */
  protected abstract send(bytes: Uint8Array, done: (err?: Error | null) => void): void;

  /** Passes received bytes on, or keeps them until the first data listener. */
  protected received(bytes: Uint8Array): void {
    if (this.listeners.count("data") === 0) this.early.push(bytes);
    else this.listeners.emit("data", bytes);
  }

  /** Reports the close once: "canceled" when we closed it, else "disconnected" with the reason. */
  protected finish(canceled: boolean, message: string, cause?: Error): void {
    if (this.closed) return;
    this.closed = true;
    if (canceled) {
      this.listeners.emit("close", "canceled");
      return;
    }
    this.listeners.emit(
      "close",
      "disconnected",
      new TransportError("TRANSPORT_DISCONNECTED", this.target, message, { cause }),
    );
  }
}
