/**
 * The central's outgoing messages without MQTT: how a hello is answered (snapshot, replay or "in
 * step"), how members are split into parts within a count and a byte limit, and the JSON text of
 * `sync` parts and `changes` (built from the stored document text, so a snapshot of many members is
 * never parsed and serialised again).
 */

/**
 * Members (and deleted ids) per part or `changes` message by default. Issue 12 §4, measured on a
 * snapshot through Mosquitto (docs/benchmarks.md): parts of 250–500 members applied fastest, with
 * the shortest scan delays; 1000–2000 were slower and held scans longer (bigger heaps to collect).
 */
export const DEFAULT_PART_MEMBERS = 500;
/**
 * Bytes of JSON per part or `changes` message by default: room for 500 members with a year of
 * history (about 1.6 KB each), and under the 1 MB packet limit some brokers default to (EMQX;
 * Mosquitto has none). At 256 KiB, the byte limit cut parts to about 160 such members: three times
 * the parts, against a broker queue of 1000 messages per client by default.
 */
export const DEFAULT_PART_BYTES = 1_000_000;
/** Below this a part could not even hold its envelope and one small member. */
export const MIN_PART_BYTES = 1024;
/** A gateway more revisions behind than this gets a snapshot instead of a replay, by default. */
export const DEFAULT_REPLAY_LIMIT = 10_000;

/** Where one part (or one `changes` message) begins and ends in a list of items: [start, end). */
export interface Span {
  start: number;
  end: number;
}

/**
 * Splits items (their JSON sizes in bytes) into consecutive spans of at most `maxItems` items whose
 * message stays within `maxBytes`: the envelope's `overhead` plus each item with its comma. Every span
 * holds at least one item, so an item larger than the limit travels alone. No items, no spans.
 */
export function splitSpans(
  sizes: readonly number[],
  maxItems: number,
  maxBytes: number,
  overhead: number,
): Span[] {
  const spans: Span[] = [];
  let start = 0;
  let bytes = overhead;
  for (let i = 0; i < sizes.length; i++) {
    const size = (sizes[i] as number) + 1;
    const count = i - start;
    if (count > 0 && (count >= maxItems || bytes + size > maxBytes)) {
      spans.push({ start, end: i });
      start = i;
      bytes = overhead;
    }
    bytes += size;
  }
  if (sizes.length > start) spans.push({ start, end: sizes.length });
  return spans;
}

/** How a hello is answered. */
export interface AnswerPlan {
  /** snapshot: everything; replay: the changes after lastRev; inStep: one empty part. */
  kind: "snapshot" | "replay" | "inStep";
  fromRev: number;
  toRev: number;
}

/**
 * sync.md: a snapshot when the gateway has nothing (lastRev 0), is ahead of this central (another
 * central's revisions) or is more than `replayLimit` revisions behind; one empty part when it is in
 * step; otherwise the changes after its lastRev.
 */
export function planAnswer(lastRev: number, siteRev: number, replayLimit: number): AnswerPlan {
  if (lastRev === 0 || lastRev > siteRev || siteRev - lastRev > replayLimit)
    return { kind: "snapshot", fromRev: 0, toRev: siteRev };
  if (lastRev === siteRev) return { kind: "inStep", fromRev: siteRev, toRev: siteRev };
  return { kind: "replay", fromRev: lastRev, toRev: siteRev };
}

/** The largest number any rev, part or count can be: its digits bound an envelope's size. */
const BIG = Number.MAX_SAFE_INTEGER;

/** Bytes of a `sync` part's envelope (everything but the members and ids), an upper bound. */
export function partOverhead(snapshot: boolean): number {
  return syncPartJson({ fromRev: BIG, toRev: BIG, snapshot, part: BIG, parts: BIG }, [], []).length;
}

/** Bytes of a `changes` message's envelope, an upper bound. */
export function changesOverhead(): number {
  return changesJson(BIG, [], []).length;
}

/** The envelope fields of one `sync` part. */
export interface PartHeader {
  fromRev: number;
  toRev: number;
  snapshot: boolean;
  part: number;
  parts: number;
}

/** A `sync` part's JSON text, with member documents given as JSON text. */
export function syncPartJson(h: PartHeader, docs: readonly string[], deleted: readonly string[]): string {
  return (
    `{"fromRev":${h.fromRev},"toRev":${h.toRev},"snapshot":${h.snapshot},"part":${h.part},` +
    `"parts":${h.parts},"members":[${docs.join(",")}],"deletedMembers":${JSON.stringify(deleted)}}`
  );
}

/** A `changes` message's JSON text, with member documents given as JSON text. */
export function changesJson(rev: number, docs: readonly string[], deleted: readonly string[]): string {
  return `{"rev":${rev},"members":[${docs.join(",")}],"deletedMembers":${JSON.stringify(deleted)}}`;
}
