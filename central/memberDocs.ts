/**
 * Member documents as the central publishes them (sync.md "Credits across gateways"): the member
 * from the files with each multipack's ledger extended by the entries gateways reported in events,
 * so one gateway's usage reaches the others. Pure functions, no store.
 */
import type { z } from "zod";
import type { LedgerEntry, Member } from "../config/members.js";
import { ledgerKind } from "../config/members.js";
import type { EventLedgerEntry } from "../config/protocol/events.js";
import type { SiteConfigDocument } from "../config/protocol/payloads.js";

/** The site configuration as the central publishes it (the parsed SiteConfigDocument). */
export type SiteConfigDoc = z.infer<typeof SiteConfigDocument>;

/** What a ledger entry may name and still pass the gateway's checks: the config's areas and access types. */
export interface KnownIds {
  areas: ReadonlySet<string>;
  accessTypes: ReadonlySet<string>;
}

/** The areas and access types of a config. */
export function knownIds(config: SiteConfigDoc): KnownIds {
  return {
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

/** Ledger entries in publishing order: by instant, then by id. */
export function sortLedger(entries: LedgerEntry[]): LedgerEntry[] {
  return entries
    .map((e) => ({ e, at: Date.parse(e.at) }))
    .sort((a, b) => a.at - b.at || (a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0))
    .map((x) => x.e);
}

/**
 * The published document: `base` with each multipack's ledger = the union by entry id of the file's
 * entries and `received(multipackId)` (the file's entry wins when both have an id), sorted.
 */
export function publishedDoc(base: Member, received: (multipackId: string) => LedgerEntry[]): Member {
  return {
    ...base,
    multipacks: base.multipacks.map((mp) => {
      const ids = new Set(mp.ledger.map((e) => e.id));
      const more = received(mp.id).filter((e) => !ids.has(e.id));
      return { ...mp, ledger: sortLedger([...mp.ledger, ...more]) };
    }),
  };
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
