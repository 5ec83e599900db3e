/**
 * The slice-wise parse of the member-carrying payloads (`changes`, `sync`): the same result and
 * problems as parseSyncPayload, with the members validated 25 at a time and a pause between
 * slices, so scans keep being decided while a part of hundreds of members is checked.
 */
import { z } from "zod";
import { Member } from "../members.js";
import { Id } from "../site.js";
import {
  answerIssues,
  decodeJson,
  describeIssues,
  memberSetIssues,
  PositiveRev,
  Rev,
  type SyncParse,
  type SyncPayload,
} from "./payloads.js";

/** The envelopes of the member-carrying payloads, with the members left for slice-wise validation. */
const LOOSE_MEMBERS = { members: z.array(z.unknown()), deletedMembers: z.array(Id) };
const SLICED = {
  changes: z.object({ rev: PositiveRev, ...LOOSE_MEMBERS }),
  sync: z
    .object({
      fromRev: Rev,
      toRev: Rev,
      snapshot: z.boolean(),
      part: z.number().int().min(1),
      parts: z.number().int().min(1),
      ...LOOSE_MEMBERS,
    })
    .superRefine(answerIssues),
} as const;

/** Members validated between two pauses: about a millisecond of zod work. */
const SLICE = 25;

/**
 * Like parseSyncPayload, for `changes` and `sync` payloads that carry thousands of members: the
 * members are validated a slice at a time with `pause()` between slices, so scans keep being
 * decided while a big part is checked. Gives the same result and problems as parseSyncPayload.
 */
export async function parseSyncPayloadInSlices<K extends "changes" | "sync">(
  kind: K,
  topic: string,
  bytes: Uint8Array,
  maxBytes: number,
  pause: () => Promise<void>,
): Promise<SyncParse<K>> {
  const refuse = (why: string): SyncParse<K> => ({ ok: false, problem: `${topic}: ${kind} refused: ${why}` });
  const json = decodeJson(bytes, maxBytes);
  if (!json.ok) return refuse(json.why);
  const envelope = SLICED[kind].safeParse(json.value);
  if (!envelope.success) return refuse(describeIssues(envelope.error.issues, json.value));
  const raw = envelope.data.members;
  const members: Member[] = [];
  const issues: z.core.$ZodIssue[] = [];
  for (let start = 0; start < raw.length; start += SLICE) {
    if (start > 0) await pause();
    const end = Math.min(raw.length, start + SLICE);
    for (let i = start; i < end; i++) {
      const m = Member.safeParse(raw[i]);
      if (m.success) members.push(m.data);
      else for (const issue of m.error.issues) issues.push({ ...issue, path: ["members", i, ...issue.path] });
    }
    // The first problems are enough to refuse the whole payload.
    if (issues.length >= 3) break;
  }
  if (issues.length > 0) return refuse(describeIssues(issues, json.value));
  const whole = { ...envelope.data, members };
  const sets = z
    .object({ members: z.array(z.object({ id: z.string() })), deletedMembers: z.array(Id) })
    .superRefine(memberSetIssues)
    .safeParse(whole);
  if (!sets.success) return refuse(describeIssues(sets.error.issues, whole));
  return { ok: true, value: whole as unknown as SyncPayload<K> };
}
