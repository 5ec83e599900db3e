/**
 * The terminal's log lines, for a technician reading them at a glance: the time in the site's zone,
 * one line per decision (`07:02:11 pool-in  GRANTED  Ada Lovelace  "Welcome Ada — 8/10 left"  ok`),
 * an expected network error as one line with its cause. Every other entry is pino-pretty's single
 * line. JSON logs are untouched: this only renders.
 */
import { DateTime } from "luxon";
import PinoPretty from "pino-pretty";

/** What the pretty lines need besides the entry. */
export interface PrettyOptions {
  /** The site's IANA zone for the time column; null (no site yet) is the machine's zone. */
  zone: () => string | null;
  colorize: boolean;
}

/** A log entry as pino writes it. */
type Entry = Record<string, unknown> & { time?: number; msg?: string };

/** HH:mm:ss of an entry's time in the site's zone. */
function clock(ms: number, zone: string | null): string {
  const dt = zone === null ? DateTime.fromMillis(ms) : DateTime.fromMillis(ms, { zone });
  return dt.isValid ? dt.toFormat("HH:mm:ss") : DateTime.fromMillis(ms).toFormat("HH:mm:ss");
}

/** A decision entry (gateway/decisionLog.ts) has its decision and reason. */
function isDecision(e: Entry): boolean {
  return (e.decision === "grant" || e.decision === "deny") && typeof e.reason === "string";
}

/** `pool-in  GRANTED  Ada Lovelace  "Welcome Ada — 8/10 left"  ok`: where, verdict, who, message, reason. */
function decisionLine(e: Entry): string {
  const where = String(e.door ?? e.readerId ?? e.area ?? "-");
  const verdict = e.decision === "grant" ? "GRANTED" : "DENIED ";
  const who = e.memberName ?? e.memberId ?? `card ${String(e.card ?? "?")}`;
  const message = typeof e.message === "string" && e.message !== "" ? `  ${JSON.stringify(e.message)}` : "";
  const by = typeof e.operator === "string" ? `  by ${e.operator}` : "";
  return `${where.padEnd(8)} ${verdict}  ${String(who)}${message}  ${String(e.reason)}${by}`;
}

/** An expected error (runtime/logErrors.ts) without its stack: ` — ECONNREFUSED: connect ECONNREFUSED …`. */
function causeSuffix(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { expected?: unknown; stack?: unknown; message?: unknown };
  if (typeof e.expected !== "string" || e.stack !== undefined) return undefined;
  return ` — ${e.expected}: ${String(e.message)}`;
}

/** Formats pino's JSON lines for a terminal: returns the text to write for one line. */
export function prettyFormatter(options: PrettyOptions): (line: string) => string {
  const rest = PinoPretty.prettyFactory({
    colorize: options.colorize,
    ignore: "pid,hostname,time",
    singleLine: true,
  });
  return (line) => {
    let entry: Entry;
    try {
      entry = JSON.parse(line) as Entry;
    } catch {
      return line;
    }
    const time = clock(typeof entry.time === "number" ? entry.time : Date.now(), options.zone());
    if (isDecision(entry)) return `${time} ${decisionLine(entry)}\n`;
    const cause = causeSuffix(entry.err);
    if (cause === undefined) return `${time} ${rest(entry)}`;
    const { err: _err, ...others } = entry;
    // pino-pretty would print the error over several lines; an expected one fits on this line.
    return `${time} ${rest(others).replace(/\n$/, "")}${cause}\n`;
  };
}
