import { canonicalCard } from "../config/cardNumber.js";
import { AccessGwError } from "../config/errors.js";
import type { SiteConfig } from "../config/site.js";
import { remoteOpenDecision, staffOverride } from "./engine/doorModes.js";
import {
  balances,
  compileSite,
  decide,
  historyStart,
  localNow,
  type MultipackBalance,
} from "./engine/index.js";
import { deny, newDecision } from "./engine/outcome.js";

import type { Decision, DecisionRequest, Facts, OfflineFact, SiteModel } from "./engine/types.js";
import { type Store, syncState } from "./store/db.js";
import { type RecordedEvent, recordDecision, type StaffAction } from "./store/events.js";
import {
  countPresent,
  findCard,
  loadHolder,
  loadMember,
  loadMultipacks,
  loadPresence,
  loadVisits,
} from "./store/facts.js";
import { type PassageWait, presenceBeforeGrant, recordPassageWait } from "./store/passages.js";

const compiled = new WeakMap<SiteConfig, SiteModel>();

/** The stored site, compiled for the engine; refuses when no site has been imported yet. */
export function siteModel(store: Store): SiteModel {
  const config = store.siteConfig();
  if (!config)
    throw new AccessGwError(
      "NO_SITE",
      `no site configuration in ${store.dir}: run "accessgw import site.yaml" first`,
    );
  let model = compiled.get(config);
  if (!model) {
    model = compileSite(config);
    compiled.set(config, model);
  }
  return model;
}

/** Loads everything one decision needs for the scanned card, and nothing more. */
export function loadFacts(store: Store, site: SiteModel, req: DecisionRequest, now: number): Facts {
  const { card, member } = loadHolder(
    store,
    canonicalCard(req.card),
    now,
    site.site.bookingEarlyMinutes * 60_000,
  );
  const empty: Facts = {
    site,
    card,
    member: null,
    multipacks: [],
    visits: [],
    presence: null,
    presentCount: 0,
  };
  if (!card || !member) return empty;
  // R11: an exit looks at the card and the member only.
  if (req.direction === "out") return { ...empty, member };
  const multipacks = loadMultipacks(store, site, member.id);
  const ln = localNow(now, site.zone);
  const visits = loadVisits(store, member.id, historyStart(site, multipacks, now, ln), site.site.id);
  const presence = loadPresence(store, member.id, req.area);
  const area = site.areas.get(req.area);
  const presentCount =
    area?.capacity !== undefined && req.direction === "in"
      ? countPresent(store, req.area, ln.startOfDay, now, member.id)
      : 0;
  return { site, card, member, multipacks, visits, presence, presentCount };
}

/** Checks that the area exists in the site (bad input otherwise). */
function checkArea(site: SiteModel, area: string): void {
  if (!site.areas.has(area))
    throw new AccessGwError(
      "UNKNOWN_AREA",
      `unknown area "${area}" (the site has: ${[...site.areas.keys()].join(", ") || "no areas"})`,
    );
}

/** sync.offline of a gateway that syncs (`sync.enabled`); without it the cache is always trusted. */
export type OfflinePolicy = Omit<OfflineFact, "lastSyncAt">;

/** How a decision is taken beyond its request: the offline policy of a gateway that syncs. */
export interface DecideOptions {
  /**
   * Given (even with the defaults) for a gateway with `sync.enabled`: its cache is judged by its last
   * sync, and an empty cache (no site yet) denies every scan `unknown_card` instead of failing.
   */
  offline?: OfflinePolicy | null;
  /** A door pulse follows a grant (a reader with a door): the grant records it pending (store/pulses.ts). */
  door?: boolean;
  /** Hears the error of a decision that failed and was recorded as a deny `error` (the daemon logs it). */
  onError?: (err: unknown) => void;
  /** doors.md D2: a grant waits for its passage (the door has a passage input for its direction). */
  passage?: PassageWait;
  /** doors.md D5: staff decided by hand (admit): recorded with operator and reason. */
  staff?: StaffAction;
  /** D5 admit --multipack: only this multipack of the member may pay. */
  multipack?: string;
  /** D5 admit --free: granted staff_override at no cost, whatever the rules say. */
  free?: boolean;
}

