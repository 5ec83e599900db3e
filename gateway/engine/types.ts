import type { Block, MemberCardModel, Suspension } from "../../config/members.js";
import type { DecisionEvent, DoorMode } from "../../config/protocol/events.js";
import type { Reason } from "../../config/protocol/reasons.js";
import type { AccessType, Area, Limit, Product, SiteInfo } from "../../config/site.js";

/** A reader's direction: entries (`in`) and exits (`out`, R11). */
export type Direction = "in" | "out";

/** What was scanned where: the engine's question. */
export interface DecisionRequest {
  /** The card number as read (canonicalised by the engine, R1). */
  card: string;
  area: string;
  direction: Direction;
  /** null when the scan names an area rather than a reader (`--area`). */
  readerId: string | null;
  /** doors.md D3: the mode of the reader's door; normal when left out (or no door). */
  doorMode?: DoorMode;
}

/** One row of the trace: a multipack (and item) the engine looked at, and why it was chosen or skipped. */
export interface TraceRow {
  multipackId: string | null;
  accessTypeId: string | null;
  outcome: "chosen" | "skipped";
  reason: Reason;
  /** Human words for a technician: which rule, which numbers. */
  detail: string;
}

/** The decision JSON of cli.md (recorded events add `id` and `seq`); reasons from config/protocol/reasons.ts. */
export interface Decision {
  decision: "grant" | "deny";
  reason: Reason;
  at: string;
  card: string;
  memberId: string | null;
  area: string;
  direction: Direction;
  readerId: string | null;
  multipackId: string | null;
  productId: string | null;
  accessTypeId: string | null;
  creditsDeducted: number;
  creditsRemaining: number | null;
  creditsTotal: number | null;
  message: string;
  trace: TraceRow[];
}

/** The site configuration, indexed for the engine. */
export interface SiteModel {
  site: SiteInfo;
  zone: string;
  holidays: Set<string>;
  areas: Map<string, Area>;
  accessTypes: Map<string, AccessType>;
  products: Map<string, Product>;
  limits: Limit[];
  /** Longest deduction interval of any product or item, ms (bounds the history a decision needs). */
  maxIntervalMs: number;
}

/** R1: the scanned card as stored. */
export interface CardFact {
  /** Canonical number (R1). */
  number: string;
  status: "active" | "blocked" | "lost";
  validFrom: string | null;
  validTo: string | null;
  memberId: string;
}

/** R10: a booking that may matter at `now` (instants in ms). */
export interface BookingFact {
  id: string;
  area: string;
  start: number;
  end: number;
}

/** The card's member: what R1, R3, R10 and R19 ask of them. */
export interface MemberFact {
  id: string;
  name: string | null;
  /** R19: the member's codes (`student`, `corp-acme`). */
  codes: string[];
  /** R20: the member's home site (a site id); absent or null: home everywhere. */
  homeSite?: string | null;
  /** D6: the member's language for messages (BCP 47); absent or null: the site's. */
  locale?: string | null;
  cardModels: MemberCardModel[];
  blocks: Block[];
  bookings: BookingFact[];
  /** doors.md D3: staff or security, let in through a locked door (and opening a first-person-in schedule). */
  lockdownAccess: boolean;
}

/** One multipack with its running credit totals (R2, R16). */
export interface MultipackFact {
  id: string;
  productId: string;
  purchasedAt: number;
  /** Explicit dates from member data; null: computed from the product (R2). */
  validFrom: string | null;
  validUntil: string | null;
  /** Total credits including manual additions (R16). */
  creditsTotal: number;
  /** Sum of usage, deductions and refunds (R16). */
  used: number;
  status: "active" | "stored";
  suspensions: Suspension[];
  /** The first granted entry, for `fromFirstUse` validity. */
  firstUseAt: number | null;
}

/** A counted visit: a granted entry through a multipack (or a usage ledger entry from elsewhere). */
export interface VisitFact {
  id: string;
  multipackId: string | null;
  productId: string | null;
  accessTypeId: string | null;
  area: string;
  /** R20: the site (id) where the visit was made: this gateway's own site for its local visits. */
  site: string;
  at: number;
  /** Charged credits (> 0), or a counted free entry (0). */
  credits: number;
}

/** The member's last movement in the requested area. */
export interface PresenceFact {
  lastDirection: Direction;
  lastAt: number;
  lastInAt: number | null;
}

/** Everything one decision may look at, loaded by the store for one member. */
export interface Facts {
  site: SiteModel;
  card: CardFact | null;
  member: MemberFact | null;
  multipacks: MultipackFact[];
  /** Visits since `historyStart(...)`; later ones are ignored. */
  visits: VisitFact[];
  presence: PresenceFact | null;
  /** Other members present in the requested area today (only needed when it has a capacity). */
  presentCount: number;
  /** The offline policy of a gateway that syncs with a central (absent: no policy, always decide). */
  offline?: OfflineFact | null;
}

/** sync.offline: how long the cache may be trusted without a successful sync, and what happens after. */
export interface OfflineFact {
  /** The last successful sync (ms), or null when the cache never synced. */
  lastSyncAt: number | null;
  maxStaleHours: number;
  after: "keep-deciding" | "deny-paid";
}

// The event schema (config/protocol/events.ts) and the Decision must not drift apart: a compile error here says
// they did. (It lives here because config imports nothing above it.)
type DecisionOfEvent = Omit<
  DecisionEvent,
  "kind" | "id" | "seq" | "relayFailed" | "passed" | "operator" | "staffReason" | "ledger"
>;
const _eventCoversDecision = (d: Decision): DecisionOfEvent => d;
const _decisionCoversEvent = (e: DecisionOfEvent): Omit<Decision, "trace"> => e;
void _eventCoversDecision;
void _decisionCoversEvent;
