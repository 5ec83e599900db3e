/**
 * doors.md D6: the words of one decision — the catalogue of the member's language, and dates,
 * weekdays and times formatted by Intl for the member's locale (no hand-written month names).
 */
import type { Catalogue } from "./catalogues/catalogue.js";
import { de } from "./catalogues/de.js";
import { en } from "./catalogues/en.js";
import { es } from "./catalogues/es.js";
import { fr } from "./catalogues/fr.js";
import { it } from "./catalogues/it.js";

/** Every language with a catalogue, by its BCP 47 language subtag. */
export const CATALOGUES: Readonly<Record<string, Catalogue>> = { en, it, de, fr, es };

/** The locale a member's messages are in, with its catalogue and Intl formatters. */
export interface Words {
  /** The BCP 47 tag used for Intl (the member's or site's, or `en`). */
  locale: string;
  /** The catalogue of that tag's language (English when there is none). */
  t: Catalogue;
  /** `YYYY-MM-DD` → `30 Apr 2027`, `30 apr 2027`, `30. Apr. 2027`… */
  date(date: string): string;
  /** `YYYY-MM-DD` → the short weekday name: `Mon`, `lun`, `Mo`… */
  weekday(date: string): string;
  /** Wall time `HH:MM` → the locale's 24-hour time. */
  time(time: string): string;
}

const memo = new Map<string, Words>();

/**
 * D6: the member's locale wins, else the site's, else `en`. A tag with no catalogue of its own
 * (`de-CH`) speaks its language (`de`), formatted for the tag; an unknown language speaks English.
 */
export function wordsFor(
  memberLocale: string | null | undefined,
  siteLocale: string | null | undefined,
): Words {
  const tag = usable(memberLocale) ?? usable(siteLocale) ?? "en";
  let words = memo.get(tag);
  if (words === undefined) {
    words = makeWords(tag);
    // A handful of locales per site: the bound only guards against a flood of odd tags.
    if (memo.size >= 64) memo.clear();
    memo.set(tag, words);
  }
  return words;
}

/** A tag Intl can read, canonicalised (`it-it` → `it-IT`), or undefined. */
function usable(tag: string | null | undefined): string | undefined {
  if (!tag) return undefined;
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

function makeWords(tag: string): Words {
  const language = new Intl.Locale(tag).language;
  const t = CATALOGUES[language];
  if (t === undefined) return makeWords("en");
  const utc = { timeZone: "UTC" } as const;
  const dates = new Intl.DateTimeFormat(tag, { ...utc, day: "numeric", month: "short", year: "numeric" });
  const weekdays = new Intl.DateTimeFormat(tag, { ...utc, weekday: "short" });
  const times = new Intl.DateTimeFormat(tag, {
    ...utc,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const date = language === "en" ? englishDate() : (d: string) => dates.format(utcDay(d));
  return {
    locale: tag,
    t,
    date,
    weekday: (d) => weekdays.format(utcDay(d)),
    time: (hhmm) => times.format(Date.UTC(1970, 0, 1, Number(hhmm.slice(0, 2)), Number(hhmm.slice(3, 5)))),
  };
}

/**
 * R15's English date is `30 Apr 2027` (domain.md's examples). Intl's en-GB spells September
 * `Sept` since CLDR 38, so the names come from Intl's en-US and the order is day month year.
 */
function englishDate(): (d: string) => string {
  const names = new Intl.DateTimeFormat("en-US", {
    timeZone: "UTC",
    day: "numeric",
    month: "short",
    year: "numeric",
  });
  return (d) => {
    const parts = names.formatToParts(utcDay(d));
    const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
    return `${part("day")} ${part("month")} ${part("year")}`;
  };
}

/** Noon UTC of a local date: the calendar day whatever the formatter's zone. */
function utcDay(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), 12);
}
