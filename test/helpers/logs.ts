/** The tests' one logger recorder: a real pino logger, as every component takes, writing into memory. */
import { type Logger, pino } from "pino";

/** One log entry as pino wrote it: its level as a word ("warn"), its message and its fields. */
export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** What memoryLogger hands a test: the logger to hand in, and what it logged. */
export interface MemoryLog {
  logger: Logger;
  /** Every entry, in order, without time, pid or hostname (nothing a test should assert). */
  lines: LogLine[];
  /** The entries at one level. */
  at(level: pino.Level): LogLine[];
}

/** A real pino logger whose entries are kept in `lines`, for tests that check what was logged. */
export function memoryLogger(level: pino.LevelWithSilent = "debug"): MemoryLog {
  const lines: LogLine[] = [];
  const logger = pino(
    { level, base: null, timestamp: false, formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
  return { logger, lines, at: (wanted) => lines.filter((l) => l.level === wanted) };
}

/** A real pino logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
