/**
 * Exposes a simulated serial device on a pseudo-terminal pair made by `socat`: the simulator
 * opens end A with the real `serialport` package, the gateway is configured with end B's path.
 * Both ends are stable symlinks (`link=`), so unplug() (kill socat: the gateway's port sees a
 * hang-up) and replug() (start socat again) keep the paths the gateway knows.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Listeners } from "../../drivers/transport/listeners.js";
import { openSerialTransport } from "../../drivers/transport/serialTransport.js";
import type { Transport } from "../../drivers/transport/transport.js";
import type { DeviceLink } from "./serialDeviceServer.js";
import { type SocatPair, requireSocat as socatRequired, startSocatPair } from "./socatPair.js";

/** What a PtyLink is handed. */
export interface PtyLinkOptions {
  /** Symlink for the simulator's end; default `<temp dir>/device`. */
  deviceEnd?: string;
  /** Symlink for the gateway's end (its `port:`); default `<temp dir>/gateway`. */
  gatewayEnd?: string;
  /** Baud rate the simulator opens its end at; default 9600 (a pty passes bytes at any speed). */
  baudRate?: number;
  /** How long to wait for socat to make the ptys; default 5000 ms. */
  startTimeoutMs?: number;
}

/** What a PtyLink reports. */
export interface PtyLinkEvents {
  data: (bytes: Uint8Array) => void;
  /** Plugged in (socat up, end A open) or out (unplugged, stopped, or socat died). */
  plugged: (plugged: boolean) => void;
}

/** Throws a clear error when socat is not installed. */
export function requireSocat(): void {
  socatRequired(
    "the simulator needs it to expose serial devices on pseudo-terminals, or expose them over tcp:// instead",
  );
}

/** A serial line on a socat pty pair; start() makes it, stop() removes it. */
export class PtyLink implements DeviceLink {
  readonly deviceEnd: string;
  readonly gatewayEnd: string;
  private readonly baudRate: number;
  private readonly startTimeoutMs: number;
  private readonly tempDir: string | undefined;
  private readonly listeners = new Listeners<PtyLinkEvents>();
  private socat: SocatPair | undefined;
  private port: Transport | undefined;
  private stopped = false;

  constructor(options: PtyLinkOptions = {}) {
    const dir =
      options.deviceEnd === undefined || options.gatewayEnd === undefined
        ? mkdtempSync(join(tmpdir(), "accessgw-sim-pty-"))
        : undefined;
    this.tempDir = dir;
    this.deviceEnd = options.deviceEnd ?? join(dir ?? "", "device");
    this.gatewayEnd = options.gatewayEnd ?? join(dir ?? "", "gateway");
    this.baudRate = options.baudRate ?? 9600;
    this.startTimeoutMs = options.startTimeoutMs ?? 5000;
  }

  /** The path the gateway is configured with (end B). */
  get target(): string {
    return this.gatewayEnd;
  }

  /** Whether socat is up and the simulator's end is open. */
  get plugged(): boolean {
    return this.port?.isOpen === true;
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof PtyLinkEvents>(event: K, listener: PtyLinkEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }

  /** Subscribes to bytes from the gateway. */
  onData(listener: (bytes: Uint8Array) => void): () => void {
    return this.listeners.on("data", listener);
  }

  /** Writes to the gateway; false (bytes lost) while unplugged. */
  write(bytes: Uint8Array): boolean {
    const port = this.port;
    if (port === undefined || !port.isOpen) return false;
    // A failed write means the line just went away; "close" reports that.
    port.write(bytes).catch(() => undefined);
    return true;
  }

  /** Starts socat and opens end A; rejects with a clear message when socat is missing or fails. */
  async start(): Promise<void> {
    if (this.stopped || this.socat !== undefined) return;
    requireSocat();
    this.socat = await this.spawnSocat();
    try {
      const port = await openSerialTransport(this.deviceEnd, this.deviceEnd, this.baudRate);
      this.port = port;
      port.on("data", (bytes) => this.listeners.emit("data", bytes));
      port.on("close", () => {
        if (this.port !== port) return;
        this.port = undefined;
        this.listeners.emit("plugged", false);
      });
      this.listeners.emit("plugged", true);
    } catch (err) {
      await this.killSocat();
      throw err;
    }
  }

  /** Pulls the cable: closes end A and kills socat, so the gateway's port sees a hang-up. */
  async unplug(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    await port?.close();
    await this.killSocat();
    if (port !== undefined) this.listeners.emit("plugged", false);
  }

  /** Plugs back in: socat again with the same link paths. Does nothing once stopped. */
  async replug(): Promise<void> {
    if (this.socat !== undefined) return;
    await this.start();
  }

  /** Unplugs for good and removes the temp folder it made; safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.unplug();
    if (this.tempDir !== undefined) rmSync(this.tempDir, { recursive: true, force: true });
  }

  private async spawnSocat(): Promise<SocatPair> {
    let pair: SocatPair;
    try {
      pair = await startSocatPair({
        links: { a: this.deviceEnd, b: this.gatewayEnd },
        timeoutMs: this.startTimeoutMs,
      });
    } catch (err) {
      throw new Error(`pty pair for ${this.gatewayEnd}: ${(err as Error).message}`);
    }
    // socat going away by itself means the line is down until replug().
    void pair.exited.then(() => {
      if (this.socat === pair) this.socat = undefined;
    });
    return pair;
  }

  private async killSocat(): Promise<void> {
    const socat = this.socat;
    this.socat = undefined;
    await socat?.stop();
  }
}
