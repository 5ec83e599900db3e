/** R15: short texts for a reader display or the staff screen, in the member's language (D6). */
import type { Words } from "./words.js";

/** The member's first name, for a greeting ("" when unknown). */
function firstName(name: string | null): string {
  return name?.trim().split(/\s+/)[0] ?? "";
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
export function creditsText(w: Words, remaining: number | null, total: number | null): string | null {
  if (remaining === null || total === null) return null;
  if (remaining > 100) return w.t.unlimited;
  return w.t.creditsLeft(remaining, total);
}

/** The greeting on a grant. */
export function grantMessage(
  w: Words,
  reason: "ok" | "reentry" | "booking" | "exit",
  name: string | null,
  credits: string | null,
  extra?: string,
): string {
  const who = firstName(name);
  if (reason === "exit") return w.t.goodbye(who);
  const head = reason === "reentry" ? w.t.welcomeBack(who) : w.t.welcome(who);
  const tail = reason === "booking" ? extra : credits;
  return tail ? `${head} — ${tail}` : head;
}

/** "opens at 08:00" today, "opens Mon 08:00" another day of the week. */
export function opensText(
  w: Words,
  area: string,
  today: string,
  next: { date: string; time: string } | null,
): string {
  if (!next) return w.t.notOpen(area);
  if (next.date === today) return w.t.opensToday(area, w.time(next.time));
  return w.t.opensOn(area, w.weekday(next.date), w.time(next.time));
}

/** A list of names joined by the language's "or": `fin-2026 or fin-2027`. */
export function orList(w: Words, items: readonly string[]): string {
  return items.join(` ${w.t.or} `);
}
