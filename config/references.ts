import { validityEndProblem } from "./bounds.js";
import { canonicalCard } from "./cardNumber.js";
import type { LoadedFile } from "./dataFile.js";
import type { Member, Multipack } from "./members.js";
import { recordAt } from "./recordPath.js";
import type { Product, SiteConfig } from "./site.js";

type Kind = "areas" | "accessTypes" | "products" | "limits" | "cardModels";
const KINDS: Kind[] = ["areas", "accessTypes", "products", "limits", "cardModels"];
const SINGULAR: Record<Kind, string> = {
  areas: "area",
  accessTypes: "access type",
  products: "product",
  limits: "limit",
  cardModels: "card model",
};

/** Merges stored configuration with the files' sections, later files winning by id (upsert). */
export function mergeSiteConfig(stored: SiteConfig | null, files: LoadedFile[]): SiteConfig | null {
  let site = stored?.site ?? null;
  const maps = Object.fromEntries(
    KINDS.map((k) => [k, new Map((stored?.[k] ?? []).map((r: { id: string }) => [r.id, r]))]),
  ) as Record<Kind, Map<string, { id: string }>>;
  for (const f of files) {
    if (f.data.site) site = f.data.site;
    for (const k of KINDS) for (const r of f.data[k] ?? []) maps[k].set(r.id, r);
  }
  if (!site) return null;
  return {
    site,
    areas: [...maps.areas.values()],
    accessTypes: [...maps.accessTypes.values()],
    products: [...maps.products.values()],
    limits: [...maps.limits.values()],
    cardModels: [...maps.cardModels.values()],
  } as SiteConfig;
}

/** Cross-reference checks over the files and what is stored; returns problems naming file and path. */
export function checkReferences(
  files: LoadedFile[],
  stored: SiteConfig | null,
  multipackOwner?: (multipackId: string) => string | undefined,
): string[] {
  const problems: string[] = [];
  const merged = mergeSiteConfig(stored, files);
  const hasConfigSections = files.some((f) => KINDS.some((k) => f.data[k]) || f.data.members);
  if (!merged && hasConfigSections) {
    const f = files[0] as LoadedFile;
    problems.push(`${f.name}: site: missing (no site is stored yet: the first import needs a site section)`);
    return problems;
  }
  if (!merged) return problems;

  const areas = new Set(merged.areas.map((a) => a.id));
  const accessTypes = new Map(merged.accessTypes.map((a) => [a.id, a]));
  const products = new Map(merged.products.map((p) => [p.id, p]));
  const declaredModels = new Set(merged.cardModels.map((m) => m.id));
  const unknown = (what: string, id: string) => `unknown ${what} "${id}"`;

  // Duplicates across the files of one import.
  for (const k of KINDS) {
    const seen = new Map<string, string>();
    for (const f of files)
      (f.data[k] ?? []).forEach((r: { id: string }, i: number) => {
        const where = `${f.name}: ${recordAt(k, i, r)}.id`;
        const first = seen.get(r.id);
        if (first) problems.push(`${where}: duplicate ${SINGULAR[k]} id "${r.id}" (first at ${first})`);
        else seen.set(r.id, `${f.name}: ${recordAt(k, i, r)}`);
      });
  }

  for (const f of files) {
    const at = (path: string, msg: string) => problems.push(`${f.name}: ${path}: ${msg}`);
    f.data.areas?.forEach((a, i) => {
      if (a.antiPassback?.mode === "timed" && !a.antiPassback.minutes)
        at(`${recordAt("areas", i, a)}.antiPassback.minutes`, 'missing (required when mode is "timed")');
    });
    f.data.accessTypes?.forEach((t, i) => {
      t.areas.forEach((a, j) => {
        if (!areas.has(a)) at(`${recordAt("accessTypes", i, t)}.areas[${j}]`, unknown("area", a));
      });
    });
    f.data.products?.forEach((p, i) => {
      const product = recordAt("products", i, p);
      const seenTypes = new Set<string>();
      p.items.forEach((item, j) => {
        const t = accessTypes.get(item.accessType);
        const itemAt = `${product}.${recordAt("items", j, item)}`;
        if (!t) at(`${itemAt}.accessType`, unknown("access type", item.accessType));
        else if (t.requiresCardModel && p.cardModels.length === 0)
          at(
            `${product}.cardModels`,
            `access type "${t.id}" requires a card model but the product lists none`,
          );
        if (seenTypes.has(item.accessType))
          at(`${itemAt}.accessType`, `access type "${item.accessType}" is listed twice`);
        seenTypes.add(item.accessType);
        if (item.allowance?.period === "chargePeriod" && !p.chargePeriod)
          at(`${itemAt}.allowance.period`, "chargePeriod used but the product has no chargePeriod");
      });
      p.cardModels.forEach((m, j) => {
        if (declaredModels.size > 0 && !declaredModels.has(m))
          at(`${product}.cardModels[${j}]`, unknown("card model", m));
      });
    });
    f.data.limits?.forEach((l, i) => {
      const limit = recordAt("limits", i, l);
      l.accessTypes.forEach((a, j) => {
        if (!accessTypes.has(a)) at(`${limit}.accessTypes[${j}]`, unknown("access type", a));
      });
      l.areas.forEach((a, j) => {
        if (!areas.has(a)) at(`${limit}.areas[${j}]`, unknown("area", a));
      });
      l.products.forEach((p, j) => {
        if (!products.has(p)) at(`${limit}.products[${j}]`, unknown("product", p));
      });
    });
  }
  const check = memberChecker(merged, seenInMemory(), multipackOwner);
  for (const f of files)
    for (const [i, m] of (f.data.members ?? []).entries()) problems.push(...check(f.name, i, m));
  return problems;
}

