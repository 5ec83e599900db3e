/**
 * sync.md "Features" and "History horizon": what the central sends a gateway is shaped by what the
 * gateway said in its hello, at publish time (the stored documents and revisions stay as they are).
 * Without `visits` a document loses `visits` and `presence`; with `historyHorizon` and a number of
 * `historyDays`, it lists visits and ledger entries only from the horizon's start, each multipack's
 * older entries folded into `ledgerBefore`. A site-wide `changes` message is shaped for the least
 * capable gateway the central knows of the site.
 */
import type { LedgerEntry, Member, Multipack } from "../config/members.js";
import { ledgerKind } from "../config/members.js";
import type { HelloMessage } from "../config/protocol/payloads.js";
import { horizonStart } from "../gateway/engine/index.js";
import type { SiteConfigDoc } from "./memberDocs.js";

/** What a gateway (or every gateway of a site) can take. */
export interface Capability {
  features: ReadonlySet<string>;
  /** Days of history it needs; null: all of it (no horizon, or none stated). */
  historyDays: number | null;
}

/** The least a gateway takes: a gateway not heard of, or one from before features. */
export const BASE_CAPABILITY: Capability = { features: new Set(), historyDays: null };

/** What one gateway said it can take in its hello. */
export function gatewayCapability(hello: HelloMessage | null): Capability {
  if (hello === null) return BASE_CAPABILITY;
  return { features: new Set(hello.features ?? []), historyDays: hello.historyDays ?? null };
}

/**
 * What every gateway of a site can take: the features they all have, and the longest horizon (one
 * without a horizon needs all history). No gateway known: the base contract.
 */
export function siteCapability(hellos: readonly HelloMessage[]): Capability {
  if (hellos.length === 0) return BASE_CAPABILITY;
  const caps = hellos.map(gatewayCapability);
  const features = new Set(
    [...(caps[0] as Capability).features].filter((f) => caps.every((c) => c.features.has(f))),
  );
  let historyDays: number | null = 0;
  for (const c of caps)
    historyDays =
      historyDays === null || c.historyDays === null ? null : Math.max(historyDays, c.historyDays);
  return { features, historyDays };
}

/**
 * Shapes published documents (JSON text) for a capability at `now`; a document with nothing to
 * shape is returned as it is, unparsed (a snapshot of a million members is mostly such documents).
 */
export function docShaper(cap: Capability, config: SiteConfigDoc, now: number): (json: string) => string {
  const strip = !cap.features.has("visits");
  const cut =
    cap.features.has("historyHorizon") && cap.historyDays !== null
      ? horizonStart(cap.historyDays, now, config.site.timezone)
      : null;
  if (!strip && cut === null) return (json) => json;
  const firstUse = new Set(
    config.products.filter((p) => p.validity !== undefined && "fromFirstUse" in p.validity).map((p) => p.id),
  );
  return (json) => {
    const mayShape =
      (strip && (json.includes('"visits"') || json.includes('"presence"'))) ||
      (cut !== null && json.includes('"at"'));
    if (!mayShape) return json;
    const doc = JSON.parse(json) as Member;
    return JSON.stringify(shapeDoc(doc, { strip, cut, firstUse }));
  };
}

/** How one document is shaped: `cut` null for full history. */
export interface Shape {
  strip: boolean;
  cut: number | null;
  /** Products whose validity runs from the first use: their ledgers are never folded. */
  firstUse: ReadonlySet<string>;
}

/** A published document as a gateway of that shape takes it. */
export function shapeDoc(doc: Member, shape: Shape): Member {
  const { visits, presence, ...rest } = doc;
  const out: Member = { ...rest };
  if (!shape.strip) {
    if (visits !== undefined)
      out.visits =
        shape.cut === null ? visits : visits.filter((v) => Date.parse(v.at) >= (shape.cut as number));
    if (presence !== undefined) out.presence = presence;
  }
  const cut = shape.cut;
  if (cut !== null)
    out.multipacks = doc.multipacks.map((mp) => (shape.firstUse.has(mp.product) ? mp : foldLedger(mp, cut)));
  return out;
}

/**
 * sync.md `ledgerBefore`: the multipack's entries before `cut` as two sums (additions in `added`,
 * every other entry in `used`, refunds negative), the later ones listed. Unchanged when none is older.
 */
export function foldLedger(mp: Multipack, cut: number): Multipack {
  // A members file may already give sums (a ledger kept elsewhere): they are added to, never lost.
  const through = Math.max(cut, mp.ledgerBefore === undefined ? cut : Date.parse(mp.ledgerBefore.through));
  const listed: LedgerEntry[] = [];
  let used = mp.ledgerBefore?.used ?? 0;
  let added = mp.ledgerBefore?.added ?? 0;
  for (const e of mp.ledger) {
    if (Date.parse(e.at) >= through) listed.push(e);
    else if (ledgerKind(e) === "addition") added += e.amount;
    else used += e.amount;
  }
  if (listed.length === mp.ledger.length) return mp;
  return { ...mp, ledger: listed, ledgerBefore: { used, added, through: new Date(through).toISOString() } };
}

/** R20: whether a site configuration has limits that only a gateway with `homeSite` decides right. */
export function usesHomeSite(config: SiteConfigDoc): boolean {
  return config.limits.some((l) => l.at !== "all");
}

/**
 * sync.md "Features": the gateways of the site, among `hellos`, that must not get `config` (it
 * uses `limits[].at` and they lack `homeSite`). Empty: it may be published.
 */
export function configRefusers(config: SiteConfigDoc, hellos: readonly HelloMessage[]): string[] {
  if (!usesHomeSite(config)) return [];
  return hellos.filter((h) => !(h.features ?? []).includes("homeSite")).map((h) => h.gatewayId);
}
