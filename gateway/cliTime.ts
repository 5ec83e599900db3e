/**
 * The time flags of the command line (--at, --since, --until): ISO 8601 as cli.md says, and what a
 * person types at a door: `2026-12-14 17:00` and `17:00` (today in the site's zone).
 */
import { DateTime } from "luxon";
import { usage } from "./cliParse.js";
import { parseAt } from "./engine/clock.js";

const CLOCK_TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const DATE_SPACE_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{1,2}:\d{2}(?::\d{2})?)$/;

/** `7:05` → `07:05`, so luxon's ISO parser takes it. */
function twoDigitHour(time: string): string {
  return time.length === 4 || time.indexOf(":") === 1 ? `0${time}` : time;
}

/**
 * A time flag's instant: `HH:MM[:SS]` is that time today in `zone` (today as of `now`),
 * `YYYY-MM-DD HH:MM` local wall time in `zone`, anything else ISO 8601 (parseAt). Null when none fits.
 */
export function parseTimeText(text: string, zone: string, now: number): number | null {
  const trimmed = text.trim();
  const clock = CLOCK_TIME.exec(trimmed);
  if (clock) {
    const [hour, minute, second] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    const today = DateTime.fromMillis(now, { zone }).startOf("day");
    const at = today.set({ hour, minute, second });
    // 24:00 or 07:60 is a slip, not a time: luxon would roll it over silently.
    if (hour > 23 || minute > 59 || second > 59 || !at.isValid) return null;
    return at.toMillis();
  }
  const spaced = DATE_SPACE_TIME.exec(trimmed);
  if (spaced) return parseAt(`${spaced[1]}T${twoDigitHour(spaced[2] ?? "")}`, zone);
  return parseAt(trimmed, zone);
}

/**
 * Checks a time flag's syntax now (bad input before anything is opened) and returns how to read
 * it once the site's zone is known; absent means now.
 */
export function timeFlag(
  text: string | undefined,
  flag: string,
  clock: () => number = Date.now,
): (zone: string) => number {
  if (text === undefined) return () => clock();
  if (parseTimeText(text, "UTC", clock()) === null)
    throw usage(
      `${flag} "${text}" is not a time: use HH:MM (today), YYYY-MM-DD HH:MM, or ISO 8601 (2026-11-23T17:05:00Z)`,
    );
  return (zone) => {
    const ms = parseTimeText(text, zone, clock());
    if (ms === null) throw usage(`${flag} "${text}" is not a valid time in ${zone}`);
    return ms;
  };
}
