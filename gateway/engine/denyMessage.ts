import type { AccessType } from "../../config/site.js";
import { isoWeekday } from "./calendar.js";
import { type LocalNow, localParts } from "./clock.js";
import type { Failure } from "./context.js";
import { areaName, displayDate, opensText } from "./message.js";
import type { Facts } from "./types.js";
import { nextOpening } from "./windows.js";

/** R15: the words for a deny, from the failure that decided it (and its peers, for opening times). */
export function denyMessage(f: Failure, all: Failure[], ln: LocalNow, facts: Facts, areaId: string): string {
  switch (f.reason) {
    case "inactive":
      return "Membership not active — please see reception";
    case "expired":
      return `Expired on ${displayDate(f.dates?.until ?? ln.date)}`;
    case "not_yet_valid":
      if (f.dates && f.dates.from > ln.date) return `Valid from ${displayDate(f.dates.from)}`;
      return `Valid from ${localParts(f.mp.purchasedAt, ln.zone).time}`;
    case "suspended":
      return `Suspended until ${displayDate(f.info?.until ?? ln.date)}`;
    case "wrong_area":
      return "Not valid for this area";
    case "outside_time_window":
      return opensMessage(all, ln, facts, areaId);
    case "card_model_missing":
      return `Valid ${f.info?.modelIds?.join(" or ") ?? "card model"} card required`;
    case "member_code_missing":
      return `Member code ${f.info?.codes?.join(" or ") ?? ""} required — please see reception`;
    case "no_credits":
      return `No credits left — ${f.info?.remaining ?? 0}/${f.info?.total ?? 0}`;
    case "allowance_used":
      return `Included visits used up this ${periodWord(f.info?.period)}`;
    case "limit_reached":
      return `Limit reached: ${f.info?.count} per ${periodWord(f.info?.period)}`;
    case "offline_stale":
      return "Offline too long — paid entry needs reception";
    default:
      return "Access denied";
  }
}

function periodWord(period: string | undefined): string | undefined {
  return period === "chargePeriod" ? "period" : period;
}

/**
 * R15: the area opens for this member at the earliest opening of any closed item, not only at the
 * next opening of the first item tried.
 */
function opensMessage(all: Failure[], ln: LocalNow, facts: Facts, areaId: string): string {
  const closed = all.filter((g) => g.reason === "outside_time_window" && g.accessType);
  if (closed.length === 0) return "Not valid at this time";
  let next: { date: string; time: string } | null = null;
  for (const g of closed) {
    const n = nextOpening(g.accessType as AccessType, ln, facts.site.holidays);
    if (n && (!next || n.date < next.date || (n.date === next.date && n.time < next.time))) next = n;
  }
  const name = areaName(areaId, facts.site.areas.get(areaId)?.name);
  return opensText(name, ln.date, next ? { ...next, weekday: isoWeekday(next.date) } : null);
}
