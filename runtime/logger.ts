/**
 * The one logger factory of every program here (the daemon, the central, the demo): pino on
 * stderr, pretty for a person at a terminal and JSON lines otherwise. Components take pino's
 * `Logger`, handed in.
 */
import { type Logger, pino } from "pino";
import PinoPretty from "pino-pretty";

/** The levels a configuration may name (gateway.yaml `log.level`, the central's `--log-level`). */
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** How the daemon's logs look on stderr. */
export type LogFormat = "json" | "pretty";

/** The log format when none is asked for: pretty for a person at a terminal, JSON lines for journald & co. */
export function defaultLogFormat(stderrIsTty: boolean | undefined): LogFormat {
  return stderrIsTty ? "pretty" : "json";
}

/** The daemon's logger on stderr (fd 2), synchronous so nothing is lost when it exits. */
export function makeLogger(level: LogLevel, format: LogFormat): Logger {
  if (format === "json") return pino({ level }, pino.destination({ fd: 2, sync: true }));
  const pretty = PinoPretty({
    destination: 2,
    sync: true,
    colorize: PinoPretty.isColorSupported,
    translateTime: "SYS:yyyy-mm-dd HH:MM:ss.l",
    ignore: "pid,hostname",
    // One line per entry, so a technician can follow it with `tail -f` or scroll a terminal.
    singleLine: true,
  });
  return pino({ level }, pretty);
}
