import { z } from "zod";
import {
  boundedInt,
  MAX_CAPACITY,
  MAX_COUNT,
  MAX_CREDITS,
  MAX_DURATION,
  MAX_MINUTES,
  MAX_PRIORITY,
  MIN_PRIORITY,
  yearProblem,
} from "./bounds.js";

/** Local calendar date `YYYY-MM-DD` (a real date, in MIN_YEAR..MAX_YEAR). */
export const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "expected a date YYYY-MM-DD", abort: true })
  .refine((s) => isRealDate(s), { error: "not a real calendar date", abort: true })
  .superRefine((s, ctx) => {
    const problem = yearProblem(s);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });

/** Wall-clock time `HH:MM`, 00:00 … 24:00. */
export const WallTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, { error: 'expected a time "HH:MM" between 00:00 and 24:00' });

/** An identifier as used for areas, products, access types… */
export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, { error: "expected an id of letters, digits and . _ : @ -" });

/**
 * R19: a member code (`student`, `corp-acme`): free text, compared exactly, so spaces around it
 * (which would never match) are refused.
 */
export const MemberCode = z
  .string()
  .min(1, { error: "empty member code" })
  .max(128)
  .refine((s) => s.trim() === s, { error: "no spaces before or after a member code" });

/**
 * D6: a BCP 47 language tag (`it`, `it-IT`, `de-CH`) for member-facing messages; refused when Intl
 * cannot read it, so a typo is found at import and not at the door.
 */
export const Locale = z
  .string()
  .min(2)
  .max(35)
  .refine((tag) => isLanguageTag(tag), { error: "expected a BCP 47 language tag such as en, it or de-CH" });

export const DayKey = z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun", "hol"]);
export type DayKey = z.infer<typeof DayKey>;

export const Window = z
  .strictObject({ days: z.array(DayKey).min(1), from: WallTime, to: WallTime })
  .refine((w) => w.from !== w.to, { error: "from and to are equal: use 00:00–24:00 for a whole day" })
  .refine((w) => w.from !== "24:00", { error: "from cannot be 24:00", path: ["from"] });
export type Window = z.infer<typeof Window>;

export const DateRange = z
  .strictObject({ from: LocalDate.optional(), to: LocalDate.optional() })
  .refine((r) => !r.from || !r.to || r.from <= r.to, { error: "from is after to" });

/** A number of minutes (deduction intervals, anti-passback, early booking), at most a year. */
const Minutes = boundedInt(0, MAX_MINUTES, "365 days");
/** Credits: a product's pack size, an item's cost (0 = unlimited or free). */
const Credits = boundedInt(0, MAX_CREDITS);

export const AntiPassback = z.strictObject({
  mode: z.enum(["none", "hard", "timed"]),
  minutes: Minutes.min(1, { error: "at least 1" }).optional(),
});

export const Area = z.strictObject({
  id: Id,
  name: z.string().optional(),
  antiPassback: AntiPassback.optional(),
  capacity: boundedInt(1, MAX_CAPACITY).optional(),
});
export type Area = z.infer<typeof Area>;

export const AccessType = z.strictObject({
  id: Id,
  name: z.string().optional(),
  areas: z.array(Id).min(1),
  windows: z.array(Window).min(1),
  dates: DateRange.optional(),
  requiresCardModel: z.boolean().default(false),
});
export type AccessType = z.infer<typeof AccessType>;

export const PeriodName = z.enum(["day", "week", "month", "year", "chargePeriod"]);
export type PeriodName = z.infer<typeof PeriodName>;

export const Allowance = z.strictObject({
  count: boundedInt(0, MAX_COUNT),
  period: PeriodName,
  rollover: z.boolean().default(false),
});
export type Allowance = z.infer<typeof Allowance>;

/** A validity or charge period: whole units, at most 100 years in each unit. */
export const Duration = z.union([
  z.strictObject({ days: boundedInt(1, MAX_DURATION.days, "100 years") }),
  z.strictObject({ weeks: boundedInt(1, MAX_DURATION.weeks, "100 years") }),
  z.strictObject({ months: boundedInt(1, MAX_DURATION.months, "100 years") }),
  z.strictObject({ years: boundedInt(1, MAX_DURATION.years) }),
]);
export type Duration = z.infer<typeof Duration>;

export const Validity = z.union([
  Duration,
  z.strictObject({ until: LocalDate }),
  z.strictObject({ fromFirstUse: Duration }),
  z.strictObject({ indefinite: z.literal(true) }),
]);
export type Validity = z.infer<typeof Validity>;

export const Item = z.strictObject({
  accessType: Id,
  credits: Credits,
  priority: boundedInt(MIN_PRIORITY, MAX_PRIORITY).default(1),
  allowance: Allowance.optional(),
  deductionIntervalMinutes: Minutes.optional(),
  /** R19: a candidate only for a member holding one of these codes. */
  requiresMemberCode: z
    .array(MemberCode)
    .min(1, { error: "list at least one code, or leave requiresMemberCode out" })
    .optional(),
});
export type Item = z.infer<typeof Item>;

export const Product = z.strictObject({
  id: Id,
  name: z.string().optional(),
  credits: Credits,
  validity: Validity.optional(),
  chargePeriod: Duration.optional(),
  deductionIntervalMinutes: Minutes.optional(),
  /** R18: unused credits move to the member's next multipack of this product when one ends. */
  transferUnused: z.boolean().default(false),
  cardModels: z.array(Id).default([]),
  items: z.array(Item).min(1),
});
export type Product = z.infer<typeof Product>;

/** R20: `all` (default) counts visits everywhere; `home` only at the member's homeSite; `away` only elsewhere. */
export const LimitAt = z.enum(["all", "home", "away"]);
export type LimitAt = z.infer<typeof LimitAt>;

export const Limit = z.strictObject({
  id: Id,
  amount: boundedInt(0, MAX_COUNT),
  period: z.enum(["day", "week", "month", "year", "chargePeriod", "validity"]),
  accessTypes: z.array(Id).default([]),
  areas: z.array(Id).default([]),
  products: z.array(Id).default([]),
  /** R20: where the limit applies and whose visits it counts: everywhere, at the member's home site, or away from it. */
  at: LimitAt.default("all"),
});
export type Limit = z.infer<typeof Limit>;

export const CardModel = z.strictObject({ id: Id, name: z.string().optional() });
export type CardModel = z.infer<typeof CardModel>;

export const SiteInfo = z.strictObject({
  id: Id,
  name: z.string().optional(),
  timezone: z.string().refine((tz) => isIanaZone(tz), { error: "not an IANA time zone" }),
  holidays: z.array(LocalDate).default([]),
  tieBreak: z.enum(["fifo", "expiresFirst"]).default("fifo"),
  deductionIntervalMinutes: Minutes.default(0),
  bookingEarlyMinutes: Minutes.default(30),
  /** D6: the language of member-facing messages (R15) when the member has none; absent: `en`. */
  locale: Locale.optional(),
});
export type SiteInfo = z.infer<typeof SiteInfo>;

/** The whole site configuration as the engine sees it. */
export interface SiteConfig {
  site: SiteInfo;
  areas: Area[];
  accessTypes: AccessType[];
  products: Product[];
  limits: Limit[];
  cardModels: CardModel[];
}

/** A `YYYY-MM-DD` string (already matching the pattern) names a real calendar date. */
export function isRealDate(s: string): boolean {
  const [y, m, d] = s.split("-").map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

function isLanguageTag(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

function isIanaZone(tz: string): boolean {
  if (!tz.includes("/") && tz !== "UTC") return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
