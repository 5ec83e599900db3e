/** An in-memory Transport for unit tests: push bytes in, see what was written, simulate a hang-up. */
import { TransportError } from "../../drivers/transport/errors.js";
import { Listeners } from "../../drivers/transport/listeners.js";
import type {
  CloseReason,
  Transport,
  TransportEvents,
  TransportFactory,
  TransportOptions,
} from "../../drivers/transport/transport.js";
import type { Scheduler } from "../../runtime/scheduler.js";

/** A Transport whose other end is the test. */
export class FakeTransport implements Transport {
  readonly target: string;
  readonly options: TransportOptions;
  /** Everything written to it, one entry per write. */
  readonly written: Uint8Array[] = [];
  private readonly listeners = new Listeners<TransportEvents>();
  private open = true;

  constructor(target: string, options: TransportOptions = {}) {
    this.target = target;
    this.options = options;
  }

  /** Whether it is still open. */
  get isOpen(): boolean {
    return this.open;
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof TransportEvents>(event: K, listener: TransportEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }

  /** Records the bytes; rejects with TRANSPORT_NOT_OPEN once closed. */
  write(bytes: Uint8Array): Promise<void> {
    if (!this.open) return Promise.reject(new TransportError("TRANSPORT_NOT_OPEN", this.target, "closed"));
    this.written.push(Uint8Array.from(bytes));
    return Promise.resolve();
  }

  /** Closes it with reason "canceled"; safe to call twice. */
  close(): Promise<void> {
    this.end("canceled");
    return Promise.resolve();
  }

  /** Delivers bytes as if the device sent them (ignored once closed). */
  push(bytes: Uint8Array | string): void {
    if (!this.open) return;
    const chunk = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
    this.listeners.emit("data", chunk);
  }

  /** Simulates the device going away: closes with reason "disconnected". */
  disconnect(err?: Error): void {
    this.end(
      "disconnected",
      err ?? new TransportError("TRANSPORT_DISCONNECTED", this.target, "device went away (simulated)"),
    );
  }

  private end(reason: CloseReason, err?: Error): void {
    if (!this.open) return;
    this.open = false;
    this.listeners.emit("close", reason, err);
  }
}

/** A TransportFactory that makes FakeTransports and remembers them; `failNext` makes opens fail. */
export interface FakeTransportFactory {
  factory: TransportFactory;
  /** Every transport opened, oldest first. */
  opened: FakeTransport[];
  /** The most recently opened transport; throws when none was opened. */
  last(): FakeTransport;
  /** Makes the next `count` opens reject with TRANSPORT_OPEN_FAILED. */
  failNext(count?: number): void;
}

/** Makes a FakeTransportFactory. */
export function fakeTransportFactory(): FakeTransportFactory {
  const opened: FakeTransport[] = [];
  let failures = 0;
  return {
    opened,
    factory: async (target, options) => {
      if (failures > 0) {
        failures--;
        throw new TransportError("TRANSPORT_OPEN_FAILED", target, "cannot open (simulated)");
      }
      const t = new FakeTransport(target, options);
      opened.push(t);
      return t;
    },
    last: () => {
      const t = opened.at(-1);
      if (t === undefined) throw new Error("no transport was opened");
      return t;
    },
    failNext: (count = 1) => {
      failures += count;
    },
  };
}

/** A Scheduler the test runs by hand: nothing fires until `runNext()`. */
export class ManualScheduler implements Scheduler {
  /** The queued timers by handle, oldest first. */
  protected readonly timers = new Map<number, { fn: () => void; ms: number }>();
  private nextId = 1;

  /** Queues a timer; returns its handle. */
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { fn, ms });
    return id;
  }

  /** Cancels a queued timer. */
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** How many timers are queued. */
  get pending(): number {
    return this.timers.size;
  }

  /** Fires the oldest queued timer; returns whether there was one. */
  runNext(): boolean {
    const first = this.timers.entries().next();
    if (first.done === true) return false;
    const [id, timer] = first.value;
    this.timers.delete(id);
    timer.fn();
    return true;
  }
}
