/**
 * The payloads of sync.md (central ↔ gateway over MQTT): the contract's messages. The zod schemas are the types, the defaults and (via z.toJSONSchema) the JSON Schemas
 * integrators read.
 *
 * Unknown keys: what the gateway sends (hello, events, status) is strict, because we own that shape
 * and a stray key would be a bug here. What it receives (config, changes, sync, acks) ignores unknown
 * keys on the envelope, because integrators add fields over time (a `sentAt`, a trace id) and refusing
 * them would turn every such addition into dropped changes and endless resyncs. The documents inside
 * (the site configuration and members of domain.md) stay strict, as on `accessgw import`: a misspelt
 * member field silently ignored would grant or deny the wrong people.
 */
import { z } from "zod";
import { formatPath } from "../errors.js";
import { Instant, Member } from "../members.js";
import { checkReferences } from "../references.js";
import { AccessType, Area, CardModel, Id, Limit, Product, SiteInfo } from "../site.js";
import { CommandMessage, CommandResult } from "./commands.js";
import { SyncEvent } from "./events.js";

/** A site revision, config revision or event seq: a non-negative safe integer (0: nothing yet). */
export const Rev = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const PositiveRev = Rev.min(1);

/** At most this many events go in one `events` message (sync.md: batches of at most 500). */
export const MAX_BATCH = 500;
/** sync.md: messages larger than this are refused (16 MiB) unless `sync.maxMessageBytes` says otherwise. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16_777_216;
export const DEFAULT_TOPIC_PREFIX = "accessgw/v1";

/** A topic prefix: one or more MQTT topic levels, no wildcards, no empty levels, no `$` start. */
export const TopicPrefix = z
  .string()
  .max(200)
  .regex(/^[^/#+\s$][^/#+\s]*(\/[^/#+\s]+)*$/, {
    error: 'expected MQTT topic levels such as "accessgw/v1" (no +, #, spaces, empty levels or leading $)',
  });

// ---------------------------------------------------------------------------------------------
// Central → gateway (received: unknown envelope keys are ignored, see the file comment).

/** The whole site configuration in the shape of domain.md; members travel in changes and sync. */
export const SiteConfigDocument = z
  .strictObject({
    site: SiteInfo,
    areas: z.array(Area).default([]),
    accessTypes: z.array(AccessType).default([]),
    products: z.array(Product).default([]),
    limits: z.array(Limit).default([]),
    cardModels: z.array(CardModel).default([]),
  })
  // A config that points at an unknown area or product is rejected whole like any other bad config.
  .superRefine((config, ctx) => {
    const problems = checkReferences([{ name: "config", data: config }], null);
    for (const p of problems) ctx.addIssue({ code: "custom", message: p.replace(/^config: /, "") });
  });

/** `P/sites/S/config` (retained): applied whole when `rev` is higher than the applied one. */
export const ConfigMessage = z.object({ rev: PositiveRev, config: SiteConfigDocument });
export type ConfigMessage = z.infer<typeof ConfigMessage>;

/** Members replaced and members deleted; one id may not be both, nor appear twice. */
export function memberSetIssues(
  m: { members: { id: string }[]; deletedMembers: string[] },
  ctx: z.core.$RefinementCtx,
): void {
  const seen = new Map<string, number>();
  m.members.forEach((member, i) => {
    const first = seen.get(member.id);
    if (first !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["members", i, "id"],
        message: `member "${member.id}" is given twice (first at members[${first}])`,
      });
    else seen.set(member.id, i);
  });
  m.deletedMembers.forEach((id, i) => {
    if (seen.has(id))
      ctx.addIssue({
        code: "custom",
        path: ["deletedMembers", i],
        message: `member "${id}" is both updated and deleted`,
      });
  });
}

