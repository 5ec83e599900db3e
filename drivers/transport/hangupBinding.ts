/**
 * Makes a serial hang-up visible. On Linux a tty whose device went away (USB unplugged, pty
 * master closed) reads 0 bytes forever; @serialport/bindings-cpp retries such reads in a tight
 * loop and never reports a disconnect. With vmin = 1 (the binding's default) a 0-byte read can
 * only mean end of file, so this binding turns it into a disconnect error instead.
 */
import { read as fsRead } from "node:fs";
import { promisify } from "node:util";
import { SerialPort } from "serialport";

/** The platform binding `serialport` picked. */
export type SerialBinding = typeof SerialPort.binding;
type PortBinding = Awaited<ReturnType<SerialBinding["open"]>>;

/** The parts of a Unix port binding the read loop needs (absent on Windows). */
interface UnixPort {
  readonly isOpen: boolean;
  fd: number | null;
  poller: { once(event: "readable", callback: (err: Error | null) => void): unknown };
}

const readAsync = promisify(fsRead);
const retryCodes = new Set(["EAGAIN", "EWOULDBLOCK", "EINTR"]);

function isUnixPort(port: unknown): port is UnixPort {
  const p = port as Partial<UnixPort>;
  return typeof p.fd === "number" && typeof p.poller?.once === "function";
}

/** node-serialport's convention: a read on a port we closed is "canceled"; the stream then stays quiet. */
function canceled(): Error {
  return Object.assign(new Error("Port is not open"), { canceled: true });
}

/** Reads at least one byte; throws a disconnect error on end of file, "canceled" once closed. */
export async function readUnixPort(
  port: UnixPort,
  buffer: Buffer,
  offset: number,
  length: number,
): Promise<{ buffer: Buffer; bytesRead: number }> {
  for (;;) {
    if (!port.isOpen || port.fd === null) throw canceled();
    let bytesRead: number;
    try {
      ({ bytesRead } = await readAsync(port.fd, buffer, offset, length, null));
    } catch (err) {
      if (!retryCodes.has((err as NodeJS.ErrnoException).code ?? "")) throw err;
      if (!port.isOpen) throw canceled();
      await new Promise<void>((resolve, reject) =>
        port.poller.once("readable", (e) => (e === null ? resolve() : reject(e))),
      );
      continue;
    }
    if (bytesRead > 0) return { buffer, bytesRead };
    if (!port.isOpen) throw canceled();
    throw Object.assign(new Error("device hung up (end of file)"), { disconnect: true });
  }
}

/** Wraps a platform binding so Unix ports report a hang-up as a disconnect; others pass through. */
export function hangupSafeBinding(base: SerialBinding = SerialPort.binding): SerialBinding {
  // The binding is a union over platforms; its open options are passed through untouched.
  const baseOpen = base.open.bind(base) as (options: unknown) => Promise<PortBinding>;
  const open = async (options: unknown): Promise<PortBinding> => {
    const port = await baseOpen(options);
    if (isUnixPort(port)) {
      const unixPort: UnixPort = port;
      port.read = (buffer: Buffer, offset: number, length: number) =>
        readUnixPort(unixPort, buffer, offset, length);
    }
    return port;
  };
  return { list: () => base.list(), open } as SerialBinding;
}