/** R14: what a reader shows when the gateway could not decide. */
export const ERROR_MESSAGE = "Please see reception";

/** The member of a card, when it can be told (a failed decision still names its member). */
function memberOfCard(store: Store, card: string): string | null {
  try {
    return findCard(store, canonicalCard(card))?.memberId ?? null;
  } catch {
    return null;
  }
}

/** R14: the deny `error` that records a decision that failed. */
function errorDecision(store: Store, req: DecisionRequest, now: number): Decision {
  const d = newDecision(req, now);
  d.memberId = memberOfCard(store, req.card);
  return deny(d, "error", ERROR_MESSAGE);
}

/** R14, R21: records a decision made outside the rules (a PIN step's deny), in its own transaction. */
export function recordDecided(store: Store, decision: Decision, gatewayId: string): RecordedEvent {
  return store.db.transaction(() => recordDecision(store, decision, gatewayId)).immediate();
}

/**
 * R14: records a scan whose decision could not even start (the stored site no longer has the
 * reader's area, or no site at all) as a deny `error`, in its own transaction.
 */
export function recordError(
  store: Store,
  req: DecisionRequest,
  now: number,
  gatewayId: string,
): RecordedEvent {
  return store.db
    .transaction(() => recordDecision(store, errorDecision(store, req, now), gatewayId))
    .immediate();
}

/**
 * sync.md: a gateway that syncs and has an empty cache denies every scan `unknown_card` until the
 * central's data arrive. A site with nothing in it decides exactly that (no card is known).
 */
const EMPTY_SITE = compileSite({
  site: {
    id: "(empty cache)",
    timezone: "UTC",
    holidays: [],
    tieBreak: "fifo",
    deductionIntervalMinutes: 0,
    bookingEarlyMinutes: 30,
  },
  areas: [],
  accessTypes: [],
  products: [],
  limits: [],
  cardModels: [],
});

/** The site to decide with: the stored one, or for a syncing gateway with an empty cache the empty one. */
function decidingSite(store: Store, req: DecisionRequest, options: DecideOptions): SiteModel {
  if (options.offline && !store.siteConfig()) return EMPTY_SITE;
  const site = siteModel(store);
  checkArea(site, req.area);
  return site;
}

/** The facts of a decision with the offline policy's view of the cache (its last successful sync). */
function factsFor(
  store: Store,
  site: SiteModel,
  req: DecisionRequest,
  now: number,
  offline: OfflinePolicy | null,
): Facts {
  const facts = loadFacts(store, site, req, now);
  if (offline) facts.offline = { ...offline, lastSyncAt: syncState(store).lastSyncAt };
  return facts;
}

/** What would happen if the card were scanned there and then: changes nothing. */
export function explain(
  store: Store,
  req: DecisionRequest,
  now: number,
  options: DecideOptions = {},
): Decision {
  const site = decidingSite(store, req, options);
  return decide(req, factsFor(store, site, req, now, options.offline ?? null), now);
}

/**
 * Decides and records a scan in one transaction (R14): event, ledger entry and outbox row together.
 * `options.offline` is the gateway's sync.offline policy when it syncs with a central. A decision
 * that throws (facts that break the engine) is recorded as a deny `error` and its error handed to
 * `options.onError`: R14, every decision is recorded. Bad input (no site, an unknown area) throws
 * before anything is recorded; a store that cannot be written throws too.
 */
