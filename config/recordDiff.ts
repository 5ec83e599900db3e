/**
 * What changed between two versions of a record (issue 10 §7), as change records by id: pure
 * functions over plain documents (the stored version and the new one), no store and no clock.
 * Lists inside a record are matched by what identifies their elements (a window by its days and
 * times, an item by its access type, a card by its number…), so a reordered list is no change.
 */
import { isDeepStrictEqual } from "node:util";
import { canonicalCard, maskCard } from "./cardNumber.js";
import type { Change, ChangeKind, ChangeSet } from "./changeSet.js";
import type { SiteConfig } from "./site.js";

/** How the elements of one list field are matched and named. */
interface ListRule {
  part: string;
  /** What identifies an element (two elements with the same identity are the same element). */
  identity: (el: never) => string;
  /** How the element is named in a change; the identity when absent. */
  label?: (el: never) => string;
  /** Fields that make up the identity (not compared again), and fields not compared at all. */
  skip?: readonly string[];
  /** The element is its identity (a string, a window): it is added or removed, never changed. */
  whole?: boolean;
}

const text = (el: never) => String(el);
const ids: Pick<ListRule, "identity" | "skip"> = { identity: (el: { id: string }) => el.id, skip: ["id"] };

/** A window by its days and times: `tue 07:00–09:00`. */
function windowKey(w: { days: string[]; from: string; to: string }): string {
  return `${w.days.join(",")} ${w.from}–${w.to}`;
}

const LISTS: Record<ChangeKind, Record<string, ListRule>> = {
  site: { holidays: { part: "holiday", identity: text, whole: true } },
  areas: {},
  accessTypes: {
    areas: { part: "area", identity: text, whole: true },
    windows: { part: "window", identity: windowKey, whole: true },
  },
  products: {
    items: { part: "item", identity: (i: { accessType: string }) => i.accessType, skip: ["accessType"] },
    cardModels: { part: "card model", identity: text, whole: true },
  },
  limits: {
    accessTypes: { part: "access type", identity: text, whole: true },
    areas: { part: "area", identity: text, whole: true },
    products: { part: "product", identity: text, whole: true },
  },
  cardModels: {},
  members: {
    codes: { part: "code", identity: text, whole: true },
    // A card by its canonical number (R1), named by its last 4 digits only: changes reach the log.
    cards: {
      part: "card",
      identity: (c: { number: string }) => canonicalCard(c.number),
      label: (c: { number: string }) => maskCard(canonicalCard(c.number)),
      skip: ["number"],
    },
    cardModels: { part: "card model", identity: (c: { model: string }) => c.model, skip: ["model"] },
    // R16: ledgers merge by entry id and are counted apart; a multipack a file leaves out is kept.
    multipacks: { part: "multipack", ...ids, skip: ["id", "ledger"] },
    bookings: { part: "booking", ...ids },
    blocks: {
      part: "block",
      identity: (b: { reason: string; from: string }) => `${b.reason} from ${b.from}`,
      skip: ["reason", "from"],
    },
  },
};

type Doc = Record<string, unknown>;

/**
 * The changes from `before` to `after` of one record of `kind` (either may be absent: added or
 * removed). For members, multipacks only in `before` are not reported: an import keeps them, and
 * sync reports the ones it drops itself.
 */
export function diffRecord(
  kind: ChangeKind,
  id: string,
  before: Doc | undefined,
  after: Doc | undefined,
): Change[] {
  if (before === undefined) return after === undefined ? [] : [{ kind, id, op: "added" }];
  if (after === undefined) return [{ kind, id, op: "removed" }];
  const changes: Change[] = [];
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (field === "id") continue;
    const rule = LISTS[kind][field];
    const [b, a] = [before[field], after[field]];
    if (rule)
      changes.push(
        ...diffList(kind, id, rule, asList(b), asList(a), kind === "members" && field === "multipacks"),
      );
    else if (!same(b, a)) changes.push({ kind, id, op: "changed", field, from: b, to: a });
  }
  return changes;
}

function diffList(
  kind: ChangeKind,
  id: string,
  rule: ListRule,
  before: unknown[],
  after: unknown[],
  keepsMissing: boolean,
): Change[] {
  const identity = rule.identity as (el: unknown) => string;
  const label = (rule.label ?? rule.identity) as (el: unknown) => string;
  const old = new Map(before.map((el) => [identity(el), el]));
  const changes: Change[] = [];
  const seen = new Set<string>();
  for (const el of after) {
    const key = identity(el);
    seen.add(key);
    const was = old.get(key);
    if (was === undefined) changes.push({ kind, id, op: "added", part: rule.part, key: label(el) });
    else if (!rule.whole) changes.push(...diffFields(kind, id, rule, label(el), was as Doc, el as Doc));
  }
  if (!keepsMissing)
    for (const [key, el] of old)
      if (!seen.has(key)) changes.push({ kind, id, op: "removed", part: rule.part, key: label(el) });
  return changes;
}

function diffFields(
  kind: ChangeKind,
  id: string,
  rule: ListRule,
  key: string,
  before: Doc,
  after: Doc,
): Change[] {
  const changes: Change[] = [];
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (rule.skip?.includes(field) || same(before[field], after[field])) continue;
    changes.push({
      kind,
      id,
      op: "changed",
      part: rule.part,
      key,
      field,
      from: before[field],
      to: after[field],
    });
  }
  return changes;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Equal as stored: a field left out and one given as null or undefined are the same. */
function same(a: unknown, b: unknown): boolean {
  return (a ?? null) === (b ?? null) || isDeepStrictEqual(a, b);
}

/** The site sections whose records have ids, with their kind. */
const RECORD_KINDS = ["areas", "accessTypes", "products", "limits", "cardModels"] as const;

/**
 * A whole configuration against the stored one (sync.md config: applied whole, so a record the new
 * one leaves out is removed): the site's own fields, then each kind's records by id.
 */
export function diffSiteConfig(before: SiteConfig | null, after: SiteConfig, changes: ChangeSet): void {
  for (const record of siteConfigChanges(before, after)) changes.add(record.kind, record.changes);
}

/**
 * The changes of `diffSiteConfig`, record by record (records that did not change are left out), in
 * the order of the sections: the site, then areas, access types, products, limits, card models.
 */
export function siteConfigChanges(
  before: SiteConfig | null,
  after: SiteConfig,
): { kind: ChangeKind; id: string; changes: Change[] }[] {
  const out: { kind: ChangeKind; id: string; changes: Change[] }[] = [];
  const push = (kind: ChangeKind, id: string, changes: Change[]) => {
    if (changes.length > 0) out.push({ kind, id, changes });
  };
  push("site", after.site.id, diffRecord("site", after.site.id, plain(before?.site), plain(after.site)));
  for (const kind of RECORD_KINDS) {
    const old = new Map((before?.[kind] ?? []).map((r) => [r.id, r]));
    for (const r of after[kind]) {
      push(kind, r.id, diffRecord(kind, r.id, plain(old.get(r.id)), plain(r)));
      old.delete(r.id);
    }
    for (const [id] of old) push(kind, id, [{ kind, id, op: "removed" }]);
  }
  return out;
}

/** A parsed record as it is stored (JSON): fields given as undefined are left out. */
export function plain(r: object | undefined): Doc | undefined {
  return r === undefined ? undefined : (JSON.parse(JSON.stringify(r)) as Doc);
}
