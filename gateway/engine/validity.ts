import type { Product } from "../../config/site.js";
import { addDays, daysInclusive, lastDayOf } from "./calendar.js";
import { localDateOf } from "./clock.js";
import type { MultipackFact } from "./types.js";

/** A multipack's usable local dates (R2); `until` null means no end. */
export interface ValidityDates {
  from: string;
  until: string | null;
  /** `fromFirstUse` and not used yet: usable from purchase on, dates not fixed. */
  awaitingFirstUse: boolean;
}

/** R2: validFrom, validUntil (pushed by suspensions) of a multipack. */
export function validityDates(mp: MultipackFact, product: Product, zone: string): ValidityDates {
  const v = product.validity;
  const firstUse = v !== undefined && "fromFirstUse" in v;
  const awaitingFirstUse = firstUse && mp.firstUseAt === null && mp.validFrom === null;
  let from = mp.validFrom;
  if (from === null) {
    from =
      firstUse && mp.firstUseAt !== null
        ? localDateOf(mp.firstUseAt, zone)
        : localDateOf(mp.purchasedAt, zone);
  }
  let until: string | null = mp.validUntil;
  if (until === null && !awaitingFirstUse && v !== undefined) {
    if ("until" in v) until = v.until;
    else if ("fromFirstUse" in v) until = lastDayOf(from, v.fromFirstUse);
    else if (!("indefinite" in v)) until = lastDayOf(from, v);
  }
  if (until !== null) {
    // R2: each suspension pushes validUntil later by its length in days.
    let push = 0;
    for (const s of mp.suspensions) push += daysInclusive(s.from, s.to);
    if (push > 0) until = addDays(until, push);
  }
  return { from, until, awaitingFirstUse };
}

/** R2: usable, or why not, with the multipack's dates. */
export type UsableResult =
  | { usable: true; dates: ValidityDates }
  | {
      usable: false;
      reason: "inactive" | "not_yet_valid" | "expired" | "suspended";
      dates: ValidityDates;
      until?: string;
    };

/** R2: is the multipack usable at this instant and local date? */
export function usability(
  mp: MultipackFact,
  product: Product,
  zone: string,
  now: number,
  today: string,
): UsableResult {
  const dates = validityDates(mp, product, zone);
  if (mp.status === "stored") return { usable: false, reason: "inactive", dates };
  // It begins at the later of its purchase instant and the start of validFrom.
  if (today < dates.from || now < mp.purchasedAt) return { usable: false, reason: "not_yet_valid", dates };
  if (dates.until !== null && today > dates.until) return { usable: false, reason: "expired", dates };
  for (const s of mp.suspensions) {
    if (s.from <= today && today <= s.to) return { usable: false, reason: "suspended", dates, until: s.to };
  }
  return { usable: true, dates };
}
