/**
 * The one logger factory of every program here (the daemon, the central, the demo): pino on
 * stderr, pretty for a person at a terminal and JSON lines otherwise. Components take pino's
 * `Logger`, handed in.
 */
import { type Logger, pino } from "pino";
import PinoPretty from "pino-pretty";
import { errSerializer } from "./logErrors.js";
import { prettyFormatter } from "./prettyLog.js";

/** The levels a configuration may name (gateway.yaml `log.level`, the central's `--log-level`). */
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** Every level, as `--log-level` and `accessgw log-level` take them. */
export const LOG_LEVELS = [
  "fatal",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
  "silent",
] as const satisfies readonly LogLevel[];

/** How the daemon's logs look on stderr. */
export type LogFormat = "json" | "pretty";

/** Where the lines go and, for pretty lines, the site's zone. */
export interface LoggerOptions {
  /** The site's IANA zone for pretty lines' times (asked per line: an import may change it). */
  zone?: () => string | null;
  /** Where the lines go; stderr (fd 2, synchronous so nothing is lost on exit) by default. */
  destination?: { write(text: string): unknown };
}

/** The log format when none is asked for: pretty for a person at a terminal, JSON lines for journald & co. */
export function defaultLogFormat(stderrIsTty: boolean | undefined): LogFormat {
  return stderrIsTty ? "pretty" : "json";
}

/** A level named on a command line, or undefined when it is none of LOG_LEVELS. */
export function asLogLevel(text: string): LogLevel | undefined {
  return (LOG_LEVELS as readonly string[]).includes(text) ? (text as LogLevel) : undefined;
}

/** Whether something logged at `entry` shows at the level `threshold` (pino's order: trace < … < fatal). */
export function levelShows(threshold: LogLevel, entry: Exclude<LogLevel, "silent">): boolean {
  if (threshold === "silent") return false;
  const order = ["trace", "debug", "info", "warn", "error", "fatal"];
  return order.indexOf(entry) >= order.indexOf(threshold);
}

/** The daemon's logger on stderr, JSON lines or a person's lines (runtime/prettyLog.ts). */
export function makeLogger(level: LogLevel, format: LogFormat, options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? pino.destination({ fd: 2, sync: true });
  // Asked per entry, as `accessgw log-level` changes the level of the running logger.
  const serializers = { err: errSerializer(() => logger.isLevelEnabled("debug")) };
  let logger: Logger;
  if (format === "json") {
    logger = pino({ level, serializers }, destination as pino.DestinationStream);
    return logger;
  }
  const pretty = prettyFormatter({
    zone: options.zone ?? (() => null),
    colorize: options.destination === undefined && PinoPretty.isColorSupported,
  });
  logger = pino({ level, serializers }, { write: (line: string) => destination.write(pretty(line)) });
  return logger;
}
