/**
 * What-if's starting point and running state: the engine's facts for a scan at an instant of the
 * past, built from what the central holds (the members' published documents and the stored events)
 * instead of a gateway's store. Pure: no store, no clock.
 *
 * The starting state, the same for both replays: each member's multipacks as the central publishes
 * them, with the ledger entries the replayed scans charged given back (R16: a gateway's entry has the
 * event's id); the visits (R5, R7, R8) and movements (R12) of every stored decision that is not
 * replayed (before the window, or the front desk's admits within it); each counted from its instant,
 * so a later entry never weighs on an earlier scan. Each replay then adds its own charges, visits and
 * movements as it goes, as a gateway would have recorded them.
 */
import { canonicalCard } from "../../config/cardNumber.js";
import { type Card, ledgerKind, type Member } from "../../config/members.js";
import type { DecisionEvent } from "../../config/protocol/events.js";
import type {
  Decision,
  DecisionRequest,
  Facts,
  MemberFact,
  MultipackFact,
  SiteModel,
  VisitFact,
} from "../../gateway/engine/index.js";
import { type HeadCounts, Movements, presenceAt } from "./replayPresence.js";

/** A credit movement on a multipack at an instant: used (> 0 or a refund < 0), or added to its total. */
interface Entry {
  at: number;
  amount: number;
  addition: boolean;
}

/** A visit the central's events or ledger give: at this central's site, stamped when facts are built (R20). */
type SiteVisit = Omit<VisitFact, "site">;

/** What one replay has recorded so far, or what the central held before it (the baseline). */
export interface Recorded {
  entries: Map<string, Entry[]>;
  visits: Map<string, SiteVisit[]>;
  movements: Movements;
}

/** The members as the central holds them, and what both replays start from. */
export interface Baseline {
  members: Map<string, Member>;
  cards: Map<string, { member: Member; card: Card }>;
  recorded: Recorded;
}

