/** R15: short texts for a reader display or the staff screen. */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** `2027-04-30` → `30 Apr 2027`. */
export function displayDate(date: string): string {
  return `${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;
}

/** The member's first name, for a greeting. */
function firstName(name: string | null): string {
  const first = name?.trim().split(/\s+/)[0];
  return first ? ` ${first}` : "";
}

/** An area's display name: its configured name, else its id with a capital. */
export function areaName(id: string, name?: string): string {
  if (name) return name;
  return id.charAt(0).toUpperCase() + id.slice(1);
}

/**
 * R15: `7/10 left`, or `UNLIMITED` when more than 100 credits remain (seed 001: "more than 100
 * available credits"; a 500-credit pack down to 40 shows `40/500 left`), or null when unlimited.
 */
export function creditsText(remaining: number | null, total: number | null): string | null {
  if (remaining === null || total === null) return null;
  if (remaining > 100) return "UNLIMITED";
  return `${remaining}/${total} left`;
}

/** The greeting on a grant. */
export function grantMessage(
  reason: "ok" | "reentry" | "booking" | "exit",
  name: string | null,
  credits: string | null,
  extra?: string,
): string {
  const who = firstName(name);
  if (reason === "exit") return `Goodbye${who}`;
  const head = reason === "reentry" ? `Welcome back${who}` : `Welcome${who}`;
  const tail = reason === "booking" ? extra : credits;
  return tail ? `${head} — ${tail}` : head;
}

/** "opens at 08:00" today, "opens Mon 08:00" another day of the week. */
export function opensText(
  area: string,
  today: string,
  next: { date: string; time: string; weekday: number } | null,
): string {
  if (!next) return `${area}: not open at this time`;
  if (next.date === today) return `${area} opens at ${next.time}`;
  return `${area} opens ${WEEKDAYS[next.weekday - 1]} ${next.time}`;
}
