/**
 * Small builders shared by the engine unit tests: a Rome site from a few lines of config, multipacks
 * and visits from local wall times, and `scan()` = `decide()` on card "100" at a local time.
 */
import { decide } from "../../gateway/engine/decide.js";
import type { Decision, MultipackFact, SiteModel, VisitFact } from "../../gateway/engine/types.js";
import { at, facts, multipack, req, siteModel } from "../helpers/build.js";

/** Every day key, holidays included. */
export const EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "hol"];
/** A window open around the clock on every day. */
export const ALWAYS = { days: EVERY_DAY, from: "00:00", to: "24:00" };

/** The facts a test describes (member card "100", name Ada Lovelace unless given). */
export type FactsInput = Parameters<typeof facts>[1];

interface AccessTypeInput {
  id: string;
  areas: string[];
  windows?: unknown[];
  [k: string]: unknown;
}

/**
 * A site in Europe/Rome. Areas default to the ones the access types name; an access type without
 * windows is open around the clock.
 */
export function rome(p: {
  site?: Record<string, unknown>;
  areas?: Record<string, unknown>[];
  accessTypes: AccessTypeInput[];
  products: Record<string, unknown>[];
  limits?: Record<string, unknown>[];
}): SiteModel {
  const areaIds = [...new Set(p.accessTypes.flatMap((t) => t.areas))];
  const given = new Set((p.areas ?? []).map((a) => a.id));
  return siteModel({
    site: { id: ROME_SITE, timezone: "Europe/Rome", ...p.site },
    areas: [...(p.areas ?? []), ...areaIds.filter((id) => !given.has(id)).map((id) => ({ id }))],
    accessTypes: p.accessTypes.map((t) => ({ windows: [ALWAYS], ...t })),
    products: p.products,
    limits: p.limits ?? [],
  });
}

/** A product with one item per access type (cost `credits` each, priority 1). */
export function product(
  id: string,
  credits: number,
  accessTypes: string[],
  extra: Record<string, unknown> = {},
  itemCredits = 1,
): Record<string, unknown> {
  return {
    id,
    credits,
    items: accessTypes.map((accessType) => ({ accessType, credits: itemCredits, priority: 1 })),
    ...extra,
  };
}

/** A multipack bought at a local (Rome) wall time. */
export function mp(
  id: string,
  productId: string,
  purchasedLocal: string,
  extra: Partial<MultipackFact> = {},
): MultipackFact {
  return multipack({ id, productId, purchasedAt: at(purchasedLocal), ...extra });
}

/** The site `rome()` builds: local visits are made there (R20). */
export const ROME_SITE = "rome-center";

/** A counted visit (R5, R7, R8) at a local (Rome) wall time, at the Rome site unless `site` is given (R20). */
export function visit(
  atLocal: string,
  p: Partial<VisitFact> & { multipackId: string | null; area: string },
): VisitFact {
  return {
    id: `v-${atLocal}-${p.multipackId}-${p.area}`,
    productId: null,
    accessTypeId: null,
    site: ROME_SITE,
    credits: 1,
    at: at(atLocal),
    ...p,
  };
}

/** decide() for card "100" at `area`, at a local wall time (string) or an instant (ms). */
export function scan(
  site: SiteModel,
  f: FactsInput,
  when: string | number,
  area = "gym",
  direction: "in" | "out" = "in",
  card = "100",
): Decision {
  const now = typeof when === "number" ? when : at(when);
  return decide(req(area, direction, card), facts(site, f), now);
}

/** The reasons of the trace rows, in order. */
export function traceReasons(d: Decision): string[] {
  return d.trace.map((r) => `${r.multipackId ?? "-"}/${r.accessTypeId ?? "-"}:${r.outcome}:${r.reason}`);
}
