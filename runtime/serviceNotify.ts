/**
 * systemd's notify protocol (sd_notify(3)), for a daemon run as a `Type=notify` unit: READY=1 once
 * the gateway works, STATUS= a line for `systemctl status`, WATCHDOG=1 from the event loop (a hung
 * loop stops pinging and systemd restarts the service), RELOADING=1 and STOPPING=1. Each message is
 * one datagram to $NOTIFY_SOCKET. Node cannot send Unix datagrams itself: the `unix-dgram` addon does.
 */
import { createRequire } from "node:module";
import { getSystemErrorName } from "node:util";
import type { Logger } from "pino";

/** Sends one datagram to the notify socket; throws when it cannot. */
export type DatagramSender = (socketPath: string, message: Buffer) => void;

/** The part of the unix-dgram module used here (it ships no types). */
interface UnixDgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: Error) => void): void;
  close(): void;
}

/** What the environment says about the service manager (sd_notify(3), sd_watchdog_enabled(3)). */
export interface NotifyEnvironment {
  /** The socket's path; null without NOTIFY_SOCKET (not run by systemd as Type=notify). */
  socket: string | null;
  /** How often to ping: half of WATCHDOG_USEC, or null without a watchdog for this process. */
  watchdogMs: number | null;
  /** Why a variable was ignored (a bad value), in words; logged once at start. */
  problems: string[];
}

/** Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID as sd_notify(3) and sd_watchdog_enabled(3) do. */
export function notifyEnvironment(env: NodeJS.ProcessEnv, pid: number): NotifyEnvironment {
  const problems: string[] = [];
  const socket = env.NOTIFY_SOCKET ? env.NOTIFY_SOCKET : null;
  if (socket !== null && !socket.startsWith("/") && !socket.startsWith("@"))
    problems.push(`NOTIFY_SOCKET "${socket}" is neither an absolute path nor @abstract; ignored`);
  const usecText = env.WATCHDOG_USEC;
  let watchdogMs: number | null = null;
  if (usecText !== undefined && usecText !== "") {
    const usec = Number(usecText);
    // The watchdog is for the process WATCHDOG_PID names, when set (a wrapper's child must not ping).
    const forUs =
      env.WATCHDOG_PID === undefined || env.WATCHDOG_PID === "" || Number(env.WATCHDOG_PID) === pid;
    if (!Number.isSafeInteger(usec) || usec <= 0)
      problems.push(
        `WATCHDOG_USEC "${usecText}" is not a positive whole number of microseconds; no watchdog`,
      );
    else if (forUs) watchdogMs = Math.max(1, Math.floor(usec / 2000));
  }
  const usable = socket !== null && problems.every((p) => !p.startsWith("NOTIFY_SOCKET"));
  return { socket: usable ? socket : null, watchdogMs: usable ? watchdogMs : null, problems };
}

/**
 * The real sender: one unix-dgram socket per message, closed at once (as sd_notify does), so no
 * handle stays open between watchdog pings. The addon is loaded on first use: a box where its
 * build failed still runs the gateway, with the one warning about the notify socket.
 */
export const unixDatagramSender: DatagramSender = (socketPath, message) => {
  // The abstract namespace needs a leading NUL byte in the address, which unix-dgram cannot pass.
  if (socketPath.startsWith("@"))
    throw new Error(`${socketPath} is an abstract socket; only a socket path can be reached`);
  const require = createRequire(import.meta.url);
  const dgram = require("unix-dgram") as { createSocket(type: "unix_dgram"): UnixDgramSocket };
  const socket = dgram.createSocket("unix_dgram");
  try {
    let failure: Error | undefined;
    // unix-dgram calls back synchronously, before send() returns.
    socket.send(message, 0, message.length, socketPath, (err) => {
      failure = err;
    });
    if (failure !== undefined) throw describeSendError(failure, socketPath);
  } finally {
    socket.close();
  }
};

/** unix-dgram's errors carry a negative errno as their code: give it its name (ENOENT…). */
function describeSendError(err: Error, socketPath: string): Error {
  const errno = (err as Error & { code?: unknown }).code;
  const name = typeof errno === "number" && errno < 0 ? getSystemErrorName(errno) : err.message;
  return new Error(`cannot send to ${socketPath}: ${name}`, { cause: err });
}

