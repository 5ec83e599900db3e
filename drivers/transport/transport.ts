/**
 * The byte transport handed to drivers: `tcp://host:port` gives a socket, anything else is a
 * serial device path. Drivers only see this interface, so a simulator can plug in instead.
 */
import { TransportError } from "./errors.js";
import { openSerialTransport } from "./serialTransport.js";
import { openTcpTransport } from "./tcpTransport.js";

/**
 * Why a transport closed: "canceled" when we closed it ourselves (a port that closes while
 * reading), "disconnected" for anything else (peer hung up, device unplugged, I/O error).
 */
export type CloseReason = "canceled" | "disconnected";

/** What a transport reports. */
export interface TransportEvents {
  data: (bytes: Uint8Array) => void;
  open: () => void;
  close: (reason: CloseReason, err?: Error) => void;
}

/** An open byte stream to one device. */
export interface Transport {
  /** The target it was opened with (`tcp://…` or a device path). */
  readonly target: string;
  /** Whether it is still open. */
  readonly isOpen: boolean;
  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof TransportEvents>(event: K, listener: TransportEvents[K]): () => void;
  /** Writes bytes; resolves once handed to the OS, rejects with a TransportError. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes it; "close" is then reported with reason "canceled". Safe to call twice. */
  close(): Promise<void>;
}

/** Options for opening a transport. */
export interface TransportOptions {
  /** Serial baud rate (8N1); ignored for TCP. Default 9600. */
  baudRate?: number;
}

/** Opens a transport and resolves once it is open: the shape a driver is handed. */
export type TransportFactory = (target: string, options?: TransportOptions) => Promise<Transport>;

/** A parsed target. */
export type TransportTarget =
  | { kind: "tcp"; host: string; port: number }
  | { kind: "serial"; path: string; baudRate: number };

/** Default serial speed when none is given. */
export const defaultBaudRate = 9600;

/** Parses a target string; throws TransportError TRANSPORT_TARGET_INVALID naming the target. */
export function parseTarget(target: string, options: TransportOptions = {}): TransportTarget {
  const invalid = (why: string) => new TransportError("TRANSPORT_TARGET_INVALID", target, why);
  if (/^tcp:/i.test(target)) {
    const m = /^tcp:\/\/(\[[^\]]+\]|[^:/[\]]+):([0-9]+)\/?$/i.exec(target);
    if (m === null) throw invalid("expected tcp://host:port");
    const host = (m[1] ?? "").replace(/^\[|\]$/g, "");
    const port = Number(m[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw invalid(`expected a TCP port from 1 to 65535, found ${m[2]}`);
    }
    return { kind: "tcp", host, port };
  }
  if (target.trim() === "") throw invalid("expected tcp://host:port or a serial device path, found nothing");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    throw invalid("expected tcp://host:port or a serial device path, found another URL scheme");
  }
  const baudRate = options.baudRate ?? defaultBaudRate;
  if (!Number.isInteger(baudRate) || baudRate <= 0) {
    throw invalid(`expected a positive whole baud rate, found ${String(options.baudRate)}`);
  }
  return { kind: "serial", path: target, baudRate };
}

/** Opens `tcp://host:port` as a socket or a device path as a serial port (8N1); resolves once open. */
export async function openTransport(target: string, options: TransportOptions = {}): Promise<Transport> {
  const parsed = parseTarget(target, options);
  if (parsed.kind === "tcp") return openTcpTransport(target, parsed.host, parsed.port);
  return openSerialTransport(target, parsed.path, parsed.baudRate);
}
