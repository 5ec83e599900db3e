/**
 * The `osdp` reader: one PD on a shared OSDP bus (drivers/osdp/osdpPorts.ts). RAW card reads become
 * card numbers (cardData.ts), keypad keys `keypad` events (R21), the PD's online state and secure
 * channel the reader's `state`; decisions are shown with the PD's LED, buzzer and display (D6).
 * The PD's own state (secure channel, tamper, power) is offered through `details()`.
 */
import type { Logger } from "pino";
import type { Reader } from "../../config/gateway.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import { osdpCardNumber } from "../osdp/cardData.js";
import type { PdCapabilities, PdCommand, PdStatus, SecureState } from "../osdp/cpTypes.js";
import { KeyFileError, readKeyFile } from "../osdp/keyFile.js";
import { feedbackSignals, feedbackText, TEXT_PAGE_MS } from "../osdp/osdpFeedback.js";
import type { OsdpPorts } from "../osdp/osdpPorts.js";
import { Listeners } from "../transport/listeners.js";
import type { HealthState } from "../transport/reconnecting.js";
import { normaliseKeys } from "./keypad.js";
import type {
  ReaderCounters,
  ReaderDriver,
  ReaderEvents,
  ReaderFeedback,
  ReaderRejectCode,
} from "./readerDriver.js";
import { RejectLog } from "./rejectLog.js";

/** An `osdp` reader's configuration. */
export type OsdpReaderConfig = Extract<Reader, { driver: "osdp" }>;

/** What an OSDP reader is handed: the gateway's shared ports, its clock, timers and logger. */
export interface OsdpReaderDeps {
  ports: OsdpPorts;
  clock: () => number;
  /** Shows a long message's later pages on the display. */
  scheduler: Scheduler;
  logger: Logger;
}

/**
 * What the PD behind an `osdp` reader is doing, for `status` and the console: whether it answers,
 * its secure channel (and why it failed), tamper and power, whether it has a display, and whether
 * its key is the reader's own (`key`), the install-mode default (`install`), or refused (`refused`).
 */
export interface OsdpReaderDetails {
  driver: "osdp";
  port: string;
  address: number;
  online: boolean;
  secureChannel: SecureState;
  reason: string | undefined;
  tamper: boolean;
  powerFailure: boolean;
  /** Unknown (undefined) until the PD answered ID and CAP. */
  display: boolean | undefined;
  key: "key" | "install" | "refused" | "none";
}

/** The reader's view of one PD; the constructor only assigns, `start()` joins the bus. */
export class OsdpReader implements ReaderDriver {
  readonly id: string;
  private readonly config: OsdpReaderConfig;
  private readonly deps: OsdpReaderDeps;
  private readonly listeners = new Listeners<ReaderEvents>();
  private readonly rejects: RejectLog;
  private readonly totals = { cards: 0, keypads: 0, feedbackFailures: 0, reconnects: 0 };
  /** The later pages of the message on the display, not yet shown. */
  private readonly pageTimers: unknown[] = [];
  private readonly rejected: Partial<Record<ReaderRejectCode, number>> = {};
  private pd: PdStatus | undefined;
  private capabilities: PdCapabilities | undefined;
  private key: OsdpReaderDetails["key"] = "none";
  private refusal: string | undefined;
  private health: { state: HealthState; reason: string | undefined; since: number } | undefined;
  private offlineSeen = false;
  private unsubscribe: (() => void)[] = [];
  private joined = false;
  private started = false;

  constructor(config: OsdpReaderConfig, deps: OsdpReaderDeps) {
    this.id = config.id;
    this.config = config;
    this.deps = deps;
    this.rejects = new RejectLog(deps.logger, deps.clock, "serial");
  }

  /** Reads the key and joins the port's bus; a key that cannot be used leaves the reader stopped, saying why. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const scbk = this.readKey();
    if (scbk === "refused") {
      this.setHealth("stopped", this.refusal);
      return;
    }
    const { ports } = this.deps;
    const { port, address } = this.config;
    this.unsubscribe = [
      ports.on(port, address, "card", (e) => this.onCard(e.bitCount, e.data)),
      ports.on(port, address, "keypad", (e) => this.onKeys(e.digits)),
      ports.on(port, address, "status", (s) => this.onStatus(s)),
      ports.on(port, address, "rejected", (e) => {
        if (e.what === "card" || e.what === "keypad")
          this.reject(e.code === "SC_NOT_SECURED" ? "not_secured" : "bad_frame", `${e.what}: ${e.message}`);
      }),
      ports.on(port, address, "capabilities", (c) => {
        this.capabilities = c;
      }),
    ];
    ports.join({
      port,
      baudRate: this.config.baudRate,
      pd: { address, secureChannel: this.config.secureChannel, scbk },
    });
    this.joined = true;
    this.setHealth("connecting", undefined);
  }

  /** Leaves the bus (the port closes with its last reader); no events follow. */
  async stop(): Promise<void> {
    this.cancelPages();
    for (const off of this.unsubscribe.splice(0)) off();
    if (!this.joined) return;
    this.joined = false;
    await this.deps.ports.leave(this.config.port, this.config.address);
  }

