/**
 * `accessgw log-level LEVEL [--for 10m]`: the running daemon's log level changed without a restart
 * (zigbee2mqtt's runtime log level), back to gateway.yaml's (or --log-level's) after `--for`. It
 * reaches the daemon over the control socket as a daemon-level request
 * `{"daemon":"log-level","level":"debug","forMs":600000,"who":"anna","why":"reader drops"}` and
 * each change is logged as a staff action: who (the OS user of the command line) and why.
 */
import type { Logger } from "pino";
import { z } from "zod";
import { describeIssues } from "../config/protocol/payloads.js";
import { LOG_LEVELS, type LogLevel } from "../runtime/logger.js";
import type { Scheduler } from "../runtime/scheduler.js";
import type { Feature } from "./features/controller.js";

/** The longest --for: a debug level forgotten on a small box must not fill its disk for days. */
export const MAX_FOR_MS = 24 * 60 * 60 * 1000;

/** The request the command line sends; `reset` is back to the configured level now. */
export const LogLevelRequest = z.strictObject({
  daemon: z.literal("log-level"),
  level: z.enum([...LOG_LEVELS, "reset"]),
  forMs: z.number().int().positive().max(MAX_FOR_MS).nullable(),
  who: z.string().min(1).max(100),
  why: z.string().max(500).nullable(),
});
export type LogLevelRequest = z.infer<typeof LogLevelRequest>;

/** The daemon's answer: the level now, the configured one, and until when (ISO) when it is temporary. */
export type LogLevelReply =
  | { ok: true; error: null; level: LogLevel; configured: LogLevel; until: string | null }
  | { ok: false; error: string };

/** What a LogLevelControl is handed. */
export interface LogLevelControlOptions {
  /** The daemon's root logger: its children follow its level. */
  logger: Logger;
  /** The level of gateway.yaml (or --log-level) that a temporary level goes back to. */
  configured: LogLevel;
  /** True when --log-level was given at start: it wins over gateway.yaml's, a reload's too. */
  pinned?: boolean;
  scheduler: Scheduler;
  clock: () => number;
}

/** Sets the running logger's level on request, and puts the configured one back when `--for` ends. */
export class LogLevelControl implements Feature {
  readonly name = "log level";
  private readonly o: LogLevelControlOptions;
  private timer: unknown;
  private configured: LogLevel;

  constructor(options: LogLevelControlOptions) {
    this.o = options;
    this.configured = options.configured;
  }

  /**
   * A reload brought a new `log.level`: it is the configured level from now on and applies at once
   * (a temporary staff level ends with it), unless --log-level given at start pins the level.
   */
  reconfigured(level: LogLevel): void {
    if (this.o.pinned) {
      this.o.logger.info(
        { file: level, kept: this.configured },
        "log.level changed in the configuration; --log-level given at start keeps its level",
      );
      return;
    }
    this.configured = level;
    this.cancelRevert();
    this.change(level, { reason: "reload" }, "log level set by the reloaded configuration");
  }

  /** Answers one daemon-level request (any JSON value); never throws. */
  handle(request: unknown): LogLevelReply {
    const parsed = LogLevelRequest.safeParse(request);
    if (!parsed.success) {
      this.o.logger.warn({ problem: describeIssues(parsed.error.issues) }, "log level: invalid request");
      return { ok: false, error: `invalid: ${describeIssues(parsed.error.issues)}` };
    }
    const { level, forMs, who, why } = parsed.data;
    const target = level === "reset" ? this.configured : level;
    const temporary = level !== "reset" && forMs !== null && target !== this.configured;
    const until = temporary ? new Date(this.o.clock() + forMs).toISOString() : null;
    this.cancelRevert();
    this.change(target, { who, why, until }, "log level changed by staff");
    if (temporary)
      this.timer = this.o.scheduler.setTimeout(() => {
        this.timer = undefined;
        this.change(this.configured, { after: until }, "log level back to the configured level");
      }, forMs);
    return { ok: true, error: null, level: target, configured: this.configured, until };
  }

  /** Nothing to start: it acts when asked. */
  start(): void {}

  /** Drops a pending return to the configured level (the daemon stops). */
  stop(): void {
    this.cancelRevert();
  }

  private cancelRevert(): void {
    if (this.timer !== undefined) this.o.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sets the level; the entry saying so is written at whichever of the two levels shows it. */
  private change(level: LogLevel, fields: Record<string, unknown>, msg: string): void {
    const log = this.o.logger;
    const entry = { ...fields, from: log.level, to: level };
    const shownBefore = log.isLevelEnabled("info");
    if (shownBefore) log.info(entry, msg);
    log.level = level;
    // Raised from a quieter level (warn → debug): written now that it shows.
    if (!shownBefore && log.isLevelEnabled("info")) log.info(entry, msg);
  }
}

/** `--for`: `90s`, `10m`, `2h` or a bare number of minutes; null when it is none of these. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)\s*(s|m|h|min)?$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? "m";
  const ms = n * (unit === "s" ? 1000 : unit === "h" ? 3_600_000 : 60_000);
  return ms > 0 ? ms : null;
}
