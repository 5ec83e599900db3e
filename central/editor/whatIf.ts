/**
 * What-if (issue 11 §2): the scans the central holds for a window, decided twice by the pure engine,
 * once under the configuration in force and once under a draft, each replay carrying its own member
 * state forward (credits, allowances, re-entry, limits, presence) from the same starting point
 * (replayState.ts). Both sides are replays: a scan is listed when the draft changes what the rules
 * say, not when the rules differ from what was recorded (a door's mode, a member since edited).
 */
import type { Member } from "../../config/members.js";
import {
  type DecisionEvent,
  type DoorMode,
  isDecision,
  type SyncEvent,
} from "../../config/protocol/events.js";
import type { SiteConfig } from "../../config/site.js";
import { compileSite, type Decision, type DecisionRequest, decide } from "../../gateway/engine/index.js";
import type { ReplayOutcome, WhatIfChange, WhatIfReport } from "./editorApi.js";
import { HeadCounts } from "./replayPresence.js";
import {
  type Baseline,
  baseline,
  emptyRecorded,
  factsAt,
  isReplayed,
  isUndone,
  recordDecision,
} from "./replayState.js";

/** The replay's days when none are given (issue 11: the last 7 days). */
export const DEFAULT_WHATIF_DAYS = 7;

/** What a what-if replays. */
export interface WhatIfInput {
  current: SiteConfig;
  draft: SiteConfig;
  /** The members as the central publishes them (ledger entries from the gateways folded in). */
  members: Member[];
  /** The events the central holds (any order, any kind). */
  events: SyncEvent[];
  from: number;
  to: number;
}

/** The scans of the window in time order (ties by event id), and the starting state of both replays. */
export function replayWindow(input: Omit<WhatIfInput, "current" | "draft">): {
  scans: DecisionEvent[];
  base: Baseline;
} {
  const decisions = input.events.filter(isDecision);
  const scans = decisions
    .filter((e) => isReplayed(e, input.from, input.to))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { scans, base: baseline(input.members, decisions, scans) };
}

/** Decides each scan again under `config`, in order, carrying the replay's own state forward. */
export function replay(config: SiteConfig, base: Baseline, scans: DecisionEvent[]): Decision[] {
  const site = compileSite(config);
  const recorded = emptyRecorded();
  const heads = new HeadCounts([base.recorded.movements, recorded.movements], site.zone);
  return scans.map((e) => {
    const now = Date.parse(e.at);
    const req: DecisionRequest = {
      card: e.card,
      area: e.area,
      direction: e.direction,
      readerId: e.readerId,
      doorMode: doorModeOf(e),
    };
    const d = decide(req, factsAt(site, base, { recorded, heads }, req, now), now);
    // A grant whose door did not open, or that nobody went through, took nothing in the end.
    if (!isUndone(e)) recordDecision(recorded, d, e.id);
    return d;
  });
}

/** Replays the window's scans under both configurations and lists every scan that differs. */
export function whatIf(input: WhatIfInput): WhatIfReport {
  const { scans, base } = replayWindow(input);
  const before = replay(input.current, base, scans);
  const after = replay(input.draft, base, scans);
  const report: WhatIfReport = {
    from: new Date(input.from).toISOString(),
    to: new Date(input.to).toISOString(),
    scans: scans.length,
    changes: [],
    totals: { newlyGranted: 0, newlyDenied: 0, creditsBefore: 0, creditsAfter: 0 },
  };
  scans.forEach((e, i) => {
    const [db, da] = [before[i] as Decision, after[i] as Decision];
    const [b, a] = [outcome(db, e), outcome(da, e)];
    report.totals.creditsBefore += b.credits;
    report.totals.creditsAfter += a.credits;
    if (b.decision === a.decision && b.reason === a.reason && b.credits === a.credits) return;
    if (b.decision === "deny" && a.decision === "grant") report.totals.newlyGranted++;
    if (b.decision === "grant" && a.decision === "deny") report.totals.newlyDenied++;
    const member = db.memberId ?? da.memberId ?? e.memberId ?? "";
    report.changes.push(changeOf(base, e, member, b, a));
  });
  return report;
}

/**
 * D3: the door's mode at the scan, as far as the event tells it (its reason); a locked door whose
 * scan the rules refused anyway recorded the rules' reason, and is replayed as a normal door.
 */
function doorModeOf(e: DecisionEvent): DoorMode {
  if (e.reason === "emergency") return "emergency";
  if (e.reason === "door_unlocked") return "unlocked";
  if (e.reason === "door_locked") return "locked";
  return "normal";
}

/** A replayed decision as the report shows it: an undone grant (see isUndone) took no credits. */
function outcome(d: Decision, e: DecisionEvent): ReplayOutcome {
  const credits = isUndone(e) ? 0 : d.creditsDeducted;
  return { decision: d.decision, reason: d.reason, credits, multipack: d.multipackId };
}

function changeOf(
  base: Baseline,
  e: DecisionEvent,
  member: string,
  before: ReplayOutcome,
  after: ReplayOutcome,
): WhatIfChange {
  return {
    member,
    memberName: base.members.get(member)?.name ?? "",
    card: e.card,
    at: e.at,
    door: e.area,
    reader: e.readerId ?? "",
    before,
    after,
  };
}