/**
 * Where each id of an import was first seen, by kind (member id, card number…): `once` records a
 * place and returns the first one when the id was seen before. In memory here; a streamed import
 * keeps it on disk.
 */
export interface SeenIds {
  once(kind: string, key: string, where: string): string | undefined;
}

/** SeenIds in maps, for imports held in memory. */
export function seenInMemory(): SeenIds {
  const kinds = new Map<string, Map<string, string>>();
  return {
    once(kind, key, where) {
      let seen = kinds.get(kind);
      if (!seen) {
        seen = new Map();
        kinds.set(kind, seen);
      }
      const first = seen.get(key);
      if (first === undefined) seen.set(key, where);
      return first;
    },
  };
}

/** What a member is checked against. */
interface Known {
  areas: Set<string>;
  accessTypes: Map<string, unknown>;
  products: Map<string, Product>;
  knownModels: Set<string>;
  /** The site's time zone: a purchase's local date starts its validity (R2). */
  zone: string;
  /** R20: this site's id; a chain's other sites have areas and access types of their own. */
  siteId: string;
}

/**
 * The checks of one member against the merged configuration and the members before it in the same
 * import (ids and card numbers given twice): a function of file name, index and member.
 */
export function memberChecker(
  merged: SiteConfig,
  seen: SeenIds,
  multipackOwner?: (multipackId: string) => string | undefined,
): (file: string, index: number, m: Member) => string[] {
  const known: Known = {
    areas: new Set(merged.areas.map((a) => a.id)),
    accessTypes: new Map(merged.accessTypes.map((a) => [a.id, a])),
    products: new Map(merged.products.map((p) => [p.id, p])),
    knownModels: new Set([
      ...merged.cardModels.map((m) => m.id),
      ...merged.products.flatMap((p) => p.cardModels),
    ]),
    zone: merged.site.timezone,
    siteId: merged.site.id,
  };
  return (file, i, m) => {
    const problems: string[] = [];
    const once = (kind: string, key: string, where: string) => {
      const first = seen.once(kind, key, where);
      if (first !== undefined) problems.push(`${where}: duplicate ${kind} "${key}" (first at ${first})`);
    };
    const base = `${file}: ${recordAt("members", i, m)}`;
    once("member id", m.id, `${base}.id`);
    m.cards.forEach((c, j) => {
      once("card number", canonicalCard(c.number), `${base}.${recordAt("cards", j, c)}.number`);
    });
    m.cardModels.forEach((cm, j) => {
      if (!known.knownModels.has(cm.model))
        problems.push(`${base}.${recordAt("cardModels", j, cm)}.model: unknown card model "${cm.model}"`);
    });
    m.bookings.forEach((b, j) => {
      const booking = `${base}.${recordAt("bookings", j, b)}`;
      once("booking id", b.id, `${booking}.id`);
      if (!known.areas.has(b.area)) problems.push(`${booking}.area: unknown area "${b.area}"`);
    });
    // R20: the usage entry of a visit at another site of the chain names that site's area.
    const away = new Set(m.visits?.filter((v) => v.site !== known.siteId).map((v) => v.id));
    m.multipacks.forEach((mp, j) => {
      problems.push(
        ...multipackProblems(
          `${base}.${recordAt("multipacks", j, mp)}`,
          { memberId: m.id, away },
          mp,
          known,
          once,
          multipackOwner,
        ),
      );
    });
    return problems;
  };
}

function multipackProblems(
  mpBase: string,
  { memberId, away }: { memberId: string; away: Set<string> },
  mp: Multipack,
  known: Known,
  once: (kind: string, key: string, where: string) => void,
  multipackOwner?: (multipackId: string) => string | undefined,
): string[] {
  const problems: string[] = [];
  once("multipack id", mp.id, `${mpBase}.id`);
  const owner = multipackOwner?.(mp.id);
  if (owner !== undefined && owner !== memberId)
    problems.push(`${mpBase}.id: multipack "${mp.id}" already belongs to member "${owner}"`);
  const product = known.products.get(mp.product);
  if (!product) problems.push(`${mpBase}.product: unknown product "${mp.product}"`);
  const end = product && validityEndProblem(mp, product.validity, known.zone);
  if (end) problems.push(`${mpBase}: ${end}`);
  if (mp.validFrom && mp.validUntil && mp.validFrom > mp.validUntil)
    problems.push(`${mpBase}.validUntil: before validFrom (${mp.validUntil} < ${mp.validFrom})`);
  mp.ledger.forEach((e, k) => {
    const entry = `${mpBase}.${recordAt("ledger", k, e)}`;
    once("ledger entry id", e.id, `${entry}.id`);
    if (away.has(e.id)) return;
    if (e.area && !known.areas.has(e.area)) problems.push(`${entry}.area: unknown area "${e.area}"`);
    if (e.accessType && !known.accessTypes.has(e.accessType))
      problems.push(`${entry}.accessType: unknown access type "${e.accessType}"`);
  });
  return problems;
}