/** A sync part's revisions run forward and its number is within its answer's. */
export function answerIssues(
  m: { fromRev: number; toRev: number; part: number; parts: number },
  ctx: z.core.$RefinementCtx,
): void {
  if (m.fromRev > m.toRev)
    ctx.addIssue({ code: "custom", path: ["fromRev"], message: `fromRev ${m.fromRev} > toRev ${m.toRev}` });
  if (m.part > m.parts)
    ctx.addIssue({ code: "custom", path: ["part"], message: `part ${m.part} > parts ${m.parts}` });
}

/** `P/sites/S/changes`: the next site revision (`rev` = last applied + 1). */
export const ChangesMessage = z
  .object({ rev: PositiveRev, members: z.array(Member), deletedMembers: z.array(Id) })
  .superRefine(memberSetIssues);
export type ChangesMessage = z.infer<typeof ChangesMessage>;

/** `P/gateways/G/sync`: part `part` of `parts` of the answer to a hello. */
export const SyncMessage = z
  .object({
    fromRev: Rev,
    toRev: Rev,
    snapshot: z.boolean(),
    part: z.number().int().min(1),
    parts: z.number().int().min(1),
    members: z.array(Member),
    deletedMembers: z.array(Id),
  })
  .superRefine((m, ctx) => {
    answerIssues(m, ctx);
    memberSetIssues(m, ctx);
  });
export type SyncMessage = z.infer<typeof SyncMessage>;

/** A hello's token, echoed in the acks that answer it (sync.md "Seq after a restore"). */
const HelloId = z.string().min(1).max(64);

/**
 * `P/gateways/G/acks`: every event of G with `seq` ≤ `upTo` is durably stored at the central. The
 * acks that answer a hello also carry `lastSeq` (the highest seq of G stored, gaps or not) and the
 * hello's `helloId` when it had one.
 */
export const AcksMessage = z.object({ upTo: Rev, lastSeq: Rev.optional(), helloId: HelloId.optional() });
export type AcksMessage = z.infer<typeof AcksMessage>;

// ---------------------------------------------------------------------------------------------
// Gateway → central (sent: strict).

/**
 * The unacked part of the outbox: the lowest and highest `seq` still waiting for an ack. Empty outbox:
 * both `null` (house rule: null, never absent), so a central can tell "nothing pending" at a glance.
 */
export const OutboxRange = z.union([
  z
    .strictObject({ firstSeq: PositiveRev, lastSeq: PositiveRev })
    .refine((o) => o.firstSeq <= o.lastSeq, { error: "firstSeq is after lastSeq", path: ["firstSeq"] }),
  z.strictObject({ firstSeq: z.null(), lastSeq: z.null() }),
]);
export type OutboxRange = z.infer<typeof OutboxRange>;

/** `P/gateways/G/hello`: sent on every (re)connect and on a revision gap. */
export const HelloMessage = z.strictObject({
  gatewayId: Id,
  siteId: Id,
  lastRev: Rev,
  configRev: Rev,
  version: z.string().min(1),
  outbox: OutboxRange,
  /** sync.md "Features": what this gateway understands beyond the base contract (e.g. "commands"). */
  features: z.array(z.string().min(1).max(64)).max(64).optional(),
  /**
   * sync.md "History horizon": days of history the gateway's rules can reach, null for no horizon
   * (all of it); left out by older gateways and before a site configuration is applied (all of it).
   */
  historyDays: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable().optional(),
  /** Sent while a restored gateway's seq is unconfirmed: the central echoes it in its acks. */
  helloId: HelloId.optional(),
});
export type HelloMessage = z.infer<typeof HelloMessage>;

/** `P/gateways/G/events`: a batch of at most 500 events of G, in `seq` order. */
export const EventsMessage = z
  .strictObject({ gatewayId: Id, events: z.array(SyncEvent).min(1).max(MAX_BATCH) })
  .superRefine((m, ctx) => {
    let previous = 0;
    m.events.forEach((e, i) => {
      if (e.id !== `${m.gatewayId}:${e.seq}`)
        ctx.addIssue({
          code: "custom",
          path: ["events", i, "id"],
          message: `expected "${m.gatewayId}:${e.seq}" (gatewayId:seq), found "${e.id}"`,
        });
      if (e.seq <= previous)
        ctx.addIssue({ code: "custom", path: ["events", i, "seq"], message: "events are not in seq order" });
      previous = e.seq;
    });
  });
