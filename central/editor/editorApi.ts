/**
 * The contract between the facility manager's editor pages (central/editorWeb/) and its backend
 * (central/editor/): validation of a draft as `accessgw import` validates, its diff against the
 * configuration in force, the what-if replay of the events the central holds, save and history
 * (issue 11 §2). Only types: the pages are written and tested against this interface.
 */

/** One problem of a draft, at a path such as `accessTypes[0].windows[1].from`: the messages of `import`. */
export interface DraftProblem {
  path: string;
  message: string;
}

/** A draft validated: ok, or every problem. */
export interface DraftCheck {
  ok: boolean;
  problems: DraftProblem[];
}

/** One record of a section added, removed or changed, with the fields that differ. */
export interface DraftChange {
  kind: "added" | "removed" | "changed";
  section: string;
  id: string;
  fields: { path: string; before?: unknown; after?: unknown }[];
}

/** One scan of the replayed window whose decision, reason or credits the draft changes. */
export interface WhatIfChange {
  member: string;
  memberName: string;
  card: string;
  /** When the scan was made (ISO 8601). */
  at: string;
  door: string;
  reader: string;
  before: { decision: "grant" | "deny"; reason: string; credits: number };
  after: { decision: "grant" | "deny"; reason: string; credits: number };
}

/** What the draft would have done to the scans of the last days. */
export interface WhatIfReport {
  from: string;
  to: string;
  scans: number;
  changes: WhatIfChange[];
  totals: { newlyGranted: number; newlyDenied: number; creditsBefore: number; creditsAfter: number };
}

/** The site configuration's sections as in the YAML: areas, accessTypes, products, limits… */
export type SiteSections = Record<string, unknown>;

/** What the editor's pages need from the central. */
export interface EditorBackend {
  current(): SiteSections;
  check(draft: unknown): DraftCheck;
  diff(draft: SiteSections): DraftChange[];
  whatIf(draft: SiteSections, days: number, now: number): WhatIfReport;
  save(
    draft: SiteSections,
    who: string,
    why: string,
    now: number,
  ): { revision: string; changes: DraftChange[] };
  history(): { at: string; who: string; why: string; changes: number }[];
}
