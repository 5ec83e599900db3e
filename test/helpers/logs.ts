import { type Logger, pino } from "pino";

/** One log entry as pino wrote it, its level as a word ("warn"). */
export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A real pino logger whose entries are kept in `lines`, for tests that check what was logged. */
export function memoryLogger(level: pino.LevelWithSilent = "debug"): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level, formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
  return { logger, lines };
}

/** A real pino logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
