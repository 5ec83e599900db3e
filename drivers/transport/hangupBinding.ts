/**
 * The Unix side of our serial ports, on top of @serialport/bindings-cpp's own port:
 *
 * - **A hang-up is visible.** On Linux a tty whose device went away (USB unplugged, pty master
 *   closed) reads 0 bytes forever; the binding retries such reads in a tight loop and never
 *   reports a disconnect. With vmin = 1 (the binding's default) a 0-byte read can only mean end of
 *   file, so a 0-byte read here is a disconnect error.
 * - **Bytes move on the event loop's thread.** The binding opens the device non-blocking and waits
 *   for it with its poller (epoll), but then reads and writes through Node's thread pool: every
 *   card line and every relay command waits for a pool thread to wake and for its completion to
 *   come back. A read or write on a non-blocking descriptor never blocks, so here it is made on the
 *   event loop's thread: a read as soon as the poller says there is something to read, a write at
 *   once (waiting for the poller only while the device's output queue is full). This takes two
 *   thread hops off every card-to-relay path (docs/benchmarks.md).
 */
import { readSync, writeSync } from "node:fs";
import { SerialPort } from "serialport";

/** The platform binding `serialport` picked. */
export type SerialBinding = typeof SerialPort.binding;
type PortBinding = Awaited<ReturnType<SerialBinding["open"]>>;

/** The parts of a Unix port binding the read and write loops need (absent on Windows). */
interface UnixPort {
  readonly isOpen: boolean;
  fd: number | null;
  poller: { once(event: "readable" | "writable", callback: (err: Error | null) => void): unknown };
}

const retryCodes = new Set(["EAGAIN", "EWOULDBLOCK", "EINTR"]);

function isUnixPort(port: unknown): port is UnixPort {
  const p = port as Partial<UnixPort>;
  return typeof p.fd === "number" && typeof p.poller?.once === "function";
}

/** node-serialport's convention: a read on a port we closed is "canceled"; the stream then stays quiet. */
function canceled(): Error {
  return Object.assign(new Error("Port is not open"), { canceled: true });
}

/**
 * One non-blocking system call: its result, or "again" when it would have blocked. Any other error
 * is thrown; node-serialport's stream closes the port as disconnected on it.
 */
function attempt(call: () => number): number | "again" {
  try {
    return call();
  } catch (err) {
    if (retryCodes.has((err as NodeJS.ErrnoException).code ?? "")) return "again";
    throw err;
  }
}

function waitFor(port: UnixPort, event: "readable" | "writable"): Promise<void> {
  return new Promise((resolve, reject) =>
    port.poller.once(event, (e) => (e === null ? resolve() : reject(e))),
  );
}

/**
 * Reads at least one byte; throws a disconnect error on end of file, "canceled" once closed. It
 * waits for the poller first: the stream asks again right after each read, when there is nothing
 * yet, and a read that would block costs a system call and an error object each time.
 */
export async function readUnixPort(
  port: UnixPort,
  buffer: Buffer,
  offset: number,
  length: number,
): Promise<{ buffer: Buffer; bytesRead: number }> {
  for (;;) {
    if (!port.isOpen || port.fd === null) throw canceled();
    await waitFor(port, "readable");
    const fd = port.fd;
    if (!port.isOpen || fd === null) throw canceled();
    const bytesRead = attempt(() => readSync(fd, buffer, offset, length, null));
    if (bytesRead === "again") continue;
    if (bytesRead > 0) return { buffer, bytesRead };
    if (!port.isOpen) throw canceled();
    throw Object.assign(new Error("device hung up (end of file)"), { disconnect: true });
  }
}

/** Writes all of `buffer`, waiting for the poller whenever the device's output queue is full. */
export async function writeUnixPort(port: UnixPort, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const fd = port.fd;
    if (!port.isOpen || fd === null) throw new Error("Port is not open");
    const written = attempt(() => writeSync(fd, buffer, offset, buffer.length - offset));
    if (written === "again") await waitFor(port, "writable");
    else offset += written;
  }
}

/**
 * Wraps a platform binding: Unix ports report a hang-up as a disconnect and read and write on the
 * event loop's thread; other platforms pass through.
 */
export function hangupSafeBinding(base: SerialBinding = SerialPort.binding): SerialBinding {
  // The binding is a union over platforms; its open options are passed through untouched.
  const baseOpen = base.open.bind(base) as (options: unknown) => Promise<PortBinding>;
  const open = async (options: unknown): Promise<PortBinding> => {
    const port = await baseOpen(options);
    if (isUnixPort(port)) {
      const unixPort: UnixPort & { writeOperation: Promise<void> | null } = Object.assign(port, {
        writeOperation: null,
      });
      port.read = (buffer: Buffer, offset: number, length: number) =>
        readUnixPort(unixPort, buffer, offset, length);
      // drain() waits for `writeOperation` before asking the kernel to drain, as the binding's own
      // write() arranges.
      port.write = (buffer: Buffer) => {
        if (!unixPort.isOpen) return Promise.reject(new Error("Port is not open"));
        const operation = writeUnixPort(unixPort, buffer).finally(() => {
          if (unixPort.writeOperation === operation) unixPort.writeOperation = null;
        });
        unixPort.writeOperation = operation;
        return operation;
      };
    }
    return port;
  };
  return { list: () => base.list(), open } as SerialBinding;
}
