import type { LocalNow } from "./clock.js";
import { areaName } from "./message.js";
import type { Facts } from "./types.js";
import type { Words } from "./words.js";

/** Why R12 refuses an entry: the reason, the trace's words and the member's message. */
export interface AreaRefusal {
  reason: "anti_passback" | "area_full";
  detail: string;
  message: string;
}

/** R12: anti-passback (hard or timed) and capacity for an entry into the area. */
export function areaRules(facts: Facts, ln: LocalNow, areaId: string, w: Words): AreaRefusal | null {
  const area = facts.site.areas.get(areaId);
  if (!area) return null;
  // Presence is forgotten at local midnight; a movement after `now` (a what-if in the past) is ignored.
  const p =
    facts.presence && facts.presence.lastAt <= ln.ms && facts.presence.lastAt >= ln.startOfDay
      ? facts.presence
      : null;
  const apb = area.antiPassback;
  if (apb?.mode === "hard" && p?.lastDirection === "in")
    return {
      reason: "anti_passback",
      detail: "already inside: no exit since the last entry (R12)",
      message: w.t.alreadyInside,
    };
  if (apb?.mode === "timed" && apb.minutes && facts.presence?.lastInAt != null) {
    const since = ln.ms - facts.presence.lastInAt;
    const wait = apb.minutes * 60_000 - since;
    if (since >= 0 && wait > 0)
      return {
        reason: "anti_passback",
        detail: `entered ${Math.floor(since / 60_000)} min ago, ${apb.minutes} min must pass (R12)`,
        message: w.t.pleaseWait(Math.ceil(wait / 60_000)),
      };
  }
  const alreadyIn = p?.lastDirection === "in";
  if (area.capacity !== undefined && !alreadyIn && facts.presentCount >= area.capacity)
    return {
      reason: "area_full",
      detail: `${facts.presentCount} of ${area.capacity} present (R12)`,
      message: w.t.areaFull(areaName(area.id, area.name)),
    };
  return null;
}
