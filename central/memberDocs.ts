/**
 * Member documents as the central publishes them (sync.md "Credits across gateways", "Sites with
 * several gateways"): the member from the files with each multipack's ledger extended by the entries
 * gateways reported in events, so one gateway's usage reaches the others, and with the member's
 * visits and presence, so its free visits and movements do too. Pure functions, no store.
 */
import type { z } from "zod";
import type { LedgerEntry, Member, Presence, Visit } from "../config/members.js";
import { ledgerKind } from "../config/members.js";
import type { EventLedgerEntry } from "../config/protocol/events.js";
import type { SiteConfigDocument } from "../config/protocol/payloads.js";

/** The site configuration as the central publishes it (the parsed SiteConfigDocument). */
export type SiteConfigDoc = z.infer<typeof SiteConfigDocument>;

/**
 * What a published document may name and still pass the gateway's checks: the config's areas and
 * access types; and the config's site, the site of the visits made here.
 */
export interface KnownIds {
  site: string;
  areas: ReadonlySet<string>;
  accessTypes: ReadonlySet<string>;
}

/** The site, areas and access types of a config. */
export function knownIds(config: SiteConfigDoc): KnownIds {
  return {
    site: config.site.id,
    areas: new Set(config.areas.map((a) => a.id)),
    accessTypes: new Set(config.accessTypes.map((t) => t.id)),
  };
}

/**
 * A received entry as it is echoed inside a member document: without its `multipackId`, and without
 * an area or access type the config no longer has (the gateway refuses a member document that names
 * an unknown one, which would refuse every later change carrying that member).
 */
export function echoEntry(e: EventLedgerEntry, known: KnownIds): LedgerEntry {
  const { multipackId: _multipack, area, accessType, ...rest } = e;
  return {
    ...rest,
    ...(area !== undefined && known.areas.has(area) ? { area } : {}),
    ...(accessType !== undefined && known.accessTypes.has(accessType) ? { accessType } : {}),
  };
}

/** Ledger entries or visits in publishing order: by instant, then by id. */
export function sortByInstant<T extends { id: string; at: string }>(entries: T[]): T[] {
  return entries
    .map((e) => ({ e, at: Date.parse(e.at) }))
    .sort((a, b) => a.at - b.at || (a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0))
    .map((x) => x.e);
}

/** What the central derived from the events it stored for one member (memberHistory.ts). */
export interface MemberHistory {
  visits: Visit[];
  presence: Presence[];
}

/**
 * The published document: `base` with each multipack's ledger = the union by entry id of the file's
 * entries and `received(multipackId)` (the file's entry wins when both have an id), sorted; and with
 * `visits` and `presence` always present (see `publishedVisits`, `publishedPresence`).
 */
export function publishedDoc(
  base: Member,
  received: (multipackId: string) => LedgerEntry[],
  history: MemberHistory,
  known: KnownIds,
): Member {
  return {
    ...base,
    multipacks: base.multipacks.map((mp) => {
      const ids = new Set(mp.ledger.map((e) => e.id));
      const more = received(mp.id).filter((e) => !ids.has(e.id));
      return { ...mp, ledger: sortByInstant([...mp.ledger, ...more]) };
    }),
    visits: publishedVisits(base, history.visits, known.site),
    presence: publishedPresence(base.presence ?? [], history.presence, known.areas),
  };
}

/**
 * The member's visits by id, sorted by instant then id: the usage entries with an area of the file's
 * ledger (the gateway counts those as visits here too), the file's own `visits`, then the ones
 * derived from events, each later source replacing an earlier one of the same id except that
 * `undone` is sticky: undone in any source, undone in the document.
 */
export function publishedVisits(base: Member, derived: Visit[], site: string): Visit[] {
  const byId = new Map<string, Visit>();
  const put = (v: Visit) => {
    const undone = v.undone || byId.get(v.id)?.undone === true;
    byId.set(v.id, { ...v, undone });
  };
  for (const mp of base.multipacks)
    for (const e of mp.ledger)
      if (e.area !== undefined && ledgerKind(e) === "usage")
        put({
          id: e.id,
          site,
          at: e.at,
          area: e.area,
          accessType: e.accessType ?? null,
          multipack: mp.id,
          product: mp.product,
          credits: e.amount,
          undone: false,
        });
  for (const v of base.visits ?? []) put(v);
  for (const v of derived) put(v);
  return sortByInstant([...byId.values()]);
}

/**
 * R11, R12: per area the config has (a movement in an area it no longer has means nothing), the
 * derived presence, or the file's when it is later; sorted by area.
 */
export function publishedPresence(
  file: Presence[],
  derived: Presence[],
  areas: ReadonlySet<string>,
): Presence[] {
  const byArea = new Map<string, Presence>();
  for (const p of file) byArea.set(p.area, p);
  for (const p of derived) {
    const f = byArea.get(p.area);
    if (f === undefined || Date.parse(f.at) <= Date.parse(p.at)) byArea.set(p.area, p);
  }
  return [...byArea.values()]
    .filter((p) => areas.has(p.area))
    .sort((a, b) => (a.area < b.area ? -1 : a.area > b.area ? 1 : 0));
}

/**
 * R16: a multipack's remaining credits in a published document — creditsTotal (the multipack's, else
 * its product's) raised by additions, minus every other entry. Null when the member has no such
 * multipack, or when it is unlimited (a product of 0 credits), as `accessgw balance` shows it. The
 * ledger's count only: R18 transfers, which gateways derive at a given instant, are not applied.
 */
export function creditsRemaining(doc: Member, multipackId: string, config: SiteConfigDoc): number | null {
  const mp = doc.multipacks.find((m) => m.id === multipackId);
  if (mp === undefined) return null;
  const product = config.products.find((p) => p.id === mp.product);
  if (product === undefined || product.credits === 0) return null;
  let total = mp.creditsTotal ?? product.credits;
  let used = 0;
  for (const e of mp.ledger) {
    if (ledgerKind(e) === "addition") total += e.amount;
    else used += e.amount;
  }
  return total - used;
}