/** An empty record, for a replay to fill. */
export function emptyRecorded(): Recorded {
  return { entries: new Map(), visits: new Map(), movements: new Movements() };
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** The scans a what-if replays: decisions at a reader (not the front desk's, D5) within [from, to]. */
export function isReplayed(e: DecisionEvent, from: number, to: number): boolean {
  const at = Date.parse(e.at);
  return e.operator === null && at >= from && at <= to;
}

/**
 * A grant undone after it was recorded: the door did not open (relay failure) or nobody went through
 * (doors.md D2). Its credits came back (a refund entry) and it is no visit and no movement.
 */
export function isUndone(e: DecisionEvent): boolean {
  return e.relayFailed || e.passed === false;
}

/** The starting state of both replays (see the file comment). */
export function baseline(members: Member[], events: DecisionEvent[], replayed: DecisionEvent[]): Baseline {
  const undone = new Set(events.filter(isUndone).map((e) => e.id));
  const givenBack = new Set<string>();
  for (const e of replayed) {
    givenBack.add(e.id);
    for (const l of e.ledger) givenBack.add(l.id);
  }
  const recorded = emptyRecorded();
  const seenVisits = new Set<string>();
  const out: Baseline = { members: new Map(), cards: new Map(), recorded };
  for (const m of members) {
    out.members.set(m.id, m);
    for (const card of m.cards) out.cards.set(canonicalCard(card.number), { member: m, card });
    for (const mp of m.multipacks)
      for (const l of mp.ledger) {
        if (givenBack.has(l.id)) continue;
        const kind = ledgerKind(l);
        const at = Date.parse(l.at);
        push(recorded.entries, mp.id, { at, amount: l.amount, addition: kind === "addition" });
        // As a gateway takes a usage entry with an area: a visit (R5's anchor, R7/R8's count).
        if (kind === "usage" && l.area !== undefined && !seenVisits.has(l.id) && !undone.has(l.id)) {
          seenVisits.add(l.id);
          push(recorded.visits, m.id, {
            id: l.id,
            multipackId: mp.id,
            productId: mp.product,
            accessTypeId: l.accessType ?? null,
            area: l.area,
            at,
            credits: l.amount,
          });
        }
      }
  }
  for (const e of events) {
    if (givenBack.has(e.id) || undone.has(e.id) || e.decision !== "grant" || e.memberId === null) continue;
    const at = Date.parse(e.at);
    // A free entry has no ledger entry, yet counts for allowances and limits: it comes from its event.
    if (e.reason === "ok" && e.direction === "in" && !seenVisits.has(e.id)) {
      seenVisits.add(e.id);
      push(recorded.visits, e.memberId, visitOf(e, at));
    }
    recorded.movements.add(e.memberId, e.area, { direction: e.direction, at });
  }
  return out;
}

function visitOf(d: Omit<Decision, "trace"> & { id: string }, at: number): SiteVisit {
  return {
    id: d.id,
    multipackId: d.multipackId,
    productId: d.productId,
    accessTypeId: d.accessTypeId,
    area: d.area,
    at,
    credits: d.creditsDeducted,
  };
}

/** Records a replayed decision as a gateway records it: the charge, the visit (reason ok), the movement. */
export function recordDecision(r: Recorded, d: Decision, eventId: string): void {
  if (d.decision !== "grant" || d.memberId === null) return;
  const at = Date.parse(d.at);
  if (d.creditsDeducted > 0 && d.multipackId !== null)
    push(r.entries, d.multipackId, { at, amount: d.creditsDeducted, addition: false });
  if (d.reason === "ok" && d.direction === "in")
    push(r.visits, d.memberId, visitOf({ ...d, id: eventId }, at));
  r.movements.add(d.memberId, d.area, { direction: d.direction, at });
}

/** The engine's facts for `card` at `now`: the baseline and what the replay recorded, up to `now`. */
export function factsAt(
  site: SiteModel,
  base: Baseline,
  replay: { recorded: Recorded; heads: HeadCounts },
  req: DecisionRequest,
  now: number,
): Facts {
  const { card, area, direction } = req;
  const { recorded, heads } = replay;
  const empty: Facts = {
    site,
    card: null,
    member: null,
    multipacks: [],
    visits: [],
    presence: null,
    presentCount: 0,
  };
  const held = base.cards.get(canonicalCard(card));
  if (held === undefined) return empty;
  const { member, card: c } = held;
  const all = <T extends { at: number }>(key: string, pick: (r: Recorded) => Map<string, T[]>): T[] =>
    [...(pick(base.recorded).get(key) ?? []), ...(pick(recorded).get(key) ?? [])].filter((x) => x.at <= now);
  const sides = [base.recorded.movements, recorded.movements];
  // R20: the central serves one site, so every visit it holds was made there.
  const visits = all(member.id, (r) => r.visits)
    .sort((a, b) => a.at - b.at)
    .map((v): VisitFact => ({ ...v, site: site.site.id }));
  return {
    site,
    card: {
      number: canonicalCard(c.number),
      status: c.status,
      validFrom: c.validFrom ?? null,
      validTo: c.validTo ?? null,
      memberId: member.id,
    },
    member: memberFact(member, now, site.site.bookingEarlyMinutes * 60_000),
    multipacks: member.multipacks.map((mp) =>
      multipackFact(
        site,
        mp,
        all(mp.id, (r) => r.entries),
        visits,
      ),
    ),
    visits,
    presence: presenceAt(sides, member.id, area, now),
    presentCount:
      site.areas.get(area)?.capacity === undefined || direction === "out"
        ? 0
        : heads.present(area, now, member.id),
  };
}

function memberFact(m: Member, now: number, earlyMs: number): MemberFact {
  return {
    id: m.id,
    name: m.name ?? null,
    homeSite: m.homeSite ?? null,
    codes: m.codes,
    locale: m.locale ?? null,
    cardModels: m.cardModels,
    blocks: m.blocks,
    // As the gateway loads them: the bookings that may matter at `now` (R10).
    bookings: m.bookings
      .map((b) => ({ id: b.id, area: b.area, start: Date.parse(b.start), end: Date.parse(b.end) }))
      .filter((b) => b.end > now && b.start <= now + earlyMs),
    lockdownAccess: m.lockdownAccess,
  };
}

/** R16: the multipack's totals from the entries up to now; its first use from the visits through it. */
function multipackFact(
  site: SiteModel,
  mp: Member["multipacks"][number],
  entries: Entry[],
  visits: VisitFact[],
): MultipackFact {
  let added = 0;
  let used = 0;
  for (const e of entries) {
    if (e.addition) added += e.amount;
    else used += e.amount;
  }
  const first = visits.find((v) => v.multipackId === mp.id);
  return {
    id: mp.id,
    productId: mp.product,
    purchasedAt: Date.parse(mp.purchasedAt),
    validFrom: mp.validFrom ?? null,
    validUntil: mp.validUntil ?? null,
    creditsTotal: (mp.creditsTotal ?? site.products.get(mp.product)?.credits ?? 0) + added,
    used,
    status: mp.status,
    suspensions: mp.suspensions,
    firstUseAt: first?.at ?? null,
  };
}
