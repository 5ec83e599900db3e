/**
 * The facility manager's editor (issue 11 §2), as the editor's web pages use it: the current site
 * configuration, a draft checked as `accessgw import` checks it, its diff by record id, what-if over
 * the events the central holds, and saving with who and why. Pure data shapes; createEditorBackend
 * (editorBackend.ts) implements them.
 */
import type { z } from "zod";
import type { AccessType, Area, CardModel, Limit, Product, SiteInfo } from "../../config/site.js";

/** The site configuration's sections as the YAML file writes them (no defaults filled in). */
export interface SiteSections {
  site: z.input<typeof SiteInfo>;
  areas: z.input<typeof Area>[];
  accessTypes: z.input<typeof AccessType>[];
  products: z.input<typeof Product>[];
  limits: z.input<typeof Limit>[];
  cardModels: z.input<typeof CardModel>[];
}

/** One problem of a draft: where (`accessTypes[gym-all].windows[0].from`) and what, in import's words. */
export interface DraftProblem {
  path: string;
  message: string;
}

/** A draft's check: ok when it has no problem. */
export interface DraftCheck {
  ok: boolean;
  problems: DraftProblem[];
}

/**
 * One record the draft adds, removes or changes. `fields`: for a change, each field (or list element:
 * `window` with the window before or after it) that differs; for an added or removed record, its fields.
 */
export interface DraftChange {
  kind: "added" | "removed" | "changed";
  section: string;
  id: string;
  fields: { path: string; before?: unknown; after?: unknown }[];
}

/** One side of a replayed scan: what the rules decided, why, and the credits it took. */
export interface ReplayOutcome {
  decision: "grant" | "deny";
  reason: string;
  credits: number;
  /** Which multipack it went through (null: none). */
  multipack: string | null;
}

/** A scan of the window whose decision, reason or credits differ under the draft. */
export interface WhatIfChange {
  member: string;
  memberName: string;
  card: string;
  /** The scan's instant (ISO, as recorded). */
  at: string;
  /** The area the reader opens into: the central does not know the gateways' reader-to-door wiring. */
  door: string;
  /** The reader's id; empty for a scan that named an area (`accessgw scan --area`). */
  reader: string;
  before: ReplayOutcome;
  after: ReplayOutcome;
}

/** What the draft would have changed over the last days. */
export interface WhatIfReport {
  from: string;
  to: string;
  /** Scans replayed. */
  scans: number;
  changes: WhatIfChange[];
  /** Grants and denies that flip, and the credits all replayed scans took under each configuration. */
  totals: { newlyGranted: number; newlyDenied: number; creditsBefore: number; creditsAfter: number };
}

/** One save as the history keeps it. */
export interface SaveRecord {
  at: string;
  who: string;
  why: string;
  /** How many records the save changed. */
  changes: number;
  /** The revision of the file written. */
  revision: string;
  /** The changes themselves. */
  list: DraftChange[];
}

/** The editor's backend, one per central. */
export interface EditorBackend {
  /** The sections as the file holds them now. */
  current(): SiteSections;
  /** The revision of the file as it is now (sha-256 of its bytes, 12 hex digits). */
  revision(): string;
  /** Validates a draft as `import` does (zod, references to the members, the site id), same messages. */
  check(draft: unknown): DraftCheck;
  /** The draft against the file, by record id; throws DRAFT_INVALID for a draft that does not check. */
  diff(draft: SiteSections): DraftChange[];
  /** Replays the scans of the last `days` days before `now` under the file and under the draft. */
  whatIf(draft: SiteSections, days: number, now: number): WhatIfReport;
  /**
   * Writes the draft into the file (comments and layout kept) atomically and records the save.
   * Refused: a draft that does not check, an empty reason, no change, or (`base` given) a file that
   * changed since the draft was taken from it.
   */
  save(
    draft: SiteSections,
    who: string,
    why: string,
    now: number,
    base?: string,
  ): { revision: string; changes: DraftChange[] };
  /** Every save, oldest first. */
  history(): SaveRecord[];
}
