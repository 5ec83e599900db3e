import type { AccessType } from "../../config/site.js";
import type { PeriodKey } from "./catalogues/catalogue.js";
import { type LocalNow, localParts } from "./clock.js";
import type { Failure } from "./context.js";
import { areaName, opensText, orList } from "./message.js";
import type { Facts } from "./types.js";
import { nextOpening } from "./windows.js";
import type { Words } from "./words.js";

/**
 * R15: the words for a deny, from the failure that decided it (and its peers, for opening times),
 * in the member's language (D6).
 */
export function denyMessage(
  w: Words,
  f: Failure,
  all: Failure[],
  ln: LocalNow,
  facts: Facts,
  areaId: string,
): string {
  const { t } = w;
  switch (f.reason) {
    case "inactive":
      return t.inactive;
    case "expired":
      return t.expiredOn(w.date(f.dates?.until ?? ln.date));
    case "not_yet_valid":
      if (f.dates && f.dates.from > ln.date) return t.validFromDate(w.date(f.dates.from));
      return t.validFromTime(w.time(localParts(f.mp.purchasedAt, ln.zone).time));
    case "suspended":
      return t.suspendedUntil(w.date(f.info?.until ?? ln.date));
    case "wrong_area":
      return t.wrongArea;
    case "outside_time_window":
      return opensMessage(w, all, ln, facts, areaId);
    case "card_model_missing":
      return t.cardModelRequired(f.info?.modelIds ? orList(w, f.info.modelIds) : null);
    case "member_code_missing":
      return t.memberCodeRequired(orList(w, f.info?.codes ?? []));
    case "no_credits":
      return t.noCredits(f.info?.remaining ?? 0, f.info?.total ?? 0);
    case "allowance_used":
      return t.allowanceUsed(periodKey(f.info?.period));
    case "limit_reached":
      return t.limitReached(f.info?.count, periodKey(f.info?.period));
    case "offline_stale":
      return t.offlineStale;
    default:
      return t.accessDenied;
  }
}

const PERIOD_KEYS: readonly string[] = ["day", "week", "month", "year", "chargePeriod", "validity"];

/** R7/R8: the period a failure counted in; a charge period when it does not say. */
function periodKey(period: string | undefined): PeriodKey {
  return period !== undefined && PERIOD_KEYS.includes(period) ? (period as PeriodKey) : "chargePeriod";
}

/**
 * R15: the area opens for this member at the earliest opening of any closed item, not only at the
 * next opening of the first item tried.
 */
function opensMessage(w: Words, all: Failure[], ln: LocalNow, facts: Facts, areaId: string): string {
  const closed = all.filter((g) => g.reason === "outside_time_window" && g.accessType);
  if (closed.length === 0) return w.t.notValidNow;
  let next: { date: string; time: string } | null = null;
  for (const g of closed) {
    const n = nextOpening(g.accessType as AccessType, ln, facts.site.holidays);
    if (n && (!next || n.date < next.date || (n.date === next.date && n.time < next.time))) next = n;
  }
  const name = areaName(areaId, facts.site.areas.get(areaId)?.name);
  return opensText(w, name, ln.date, next);
}
