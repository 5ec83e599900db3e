/**
 * R12 in a what-if replay: who went in or out of which area when, kept per member and area in time
 * order, so the presence of one member and the head count of an area at an instant cost a binary
 * search per member rather than a pass over every movement.
 */
import type { Direction, PresenceFact } from "../../gateway/engine/index.js";
import { localNow } from "../../gateway/engine/index.js";

/** An entry or exit through a door. */
export interface Movement {
  direction: Direction;
  at: number;
}

/** Movements per member and area, each list in time order. */
export class Movements {
  private readonly lists = new Map<string, Movement[]>();
  private readonly movers = new Map<string, Set<string>>();

  /** Records a movement of `memberId` in `area` (in any order: it is put in its place). */
  add(memberId: string, area: string, m: Movement): void {
    const key = `${memberId}\u0000${area}`;
    const list = this.lists.get(key);
    if (list === undefined) this.lists.set(key, [m]);
    else list.splice(after(list, m.at), 0, m);
    const movers = this.movers.get(area);
    if (movers === undefined) this.movers.set(area, new Set([memberId]));
    else movers.add(memberId);
  }

  /** The member's last movement and last entry in the area at or before `now`. */
  presence(memberId: string, area: string, now: number): PresenceFact | null {
    const list = this.lists.get(`${memberId}\u0000${area}`);
    const end = list === undefined ? 0 : after(list, now);
    if (list === undefined || end === 0) return null;
    const last = list[end - 1] as Movement;
    let lastInAt: number | null = null;
    for (let i = end - 1; i >= 0 && lastInAt === null; i--)
      if ((list[i] as Movement).direction === "in") lastInAt = (list[i] as Movement).at;
    return { lastDirection: last.direction, lastAt: last.at, lastInAt };
  }

  /** The members with a movement in the area. */
  membersIn(area: string): ReadonlySet<string> {
    return this.movers.get(area) ?? new Set();
  }
}

/** The index after the last movement at or before `at` (where one at `at` is put). */
function after(list: Movement[], at: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as Movement).at <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** R12: the member's presence in the area at `now` from several records (the latest movement wins). */
export function presenceAt(
  sides: Movements[],
  memberId: string,
  area: string,
  now: number,
): PresenceFact | null {
  let last: PresenceFact | null = null;
  let lastInAt: number | null = null;
  for (const side of sides) {
    const p = side.presence(memberId, area, now);
    if (p === null) continue;
    if (last === null || p.lastAt >= last.lastAt) last = p;
    if (p.lastInAt !== null && (lastInAt === null || p.lastInAt > lastInAt)) lastInAt = p.lastInAt;
  }
  return last === null ? null : { ...last, lastInAt };
}

/** R12: other members whose last movement in the area today, up to `now`, was an entry. */
export function presentCount(
  sides: Movements[],
  except: string,
  area: string,
  now: number,
  zone: string,
): number {
  const dayStart = localNow(now, zone).startOfDay;
  const ids = new Set<string>();
  for (const side of sides) for (const id of side.membersIn(area)) ids.add(id);
  let n = 0;
  for (const id of ids) {
    if (id === except) continue;
    const p = presenceAt(sides, id, area, now);
    if (p !== null && p.lastDirection === "in" && p.lastAt >= dayStart) n++;
  }
  return n;
}
