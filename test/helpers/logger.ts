/** A logger for tests that keeps every line, so a test can assert what a component logged. */
import type { DriverLogger } from "../../drivers/logger.js";

/** One logged line. */
export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  obj: Record<string, unknown>;
  msg: string;
}

/** Records lines instead of writing them; satisfies every logger type the drivers and the central take. */
export class RecordingLogger implements DriverLogger {
  readonly lines: LogLine[] = [];

  /** Records a debug line. */
  debug(obj: object, msg: string): void {
    this.lines.push({ level: "debug", obj: { ...obj }, msg });
  }

  /** Records an info line. */
  info(obj: object, msg: string): void {
    this.lines.push({ level: "info", obj: { ...obj }, msg });
  }

  /** Records a warn line. */
  warn(obj: object, msg: string): void {
    this.lines.push({ level: "warn", obj: { ...obj }, msg });
  }

  /** Records an error line. */
  error(obj: object, msg: string): void {
    this.lines.push({ level: "error", obj: { ...obj }, msg });
  }

  /** The lines at `level`. */
  at(level: LogLine["level"]): LogLine[] {
    return this.lines.filter((l) => l.level === level);
  }
}