/** What a ServiceNotifier is handed. */
export interface ServiceNotifierOptions {
  /** From notifyEnvironment(): where to send, and whether and how often to ping the watchdog. */
  environment: NotifyEnvironment;
  logger: Logger;
  /** unixDatagramSender in the daemon. */
  send: DatagramSender;
  /** CLOCK_MONOTONIC in microseconds, for RELOADING=1's MONOTONIC_USEC (process.hrtime on Linux). */
  monotonicUsec: () => bigint;
}

/**
 * Speaks the notify protocol when the service manager asked for it (NOTIFY_SOCKET set); does
 * nothing otherwise, so the daemon calls it the same way under systemd, in a terminal or in a test.
 * A socket that cannot be reached costs one warning; the gateway keeps running.
 */
export class ServiceNotifier {
  private readonly options: ServiceNotifierOptions;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private isReady = false;
  private lastStatus: string | null = null;
  private warned = false;

  constructor(options: ServiceNotifierOptions) {
    this.options = options;
  }

  /** True when NOTIFY_SOCKET names a socket to speak to. */
  get enabled(): boolean {
    return this.options.environment.socket !== null;
  }

  /** Logs why a variable was ignored, then starts the watchdog pings when WATCHDOG_USEC asks for them. */
  start(): void {
    for (const problem of this.options.environment.problems)
      this.options.logger.warn({ problem }, "systemd: a variable of the service manager was ignored");
    const every = this.options.environment.watchdogMs;
    if (every === null || this.watchdog !== undefined) return;
    // A ping from a timer proves the event loop turns; half the timeout, as sd_watchdog_enabled(3) advises.
    this.watchdog = setInterval(() => this.send("WATCHDOG=1"), every);
    // The pings must never be what keeps the process alive after the daemon stopped.
    this.watchdog.unref();
    this.options.logger.debug({ everyMs: every }, "systemd: watchdog pings started");
  }

  /** READY=1: the gateway works (relays in their modes, readers opened); with its first STATUS= line. */
  ready(status?: string): void {
    this.isReady = true;
    if (status !== undefined) this.lastStatus = status;
    this.send(status === undefined ? "READY=1" : `READY=1\nSTATUS=${oneLine(status)}`);
  }

  /** STATUS=: sent when the line changed since the last one (only after READY=1, when it means something). */
  status(line: string): void {
    if (line === this.lastStatus) return;
    this.lastStatus = line;
    if (this.isReady) this.send(`STATUS=${oneLine(line)}`);
  }

  /** RELOADING=1 with MONOTONIC_USEC (Type=notify-reload needs it); ready() again when the reload is done. */
  reloading(): void {
    this.isReady = false;
    this.send(`RELOADING=1\nMONOTONIC_USEC=${this.options.monotonicUsec()}`);
  }

  /** STOPPING=1: a stop signal arrived; systemd waits for the exit instead of taking it for a crash. */
  stopping(): void {
    this.isReady = false;
    this.send("STOPPING=1");
  }

  /** Stops the watchdog pings (the daemon has stopped). */
  stop(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  private send(message: string): void {
    const socket = this.options.environment.socket;
    if (socket === null) return;
    try {
      this.options.send(socket, Buffer.from(message, "utf8"));
    } catch (err) {
      if (this.warned) return;
      this.warned = true;
      this.options.logger.warn(
        { err, socket },
        "systemd: cannot reach NOTIFY_SOCKET; the gateway runs on, but systemd will not hear it is ready",
      );
    }
  }
}

/** A STATUS= value is one line: a newline would start another assignment. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}

/** The daemon's notifier for this process's environment: real socket, real monotonic clock. */
export function processServiceNotifier(logger: Logger): ServiceNotifier {
  return new ServiceNotifier({
    environment: notifyEnvironment(process.env, process.pid),
    logger,
    send: unixDatagramSender,
    monotonicUsec: () => process.hrtime.bigint() / 1000n,
  });
}
