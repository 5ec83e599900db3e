/**
 * doors.md D3: what a door's mode does to a scan, which mode a door is in, and when its weekly
 * free-passage schedule is open. Pure like the rest of the engine: the mode, the schedule, the
 * holidays and `now` are handed in.
 */
import { DateTime } from "luxon";
import type { DoorMode, DoorModeSource } from "../../config/protocol/events.js";
import type { Window } from "../../config/site.js";
import { addDays } from "./calendar.js";
import { cardHolder } from "./card.js";
import { type LocalNow, localNow } from "./clock.js";
import { grantMessage } from "./message.js";
import { deny, grant, newDecision, traceRow } from "./outcome.js";
import type { Decision, DecisionRequest, Facts } from "./types.js";
import { dayKey, inWindow, toMinutes } from "./windows.js";
import { type Words, wordsFor } from "./words.js";

/** D6: the words of the member's language (else the site's). */
function words(facts: Facts, memberLocale: string | null | undefined): Words {
  return wordsFor(memberLocale, facts.site.site.locale);
}

/** D3: the modes from highest to lowest; a higher one wins. */
export const MODE_RANK: Record<DoorMode, number> = { emergency: 3, locked: 2, unlocked: 1, normal: 0 };

/** D3 emergency: every scan is granted `emergency`, free, with no anti-passback (the door is held released). */
export function emergencyDecision(req: DecisionRequest, facts: Facts, now: number): Decision {
  const d = newDecision(req, now);
  const member = cardHolder(facts, d.card)?.member ?? null;
  d.memberId = member?.id ?? null;
  d.trace.push(traceRow(null, null, "chosen", "emergency", "door released for an emergency (D3)"));
  return grant(d, "emergency", words(facts, member?.locale).t.emergencyOpen);
}

/**
 * doors.md D5 admit --free: staff let a known card's member in at no cost whatever the rules say
 * (`staff_override`); an unknown card stays denied (nobody to admit).
 */
export function staffOverride(req: DecisionRequest, facts: Facts, now: number): Decision {
  const d = newDecision(req, now);
  const member = cardHolder(facts, d.card)?.member ?? null;
  if (member === null) return d;
  d.memberId = member.id;
  d.trace.push(traceRow(null, null, "chosen", "staff_override", "admitted by staff without charge (D5)"));
  return grant(d, "staff_override", grantMessage(words(facts, member.locale), "ok", member.name, null));
}

/** doors.md D5 open: staff open the door once: granted `remote_open`, no member, no charge. */
export function remoteOpenDecision(req: DecisionRequest, now: number, siteLocale?: string | null): Decision {
  const d = newDecision(req, now);
  d.trace.push(traceRow(null, null, "chosen", "remote_open", "opened by staff (D5)"));
  return grant(d, "remote_open", wordsFor(null, siteLocale).t.openedByStaff);
}

/**
 * D3: a decision of the rules as the door's mode changes it. `unlocked`: every entry is granted
 * `door_unlocked` and costs nothing (it is recorded, so presence and capacity still count).
 * `locked`: an entry the rules grant is denied `door_locked` unless the member has lockdownAccess;
 * an entry the rules deny keeps its reason (door_locked comes after area_full in R13's order).
 * Exits are never changed by a mode (D8).
 */
export function withDoorMode(d: Decision, mode: DoorMode, facts: Facts): Decision {
  if (d.direction === "out" || mode === "normal" || mode === "emergency") return d;
  if (mode === "unlocked") {
    const name = d.memberId === null ? null : (facts.member?.name ?? null);
    free(d);
    d.trace.push(traceRow(null, null, "chosen", "door_unlocked", "door in free passage (D3)"));
    return grant(d, "door_unlocked", grantMessage(words(facts, facts.member?.locale), "ok", name, null));
  }
  if (d.decision !== "grant") return d;
  if (facts.member?.lockdownAccess === true) {
    d.trace.push(traceRow(null, null, "chosen", d.reason, "door locked, member has lockdownAccess (D3)"));
    return d;
  }
  free(d);
  d.trace.push(
    traceRow(null, null, "skipped", "door_locked", "door locked: entries for lockdownAccess only (D3)"),
  );
  return deny(d, "door_locked", words(facts, facts.member?.locale).t.doorLocked);
}

/** A decision that charges nothing and names no multipack. */
function free(d: Decision): void {
  d.multipackId = null;
  d.productId = null;
  d.accessTypeId = null;
  d.creditsDeducted = 0;
  d.creditsRemaining = null;
  d.creditsTotal = null;
}

/** D3 schedules: the windows of the schedule open at `now` (R3 semantics, holidays included). */
export function scheduleOpen(schedule: readonly Window[], ln: LocalNow, holidays: Set<string>): boolean {
  const today = dayKey(ln.date, holidays);
  const yesterday = dayKey(addDays(ln.date, -1), holidays);
  return schedule.some((w) => inWindow(w, ln, today, yesterday));
}

/**
 * D3 firstPersonIn: the instant the schedule's window open at `now` began (the earliest start of
 * the windows open now), or null when none is open. A first grant before it belongs to an earlier
 * window and does not unlock this one.
 */
export function openWindowStart(
  schedule: readonly Window[],
  now: number,
  zone: string,
  holidays: Set<string>,
): number | null {
  const ln = localNow(now, zone);
  const today = dayKey(ln.date, holidays);
  const yesterday = dayKey(addDays(ln.date, -1), holidays);
  const starts: number[] = [];
  for (const w of schedule) {
    if (!inWindow(w, ln, today, yesterday)) continue;
    // A window past midnight that is open before its `from` today began yesterday.
    const startedYesterday = toMinutes(w.to) <= toMinutes(w.from) && ln.minutes < toMinutes(w.to);
    const date = startedYesterday ? addDays(ln.date, -1) : ln.date;
    starts.push(DateTime.fromISO(`${date}T${w.from}`, { zone }).toMillis());
  }
  return starts.length === 0 ? null : Math.min(...starts);
}

/** What a door's mode is made of (doors.md D3), as the doors feature keeps it. */
export interface ModeInputs {
  /** Emergency held until reset, and what set it (a fire input or a command); null when none. */
  emergency: "fire" | "command" | null;
  /** A command's mode and its `until` (ms) or null (held until the next command). */
  command: { mode: Exclude<DoorMode, "emergency">; until: number | null } | null;
  /** The door's schedule is open now (and, with firstPersonIn, the first member of staff has arrived). */
  scheduled: boolean;
}

/**
 * D3: the door's mode and its source. Emergency beats everything; a command holds its mode (until
 * its `until`, when it has one) over the schedule; otherwise the schedule's unlock, else normal.
 */
export function resolveMode(m: ModeInputs, now: number): { mode: DoorMode; source: DoorModeSource | null } {
  if (m.emergency !== null) return { mode: "emergency", source: m.emergency };
  const command =
    m.command !== null && (m.command.until === null || now < m.command.until) ? m.command : null;
  if (command !== null) return { mode: command.mode, source: "command" };
  if (m.scheduled) return { mode: "unlocked", source: "schedule" };
  return { mode: "normal", source: null };
}
