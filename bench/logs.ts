/** The benchmarks' loggers: pino's Logger, as the daemon's parts require. */
import { type Logger, pino } from "pino";

/** A logger that hands each warning (and worse) to `log` as its message; the benchmarks print them. */
export function warnings(log: (text: string) => void): Logger {
  return pino({ level: "warn" }, { write: (line: string) => log((JSON.parse(line) as { msg: string }).msg) });
}

/** A logger that writes nothing. */
export function quiet(): Logger {
  return pino({ level: "silent" });
}
