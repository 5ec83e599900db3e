/**
 * Independent Modbus peers for tests, from Debian packages: a pymodbus RTU slave (python3-pymodbus)
 * and the `mbpoll` master; plus a DeviceLink over a real serial port so a simulated board can sit
 * on a pty end. `bash .ci/run` installs the packages when missing.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SerialPort } from "serialport";
import type { DeviceLink } from "../../firmware-sim/devices/serialDeviceServer.js";

/**
 * Debian's python, where python3-pymodbus lives; `python3` on PATH may be another install (pyenv)
 * that has no pymodbus.
 */
export const debianPython = "/usr/bin/python3";

const serverScript = fileURLToPath(new URL("./pymodbusServer.py", import.meta.url));

/**
 * Throws a clear error when Debian's python cannot run a pymodbus serial server. serial_asyncio
 * (python3-serial-asyncio) is only a Recommends of python3-pymodbus, so `--no-install-recommends`
 * leaves a pymodbus that imports but cannot serve a serial port: probe the module that needs it.
 */
export function requirePymodbus(): void {
  const probe = spawnSync(debianPython, ["-c", "import pymodbus.server.async_io"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    const why = probe.error?.message ?? probe.stderr.trim().split("\n").at(-1);
    throw new Error(
      `python3-pymodbus cannot serve a serial port here (${debianPython}: ${why}). The Modbus peer tests ` +
        "need it as an independent RTU slave. `bash .ci/run` installs it; by hand: " +
        "apt-get install -y python3-pymodbus python3-serial-asyncio",
    );
  }
}

/** Throws a clear error when mbpoll is not installed. */
export function requireMbpoll(): void {
  const probe = spawnSync("mbpoll", ["-V"], { stdio: "ignore" });
  if (probe.error !== undefined) {
    throw new Error(
      "mbpoll is not installed: the simulator's Modbus board is tested against it as an independent " +
        "master. `bash .ci/run` installs it; by hand: apt-get install -y mbpoll",
    );
  }
}

/** One line the pymodbus slave printed (see pymodbusServer.py). */
export type PymodbusEvent =
  | { event: "ready"; device: string; unit: number; coils: number }
  | { event: "rx"; hex: string }
  | { event: "write"; fc: number; address: number; value: boolean };

/** A running pymodbus slave. */
export interface PymodbusServer {
  /** Every event so far, oldest first (the "ready" line included). */
  readonly events: readonly PymodbusEvent[];
  /** Only the coil writes, as `{ fc, address, value }`. */
  writes(): { fc: number; address: number; value: boolean }[];
  /** All bytes it has read so far, as one hex string. */
  received(): string;
  /** What it wrote to stderr (pymodbus logs errors there), for failure messages. */
  readonly stderr: string;
  /** Stops it (SIGTERM, then SIGKILL after 2 s) and waits for the exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** What startPymodbusServer is handed. */
export interface PymodbusServerOptions {
  /** The serial device (a pty end) to serve on. */
  device: string;
  /** Default 1. */
  unit?: number;
  /** Coils 0..coils-1 exist; default 8. */
  coils?: number;
  /** Default 9600. */
  baudRate?: number;
  /** How long to wait for "ready"; default 10 s (python and pymodbus take a moment to import). */
  timeoutMs?: number;
}

/** Starts pymodbusServer.py on `device`; resolves once it printed its "ready" line. */
export function startPymodbusServer(options: PymodbusServerOptions): Promise<PymodbusServer> {
  requirePymodbus();
  const args = [
    "-u",
    serverScript,
    options.device,
    "--unit",
    String(options.unit ?? 1),
    "--coils",
    String(options.coils ?? 8),
    "--baud",
    String(options.baudRate ?? 9600),
  ];
  // stdin is a pipe only so the script exits by itself if this process dies without stop().
  const child = spawn(debianPython, args, { stdio: ["pipe", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const events: PymodbusEvent[] = [];
  let stderr = "";
  let partial = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
  });
  child.stdout.setEncoding("utf8");
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise<PymodbusServer>((resolve, reject) => {
    const timer = setTimeout(() => fail(`printed no "ready" line in ${timeoutMs} ms`), timeoutMs);
    function fail(why: string): void {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`pymodbus slave on ${options.device} ${why}\nstderr:\n${stderr}`));
    }
    const early = (code: number | null) => fail(`exited early (code ${String(code)})`);
    child.once("exit", early);
    child.once("error", (err) => fail(`could not start: ${err.message}`));
    child.stdout.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        const event = parseEvent(line);
        if (event === undefined) continue;
        events.push(event);
        if (event.event !== "ready") continue;
        clearTimeout(timer);
        child.off("exit", early);
        resolve({
          events,
          writes: () =>
            events.flatMap((e) =>
              e.event === "write" ? [{ fc: e.fc, address: e.address, value: e.value }] : [],
            ),
          received: () => events.map((e) => (e.event === "rx" ? e.hex : "")).join(""),
          get stderr() {
            return stderr;
          },
          stop: () => stopChild(child, exited),
        });
      }
    });
  });
}

/** What one mbpoll run printed and how it exited. */
export interface MbpollResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mbpoll args…` to completion (killed after `timeoutMs`, default 10 s); never rejects on exit codes. */
export function runMbpoll(args: readonly string[], timeoutMs = 10_000): Promise<MbpollResult> {
  requireMbpoll();
  const child = spawn("mbpoll", [...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  return new Promise<MbpollResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A DeviceLink over a real serial port, with a way to close it. */
export interface SerialDeviceLink extends DeviceLink {
  close(): Promise<void>;
}

/** Opens `path` with serialport (8N1) and offers it as a DeviceLink for a simulated device. */
export async function openSerialDeviceLink(path: string, baudRate = 9600): Promise<SerialDeviceLink> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  const listeners = new Set<(bytes: Uint8Array) => void>();
  port.on("data", (chunk: Buffer) => {
    const bytes = new Uint8Array(chunk);
    for (const listener of listeners) listener(bytes);
  });
  // A closed pty end reports errors here; the test sees the effect (no reply), not a crash.
  port.on("error", () => {});
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  return {
    write(bytes) {
      if (!port.isOpen) return false;
      port.write(Buffer.from(bytes));
      return true;
    },
    onData(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}

/** One stdout line as an event; anything else (a stray print) is not ours and is skipped. */
function parseEvent(line: string): PymodbusEvent | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as PymodbusEvent;
  } catch {
    return undefined;
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
  await exited;
  clearTimeout(timer);
}