  on<K extends keyof ReaderEvents>(event: K, listener: ReaderEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }

  counters(): ReaderCounters {
    const bytes = this.deps.ports.bytesFrom(this.config.port, this.config.address);
    return { ...this.totals, rejected: { ...this.rejected }, bytes };
  }

  /** The PD's state as the bus last reported it. */
  details(): OsdpReaderDetails {
    return {
      driver: "osdp",
      port: this.config.port,
      address: this.config.address,
      online: this.pd?.online ?? false,
      secureChannel: this.pd?.secureChannel ?? (this.config.secureChannel === "off" ? "off" : "none"),
      reason: this.refusal ?? this.pd?.reason,
      tamper: this.pd?.tamper ?? false,
      powerFailure: this.pd?.powerFailure ?? false,
      display: this.capabilities?.display,
      key: this.key,
    };
  }

  /**
   * D6: LED and beeps, and the message on a PD with a display; fire-and-forget, failures counted.
   * A message longer than the display shows in pages; the next decision's feedback, or the
   * reader's stop, cancels the pages not yet shown.
   */
  feedback(f: ReaderFeedback): void {
    this.cancelPages();
    const pages = this.capabilities?.display === true ? feedbackText(f) : [];
    this.send([...feedbackSignals(f), ...(pages[0] ?? [])]);
    for (const [i, page] of pages.slice(1).entries())
      this.pageTimers.push(this.deps.scheduler.setTimeout(() => this.send(page), (i + 1) * TEXT_PAGE_MS));
  }

  private cancelPages(): void {
    for (const timer of this.pageTimers.splice(0)) this.deps.scheduler.clearTimeout(timer);
  }

  private send(commands: readonly PdCommand[]): void {
    for (const command of commands) {
      this.deps.ports.send(this.config.port, this.config.address, command).catch((err: unknown) => {
        this.totals.feedbackFailures++;
        this.deps.logger.debug({ err, command: command.kind }, "reader feedback not delivered");
      });
    }
  }

  /** The reader's key: null for install mode, or "refused" (the reason kept) when it must not be used. */
  private readKey(): Uint8Array | null | "refused" {
    const file = this.config.scbkFile;
    if (this.config.secureChannel === "off" || file === undefined) {
      this.key = this.config.secureChannel === "off" ? "none" : "install";
      return null;
    }
    try {
      const scbk = readKeyFile(file);
      this.key = "key";
      return scbk;
    } catch (err) {
      if (err instanceof KeyFileError && err.code === "KEY_FILE_MISSING") {
        // osdp.md: no key yet is install mode until `accessgw osdp keyset` writes one.
        this.deps.logger.warn({ file }, "OSDP reader in install mode: its key file does not exist yet");
        this.key = "install";
        return null;
      }
      this.key = "refused";
      this.refusal = `key refused: ${(err as Error).message}`;
      this.deps.logger.error({ err }, "OSDP reader not started: its key file cannot be used");
      return "refused";
    }
  }

  private onCard(bits: number, data: Uint8Array): void {
    const result = osdpCardNumber({ bits, data }, this.config.cardFormat, this.config.cardNumber);
    if (!result.ok) {
      this.reject(result.error, result.detail);
      return;
    }
    this.totals.cards++;
    this.listeners.emit("card", { readerId: this.id, card: result.card, at: this.deps.clock() });
  }

  private onKeys(digits: string): void {
    const keys = normaliseKeys(digits);
    if (keys === null) {
      this.reject("bad_characters", `keypad sent ${digits.length} bytes that are not keys`);
      return;
    }
    this.totals.keypads++;
    this.listeners.emit("keypad", { readerId: this.id, keys, at: this.deps.clock() });
  }

  private reject(error: ReaderRejectCode, detail: string): void {
    this.rejected[error] = (this.rejected[error] ?? 0) + 1;
    this.rejects.report(error, detail, { address: String(this.config.address) });
    this.listeners.emit("rejected", { readerId: this.id, error, detail });
  }

  /** The PD's state → the reader's: open while it answers with the channel it needs. */
  private onStatus(status: PdStatus): void {
    this.pd = status;
    if (!status.online) {
      this.offlineSeen = true;
      this.setHealth("waiting", `PD ${status.address} does not answer on ${this.config.port}`);
      return;
    }
    if (this.offlineSeen) this.totals.reconnects++;
    this.offlineSeen = false;
    const secured = status.secureChannel === "established" || status.secureChannel === "install";
    if (this.config.secureChannel === "off" || secured) this.setHealth("open", undefined);
    else if (status.secureChannel === "failed")
      this.setHealth(
        "waiting",
        `secure channel failed: ${status.reason ?? "refused by the PD"}; its cards are refused`,
      );
    else this.setHealth("connecting", "setting up the secure channel");
  }

  private setHealth(state: HealthState, reason: string | undefined): void {
    if (this.health?.state === state && this.health.reason === reason) return;
    this.health = { state, reason, since: this.deps.clock() };
    this.listeners.emit("state", { readerId: this.id, state, since: this.health.since, reason, attempts: 0 });
  }
}
