import { addDays } from "./calendar.js";
import { startOfLocalDay } from "./clock.js";
import type { MultipackFact, SiteModel } from "./types.js";
import { validityDates } from "./validity.js";

/** R18: credits one multipack gave to another when its validity ended. */
export interface Transfer {
  from: string;
  to: string;
  credits: number;
  /** The instant the source's validity ended (the start of the local day after its validUntil). */
  at: number;
  /** The source's last valid local date (validUntil, pushed by suspensions). */
  endedOn: string;
}

/** R18: what moved into and out of one multipack by `now`. */
export interface TransferNote {
  /** Credits carried over from earlier multipacks of the product, in the order they arrived. */
  received: Transfer[];
  /** The unused credits this one passed on when it ended, or null. */
  gave: Transfer | null;
}

/** A multipack of a transferring product with its end instant (null: no end yet). */
interface Link {
  mp: MultipackFact;
  end: number | null;
  endedOn: string | null;
}

/**
 * R18: the transfers of unused credits that happened by `now`, per multipack id (only multipacks
 * that gave or received appear). For a product with `transferUnused: true` and credits (unlimited
 * products move nothing): when a multipack M1 ends with r > 0 credits remaining — what it received
 * included, so a chain carries everything forward — r moves to the earliest multipack M2 of the
 * same product bought after M1 and before M1's end that has not ended by then. A pure function of
 * the facts and `now`: every gateway derives the same transfers from the same ledger, and nothing
 * is stored.
 */
export function transfersAt(
  site: SiteModel,
  multipacks: MultipackFact[],
  now: number,
): Map<string, TransferNote> {
  const notes = new Map<string, TransferNote>();
  const byProduct = new Map<string, Link[]>();
  for (const mp of multipacks) {
    const product = site.products.get(mp.productId);
    if (!product?.transferUnused || product.credits === 0) continue;
    const until = validityDates(mp, product, site.zone).until;
    const link = {
      mp,
      end: until === null ? null : startOfLocalDay(addDays(until, 1), site.zone),
      endedOn: until,
    };
    byProduct.set(mp.productId, [...(byProduct.get(mp.productId) ?? []), link]);
  }
  for (const links of byProduct.values()) chainTransfers(links, now, notes);
  return notes;
}

/** R18 along one product's multipacks, in the order their validities end. */
function chainTransfers(links: Link[], now: number, notes: Map<string, TransferNote>): void {
  const bought = [...links].sort(
    (a, b) => a.mp.purchasedAt - b.mp.purchasedAt || (a.mp.id < b.mp.id ? -1 : a.mp.id > b.mp.id ? 1 : 0),
  );
  const ended = bought
    .filter((l) => l.end !== null && l.end <= now)
    .sort((a, b) => (a.end as number) - (b.end as number));
  const received = new Map<string, number>();
  for (const source of ended) {
    const end = source.end as number;
    const remaining = source.mp.creditsTotal + (received.get(source.mp.id) ?? 0) - source.mp.used;
    if (remaining <= 0) continue;
    const later = bought.slice(bought.indexOf(source) + 1);
    const target = later.find((l) => l.mp.purchasedAt < end && (l.end === null || l.end > end));
    if (!target) continue;
    const t: Transfer = {
      from: source.mp.id,
      to: target.mp.id,
      credits: remaining,
      at: end,
      endedOn: source.endedOn as string,
    };
    received.set(target.mp.id, (received.get(target.mp.id) ?? 0) + remaining);
    noteOf(notes, source.mp.id).gave = t;
    noteOf(notes, target.mp.id).received.push(t);
  }
}

function noteOf(notes: Map<string, TransferNote>, id: string): TransferNote {
  let note = notes.get(id);
  if (!note) {
    note = { received: [], gave: null };
    notes.set(id, note);
  }
  return note;
}

/**
 * R18: the multipacks as the rules see them after the transfers: a receiver's total grows by what it
 * received, a giver's remaining becomes 0 (its total stays: `0/10`). New objects; the facts are
 * not changed.
 */
export function withTransfers(
  multipacks: MultipackFact[],
  notes: Map<string, TransferNote>,
): MultipackFact[] {
  if (notes.size === 0) return multipacks;
  return multipacks.map((mp) => {
    const note = notes.get(mp.id);
    if (!note) return mp;
    const received = note.received.reduce((sum, t) => sum + t.credits, 0);
    return { ...mp, creditsTotal: mp.creditsTotal + received, used: mp.used + (note.gave?.credits ?? 0) };
  });
}

/** R18 in words for the trace and `balance`: what was carried over into and out of a multipack. */
export function transferWords(note: TransferNote): string {
  const words = note.received.map(
    (t) =>
      `${t.credits} credit${t.credits === 1 ? "" : "s"} carried over from ${t.from}, which ended ${t.endedOn}`,
  );
  const g = note.gave;
  if (g) words.push(`ended ${g.endedOn} with ${g.credits} unused, moved to ${g.to}`);
  return `${words.join("; ")} (R18)`;
}
