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

/** A movement in an area, with whose it is. */
interface AreaMovement extends Movement {
  memberId: string;
}

/** Movements per member and area, each list in time order. */
export class Movements {
  private readonly lists = new Map<string, Movement[]>();
  /** Per area, every movement with its member, in time order (an area's head count reads one day of it). */
  private readonly byArea = new Map<string, AreaMovement[]>();

  /** Records a movement of `memberId` in `area` (in any order: it is put in its place). */
  add(memberId: string, area: string, m: Movement): void {
    const key = `${memberId}\u0000${area}`;
    const list = this.lists.get(key);
    if (list === undefined) this.lists.set(key, [m]);
    else list.splice(after(list, m.at), 0, m);
    const inArea = this.byArea.get(area);
    if (inArea === undefined) this.byArea.set(area, [{ ...m, memberId }]);
    else inArea.splice(after(inArea, m.at), 0, { ...m, memberId });
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

  /** The area's movements with their members, in time order (read only). */
  inArea(area: string): readonly AreaMovement[] {
    return this.byArea.get(area) ?? [];
  }
}

/** The index after the last movement at or before `at` (where one at `at` is put). */
function after(list: readonly { at: number }[], at: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as { at: number }).at <= at) lo = mid + 1;
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

/**
 * R12: the head count of each area during one replay, kept as the replay moves forward in time: the
 * movements of the starting state and of the replay are taken in time order up to each scan, and
 * the count starts again at local midnight (presence is forgotten then). Scans must come in time order.
 */
export class HeadCounts {
  private readonly areas = new Map<string, AreaCount>();

  constructor(
    private readonly sides: Movements[],
    private readonly zone: string,
  ) {}

  /** Other members whose last movement in the area today, up to `now`, was an entry. */
  present(area: string, now: number, except: string): number {
    const dayStart = localNow(now, this.zone).startOfDay;
    let c = this.areas.get(area);
    if (c === undefined || c.dayStart !== dayStart) {
      c = {
        dayStart,
        next: this.sides.map((s) => after(s.inArea(area), dayStart - 1)),
        last: new Map(),
        count: 0,
      };
      this.areas.set(area, c);
    }
    const lists = this.sides.map((s) => s.inArea(area));
    for (let m = earliest(lists, c.next, now); m !== undefined; m = earliest(lists, c.next, now)) {
      if (c.last.get(m.memberId) === "in") c.count--;
      c.last.set(m.memberId, m.direction);
      if (m.direction === "in") c.count++;
    }
    return c.count - (c.last.get(except) === "in" ? 1 : 0);
  }
}

/** Takes the earliest movement not yet counted (`next`: per list), of any list, at or before `now`. */
function earliest(
  lists: readonly (readonly AreaMovement[])[],
  next: number[],
  now: number,
): AreaMovement | undefined {
  let pick = -1;
  let found: AreaMovement | undefined;
  lists.forEach((list, k) => {
    const m = list[next[k] as number];
    if (m !== undefined && m.at <= now && (found === undefined || m.at < found.at)) {
      pick = k;
      found = m;
    }
  });
  if (found !== undefined) next[pick] = (next[pick] as number) + 1;
  return found;
}

/** One area's count for one day: how far each side's movements were taken, each member's last move. */
interface AreaCount {
  dayStart: number;
  next: number[];
  last: Map<string, Direction>;
  count: number;
}
