import type { StagedReason } from "../../config/protocol/reasons.js";
import type { AccessType, Item, Product } from "../../config/site.js";
import { type LocalNow, localNow } from "./clock.js";
import { type OfflineState, offlineState } from "./offline.js";
import { type TransferNote, transfersAt, withTransfers } from "./transfer.js";
import type { Facts, MultipackFact, VisitFact } from "./types.js";
import type { ValidityDates } from "./validity.js";

/** Per-decision working state shared by the rule functions. */
export interface Ctx {
  facts: Facts;
  now: LocalNow;
  area: string;
  visits: VisitFact[];
  cache: Map<string, number>;
  /** Whether the cache is stale under sync.offline (computed once per decision). */
  offline: OfflineState;
  /** R18: the transfers of unused credits by `now`, per multipack id (already in `facts.multipacks`). */
  transfers: Map<string, TransferNote>;
}

/**
 * The working state of one decision (or balance) at `now`: visits after `now` are ignored, and the
 * multipacks are seen with the credits R18 moved between them by `now`.
 */
export function makeCtx(facts: Facts, now: number, area: string, offline: Facts["offline"]): Ctx {
  const transfers = transfersAt(facts.site, facts.multipacks, now);
  return {
    facts: { ...facts, multipacks: withTransfers(facts.multipacks, transfers) },
    now: localNow(now, facts.site.zone),
    area,
    visits: facts.visits.filter((v) => v.at <= now),
    cache: new Map(),
    offline: offlineState(offline, now),
    transfers,
  };
}

/** A (usable multipack, matching item) pair that survived R2–R8 (R4). */
export interface Candidate {
  mp: MultipackFact;
  product: Product;
  item: Item;
  accessType: AccessType;
  cost: number;
  reentry: boolean;
  remaining: number;
  dates: ValidityDates;
}

/** What a rule says when a multipack or candidate does not pass it. */
export interface RuleFailure {
  /** R13: a reason with a stage (config/protocol/reasons.ts). */
  reason: StagedReason;
  /** Human words for a technician: which rule, which numbers. */
  detail: string;
  /** Suspension end, allowance/limit period, remaining credits… */
  info?: {
    until?: string;
    count?: number;
    period?: string;
    remaining?: number;
    total?: number;
    modelIds?: string[];
    /** R19: the member codes an item asks for. */
    codes?: string[];
  };
}

/** A multipack or candidate that did not survive, with what a message needs. */
export interface Failure extends RuleFailure {
  mp: MultipackFact;
  product: Product;
  accessType: AccessType | null;
  dates?: ValidityDates;
}