export function scan(
  store: Store,
  req: DecisionRequest,
  now: number,
  gatewayId: string,
  options: DecideOptions = {},
): RecordedEvent {
  const site = decidingSite(store, req, options);
  const offline = options.offline ?? null;
  return store.db
    .transaction(() => {
      let decision: Decision;
      try {
        decision = decideWith(
          req,
          staffFacts(factsFor(store, site, req, now, offline), options),
          now,
          options,
        );
      } catch (err) {
        // Bad input of staff (a pack the member does not hold): refused, nothing recorded.
        if (err instanceof AccessGwError && err.code === "UNKNOWN_MULTIPACK") throw err;
        options.onError?.(err);
        decision = errorDecision(store, req, now);
      }
      const waits = options.passage !== undefined && decision.decision === "grant";
      // D2: presence as it was before this grant, put back if the member turns away.
      const before = waits ? presenceBeforeGrant(store, decision.memberId, decision.area) : null;
      const event = recordDecision(store, decision, gatewayId, {
        door: options.door === true,
        ...(options.staff === undefined ? {} : { staff: options.staff }),
      });
      if (waits && options.passage) recordPassageWait(store, event, before, options.passage);
      return event;
    })
    .immediate();
}

/**
 * D5 open: records the staff's remote open of a door (granted `remote_open`, no member, no charge,
 * with operator and reason) in one transaction, its pulse pending and, when the door confirms
 * passages, its wait (D2). The area is the door's reader's (the door's id for a door without one).
 */
export function recordRemoteOpen(
  store: Store,
  req: DecisionRequest,
  now: number,
  gatewayId: string,
  staff: StaffAction,
  passage?: PassageWait,
): RecordedEvent {
  return store.db
    .transaction(() => {
      const event = recordDecision(
        store,
        remoteOpenDecision(req, now, store.siteConfig()?.site.locale),
        gatewayId,
        { door: true, staff },
      );
      if (passage) recordPassageWait(store, event, null, passage);
      return event;
    })
    .immediate();
}

/** D5 admit --multipack: the member's facts with only that multipack; refuses a pack the member does not hold. */
function staffFacts(facts: Facts, options: DecideOptions): Facts {
  if (options.multipack === undefined || facts.member === null) return facts;
  const multipacks = facts.multipacks.filter((m) => m.id === options.multipack);
  if (multipacks.length === 0)
    throw new AccessGwError(
      "UNKNOWN_MULTIPACK",
      `member ${facts.member.id} has no multipack "${options.multipack}" (they have: ${
        facts.multipacks.map((m) => m.id).join(", ") || "none"
      })`,
    );
  return { ...facts, multipacks };
}

/** The engine's decision, or (D5 admit --free) the staff's override. */
function decideWith(req: DecisionRequest, facts: Facts, now: number, options: DecideOptions): Decision {
  return options.free === true ? staffOverride(req, facts, now) : decide(req, facts, now);
}

/** A member's multipacks (and R19 codes) as `balance` shows them. */
export function memberBalance(
  store: Store,
  by: { card?: string; member?: string },
  now: number,
): {
  memberId: string;
  name: string | null;
  codes: string[];
  pinSet: boolean;
  multipacks: MultipackBalance[];
} {
  const site = siteModel(store);
  let memberId = by.member;
  if (by.card !== undefined) {
    const card = findCard(store, canonicalCard(by.card));
    if (!card) throw new AccessGwError("UNKNOWN_MEMBER", `unknown card "${canonicalCard(by.card)}"`);
    memberId = card.memberId;
  }
  const member = memberId ? loadMember(store, memberId, now, 0) : null;
  if (!member || !memberId) throw new AccessGwError("UNKNOWN_MEMBER", `unknown member "${memberId}"`);
  const multipacks = loadMultipacks(store, site, memberId);
  const visits = loadVisits(store, memberId, historyStart(site, multipacks, now), site.site.id);
  const facts: Facts = { site, card: null, member, multipacks, visits, presence: null, presentCount: 0 };
  // R21: staff see whether a PIN is set, never the hash.
  const pinSet =
    store.prepare("SELECT pin_hash IS NOT NULL FROM members WHERE id = ?").pluck().get(memberId) === 1;
  return { memberId, name: member.name, codes: member.codes, pinSet, multipacks: balances(facts, now) };
}