export type EventsMessage = z.infer<typeof EventsMessage>;

/** `P/gateways/G/status` (retained), refreshed on change, while the gateway is online. */
export const GatewayStatusMessage = z.strictObject({
  online: z.literal(true),
  at: Instant,
  version: z.string().min(1),
  lastRev: Rev,
  configRev: Rev,
  outboxPending: z.number().int().nonnegative(),
  readers: z.array(z.strictObject({ id: Id, connected: z.boolean() })),
  /** In words, each starting with a stable code, e.g. "configRejected: config rev 13: …". */
  problems: z.array(z.string()),
});
/**
 * The last will on the status topic: `{ "online": false }`, also what a gateway publishes itself when
 * it stops cleanly. Offline is only ever this: nothing else it says would still be true.
 */
export const LastWillMessage = z.strictObject({ online: z.literal(false) });
/** The status topic's payload: the full status while online, or the last will. */
export const StatusMessage = z.discriminatedUnion("online", [GatewayStatusMessage, LastWillMessage]);
export type StatusMessage = z.infer<typeof StatusMessage>;

// ---------------------------------------------------------------------------------------------
// Parsing what arrives.

/** Every payload of sync.md by message kind. */
export const SYNC_PAYLOADS = {
  config: ConfigMessage,
  changes: ChangesMessage,
  sync: SyncMessage,
  acks: AcksMessage,
  hello: HelloMessage,
  events: EventsMessage,
  status: StatusMessage,
  commands: CommandMessage,
  "command-results": CommandResult,
} as const;
export type SyncKind = keyof typeof SYNC_PAYLOADS;
export type SyncPayload<K extends SyncKind> = z.infer<(typeof SYNC_PAYLOADS)[K]>;

export type SyncParse<K extends SyncKind> =
  | { ok: true; value: SyncPayload<K> }
  | { ok: false; problem: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes and validates one payload without throwing: too large, not UTF-8, not JSON or the wrong
 * shape each give a problem that names the topic (and the first 3 zod issues with their paths).
 */
export function parseSyncPayload<K extends SyncKind>(
  kind: K,
  topic: string,
  bytes: Uint8Array,
  maxBytes: number = DEFAULT_MAX_MESSAGE_BYTES,
): SyncParse<K> {
  const refuse = (why: string): SyncParse<K> => ({ ok: false, problem: `${topic}: ${kind} refused: ${why}` });
  const json = decodeJson(bytes, maxBytes);
  if (!json.ok) return refuse(json.why);
  const result = SYNC_PAYLOADS[kind].safeParse(json.value);
  if (result.success) return { ok: true, value: result.data as SyncPayload<K> };
  return refuse(describeIssues(result.error.issues, json.value));
}

/** The payload's JSON value when it is small enough, UTF-8 and JSON; else why not. */
export function decodeJson(
  bytes: Uint8Array,
  maxBytes: number,
): { ok: true; value: unknown } | { ok: false; why: string } {
  if (bytes.byteLength > maxBytes)
    return { ok: false, why: `${bytes.byteLength} bytes is more than sync.maxMessageBytes (${maxBytes})` };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, why: "the payload is not UTF-8 text" };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, why: `not JSON (${(err as Error).message})` };
  }
}

/** The first 3 zod issues with their paths (records named from `root`, the value parsed), and how many more. */
export function describeIssues(issues: z.core.$ZodIssue[], root?: unknown): string {
  const shown = issues
    .slice(0, 3)
    .map((i) => `${formatPath(i.path, root) || "(top level)"}: ${issueMessage(i)}`);
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : "";
  return `${shown.join("; ")}${more}`;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys")
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  return issue.message;
}
