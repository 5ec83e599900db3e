/**
 * The answer to a hello (sync.md "Sync"), read from the store: which members and deletions it
 * carries, split into parts of at most `partMembers` members (and deleted ids) and `partBytes` bytes,
 * each part's JSON built only when it is about to be published, each document shaped for the
 * gateway that asked (docShape.ts).
 */
import type { CentralStore } from "./centralStore.js";
import type { MessageLimits } from "./memberStore.js";
import { type AnswerPlan, partOverhead, type Span, splitSpans, syncPartJson } from "./messages.js";

/** An answer ready to publish part by part. */
export interface Answer {
  plan: AnswerPlan;
  parts: number;
  members: number;
  deleted: number;
  /** The JSON text of part `n` (1 … parts). */
  part(n: number): string;
}

interface Item {
  id: string;
  deleted: boolean;
  bytes: number;
}

/** What the answer of `plan` carries: every member for a snapshot, what changed after fromRev for a replay. */
function answerItems(store: CentralStore, plan: AnswerPlan): Item[] {
  if (plan.kind === "inStep") return [];
  if (plan.kind === "snapshot")
    return (store.prepare("SELECT id, bytes FROM members ORDER BY id").all() as Item[]).map((r) => ({
      id: r.id,
      bytes: r.bytes,
      deleted: false,
    }));
  const deleted = store
    .prepare("SELECT id FROM tombstones WHERE rev > ? ORDER BY id")
    .pluck()
    .all(plan.fromRev) as string[];
  const members = store
    .prepare("SELECT id, bytes FROM members WHERE rev > ? ORDER BY id")
    .all(plan.fromRev) as { id: string; bytes: number }[];
  return [
    ...deleted.map((id) => ({ id, deleted: true, bytes: Buffer.byteLength(JSON.stringify(id)) })),
    ...members.map((m) => ({ id: m.id, deleted: false, bytes: m.bytes })),
  ];
}

/** Plans the parts of the answer; an answer with nothing to carry is one empty part. */
export function buildAnswer(
  store: CentralStore,
  plan: AnswerPlan,
  limits: MessageLimits,
  shape: (json: string) => string = (json) => json,
): Answer {
  const items = answerItems(store, plan);
  const snapshot = plan.kind === "snapshot";
  const spans: Span[] = splitSpans(
    items.map((i) => i.bytes),
    limits.partMembers,
    limits.partBytes,
    partOverhead(snapshot),
  );
  if (spans.length === 0) spans.push({ start: 0, end: 0 });
  const docOf = store.prepare("SELECT doc FROM members WHERE id = ?").pluck();
  const deleted = items.filter((i) => i.deleted).length;
  return {
    plan,
    parts: spans.length,
    members: items.length - deleted,
    deleted,
    part(n: number): string {
      const span = spans[n - 1];
      if (span === undefined) throw new RangeError(`part ${n} of ${spans.length}`);
      const docs: string[] = [];
      const ids: string[] = [];
      for (const item of items.slice(span.start, span.end)) {
        if (item.deleted) ids.push(item.id);
        else docs.push(shape(docOf.get(item.id) as string));
      }
      const header = { fromRev: plan.fromRev, toRev: plan.toRev, snapshot, part: n, parts: spans.length };
      return syncPartJson(header, docs, ids);
    },
  };
}
