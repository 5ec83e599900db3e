/**
 * sync.md "History horizon": the gateway's own fold. History older than the site's horizon can no
 * longer change a decision (gateway/engine/horizon.ts), so ledger entries the central has acked
 * move into their multipack's sums (ledgerFold.ts) and old visits are deleted, and the cache does
 * not grow with the years. A pass walks the members a page per transaction, yielding between, so
 * scans keep being decided; member documents applied after it fold their old entries on the way
 * in (import and sync).
 */
import type { Member } from "../../config/members.js";
import { historyHorizonDays, horizonStart } from "../engine/horizon.js";
import type { Store } from "./db.js";
import { clearAckedMarks, foldMultipack } from "./ledgerFold.js";
import { dropVisitsBefore } from "./packedHistory.js";

/** Members per transaction of a pass: a few hundred rows at most, a few milliseconds. */
export const FOLD_PAGE = 200;

/** The meta row of the last pass: the instant it folded to, valid while the site revision stays. */
const CUT_KEY = "history_cut";

/** What a fold pass did. */
export interface FoldOutcome {
  /** The instant history was folded to; null when the site has no horizon (nothing folded). */
  cut: number | null;
  members: number;
  entries: number;
  visits: number;
}

/**
 * The instant the last pass folded to, while the site configuration is the one it worked from (a
 * configuration may lengthen the horizon: then nothing is folded on the way in until the next pass).
 */
export function historyCut(store: Store): number | null {
  return lastPass(store)?.cut ?? null;
}

/** Whether a pass folded everything to `cut` (one the daemon stopped halfway did not). */
export function foldedTo(store: Store, cut: number): boolean {
  const pass = lastPass(store);
  return pass !== null && pass.cut === cut && pass.done;
}

interface Pass {
  rev: number;
  cut: number;
  done: boolean;
}

/** The last pass, while the site configuration is the one it worked from. */
function lastPass(store: Store): Pass | null {
  const stored = store.meta(CUT_KEY);
  if (stored === undefined) return null;
  const pass = JSON.parse(stored) as Pass;
  return pass.rev === siteRevision(store) ? pass : null;
}

/** Where the site's horizon starts at `now`, or null: no site yet, or no horizon (keep everything). */
export function foldCut(store: Store, now: number): number | null {
  const site = store.siteConfig();
  if (site === null) return null;
  const days = historyHorizonDays(site);
  return days === null ? null : horizonStart(days, now, site.site.timezone);
}

/**
 * One pass of the gateway's fold at `now`: every member's acked ledger entries before the horizon
 * into their multipacks' sums, its visits before it deleted. `pause` runs between transactions
 * (the daemon lets the event loop in); `stopped` ends the pass early (the daemon stops).
 */
export async function foldHistory(
  store: Store,
  now: number,
  options: { pause?: () => Promise<void>; stopped?: () => boolean; page?: number } = {},
): Promise<FoldOutcome> {
  const cut = foldCut(store, now);
  const out: FoldOutcome = { cut, members: 0, entries: 0, visits: 0 };
  if (cut === null) {
    store.setMeta(CUT_KEY, JSON.stringify({ rev: -1, cut: 0, done: false }));
    return out;
  }
  // From now on, documents applied fold their old entries on the way in too.
  const pass: Pass = { rev: siteRevision(store), cut, done: false };
  store.setMeta(CUT_KEY, JSON.stringify(pass));
  const page = options.page ?? FOLD_PAGE;
  const nextMembers = store.prepare("SELECT id FROM members WHERE id > ? ORDER BY id LIMIT ?");
  let after = "";
  for (;;) {
    if (options.stopped?.()) break;
    const ids = (nextMembers.all(after, page) as { id: string }[]).map((r) => r.id);
    if (ids.length === 0) break;
    store.bulk(() => {
      for (const id of ids) {
        const done = foldMember(store, id, cut);
        out.entries += done.entries;
        out.visits += done.visits;
      }
    });
    out.members += ids.length;
    after = ids.at(-1) as string;
    await options.pause?.();
  }
  if (!options.stopped?.())
    store.bulk(() => {
      clearAckedMarks(store);
      store.setMeta(CUT_KEY, JSON.stringify({ ...pass, done: true }));
    });
  return out;
}

/** Folds one member's history before `cut`: entries into sums, visits deleted (by age only). */
function foldMember(store: Store, memberId: string, cut: number): { entries: number; visits: number } {
  // Its own SQL text: statements are shared by text, and another module plucks this query.
  const mps = store.prepare("SELECT id AS multipack FROM multipacks WHERE member_id = ?").all(memberId) as {
    multipack: string;
  }[];
  let entries = 0;
  for (const mp of mps) entries += foldMultipack(store, mp.multipack, cut);
  const visits = dropVisitsBefore(store, memberId, cut);
  return { entries, visits };
}

/**
 * On import and sync: a member document holding entries or visits older than `cut`, where the last
 * pass folded to (historyCut), has them folded at once, as the pass would have (they can no longer
 * change a decision).
 */
export function foldImported(store: Store, m: Member, cut: number): void {
  const old = (at: string) => Date.parse(at) < cut;
  const oldEntries = m.multipacks.filter((mp) => mp.ledger.some((e) => old(e.at)));
  if (oldEntries.length === 0 && !(m.visits ?? []).some((v) => old(v.at))) return;
  for (const mp of oldEntries) foldMultipack(store, mp.id, cut);
  dropVisitsBefore(store, m.id, cut);
}

function siteRevision(store: Store): number {
  return (store.prepare("SELECT rev FROM site_revision").get() as { rev: number }).rev;
}
