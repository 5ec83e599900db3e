/**
 * One recorded event of any kind (decisions and doors.md D7's door, alarm and command events) as
 * the columns the events page shows and its CSV download holds, the card as the role may see it.
 */
import type { Reader } from "../../config/gateway.js";
import type { WebSession } from "../../web/webTypes.js";
import { memberName } from "../decisionLog.js";
import type { Store } from "../store/db.js";
import type { StoredEvent } from "../store/events.js";
import { cardFor, localTime } from "./viewParts.js";

/** The columns, in order: the CSV header and the table's. */
export const EVENT_COLUMNS = [
  "seq",
  "time",
  "kind",
  "outcome",
  "reason",
  "door",
  "reader",
  "area",
  "direction",
  "card",
  "member",
  "name",
  "multipack",
  "credits",
  "operator",
  "why",
  "message",
] as const;

/** An event's cells, by column. */
export type EventCells = Record<(typeof EVENT_COLUMNS)[number], string>;

const EMPTY: EventCells = Object.fromEntries(EVENT_COLUMNS.map((c) => [c, ""])) as EventCells;

/** What the cells need besides the event: a reader's door (decisions name the reader), a member's name. */
export interface CellLookups {
  doorOf(readerId: string | null): string | undefined;
  nameOf(memberId: string | null): string | null;
}

/** The lookups of one answer: the readers' doors, and each member's name read once. */
export function cellLookups(store: Store, readers: readonly Reader[]): CellLookups {
  const doors = new Map(readers.map((r) => [r.id, r.door]));
  const names = new Map<string, string | null>();
  return {
    doorOf: (readerId) => (readerId === null ? undefined : doors.get(readerId)),
    nameOf: (memberId) => {
      if (memberId === null) return null;
      if (!names.has(memberId)) names.set(memberId, memberName(store, memberId));
      return names.get(memberId) ?? null;
    },
  };
}

/** The event's cells. */
export function eventCells(
  e: StoredEvent,
  session: WebSession,
  zone: string,
  lookup: CellLookups,
): EventCells {
  const head = { ...EMPTY, seq: String(e.seq), time: localTime(e.at, zone), kind: e.kind };
  switch (e.kind) {
    case "decision": {
      const credits =
        e.creditsTotal === null
          ? ""
          : `${e.creditsDeducted} deducted, ${e.creditsRemaining}/${e.creditsTotal} left`;
      const undone = e.relayFailed
        ? " (relay failed, undone)"
        : e.passed === false
          ? " (nobody passed, undone)"
          : "";
      return {
        ...head,
        outcome: `${e.decision === "grant" ? "GRANTED" : "DENIED"}${undone}`,
        reason: e.reason,
        door: lookup.doorOf(e.readerId) ?? "",
        reader: e.readerId ?? "",
        area: e.area,
        direction: e.direction,
        card: cardFor(session, e.card),
        member: e.memberId ?? "",
        name: lookup.nameOf(e.memberId) ?? "",
        multipack: e.multipackId ?? "",
        credits,
        operator: e.operator ?? "",
        why: e.staffReason ?? "",
        message: e.message,
      };
    }
    case "door":
      return {
        ...head,
        outcome: e.mode,
        reason: e.source,
        door: e.door,
        operator: e.operator ?? "",
        why: e.reason ?? "",
        message: e.until === null ? "" : `until ${localTime(e.until, zone)}`,
      };
    case "alarm":
      return {
        ...head,
        outcome: `${e.alarm} ${e.state}`,
        door: e.door ?? "",
        message: e.input ? `input ${e.input}` : "",
      };
    case "command":
      return {
        ...head,
        outcome: `${e.verb} ${e.ok ? "done" : "refused"}`,
        reason: e.error ?? "",
        door: typeof e.args.door === "string" ? e.args.door : "",
        operator: e.operator,
        why: e.reason,
        message: `from ${e.origin}${e.eventId === null ? "" : `, event ${e.eventId}`}`,
      };
  }
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled.
 * Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`, since
 * member names and staff reasons come from outside.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV line of cells, CRLF-terminated (RFC 4180). */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvField).join(",")}\r\n`;
}
