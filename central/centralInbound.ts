/**
 * What the central does with each message a gateway sends (sync.md "Gateway → central"): answers a
 * hello and re-sends its acks, stores a batch of events and acks it, records a status. Each runs on
 * the central's one work queue, so revisions are taken and published strictly in order.
 */
import type { Logger } from "pino";
import type { DecisionEvent } from "../config/protocol/events.js";
import {
  type EventsMessage,
  type HelloMessage,
  parseSyncPayload,
  type StatusMessage,
  type SyncParse,
  type SyncPayload,
} from "../config/protocol/payloads.js";
import type { CentralPublisher } from "./centralPublisher.js";
import type { CentralStore } from "./centralStore.js";
import type { CentralCounters } from "./centralTypes.js";
import { configRefusers, docShaper, gatewayCapability } from "./docShape.js";
import { storeEvents } from "./eventIntake.js";
import {
  advanceWatermark,
  gatewayInfo,
  highestStoredSeq,
  raiseWatermark,
  recordHello,
  recordStatus,
} from "./gatewayStore.js";
import { buildAnswer } from "./helloAnswer.js";
import { knownIds, type SiteConfigDoc } from "./memberDocs.js";
import type { MessageLimits } from "./memberStore.js";
import { type AnswerPlan, planAnswer } from "./messages.js";
import { type RelayOutcome, storeRelayedEvents } from "./relayIntake.js";

/** The message kinds a gateway sends. */
export type GatewayKind = "hello" | "events" | "status" | "command-results";

/**
 * Validates a gateway's payload (never throws): the schema of its kind, and for hello and events a
 * `gatewayId` that is the topic's gateway (a gateway may only speak for itself).
 */
export function parseGatewayPayload<K extends GatewayKind>(
  kind: K,
  topic: string,
  payload: Uint8Array,
  gatewayId: string,
  maxBytes: number,
): SyncParse<K> {
  const parsed = parseSyncPayload(kind, topic, payload, maxBytes);
  if (!parsed.ok) return parsed;
  const value = parsed.value as SyncPayload<K>;
  if ("gatewayId" in value && value.gatewayId !== gatewayId)
    return {
      ok: false,
      problem: `${topic}: ${kind} refused: gatewayId "${value.gatewayId}" is not the topic's gateway "${gatewayId}"`,
    };
  return { ok: true, value };
}

/** What the handlers work with; handed in by the Central. */
export interface InboundContext {
  store: CentralStore;
  siteId: string;
  logger: Logger;
  counters: CentralCounters;
  publisher: CentralPublisher;
  limits: MessageLimits;
  replayLimit: number;
  clock: () => number;
  /** The configuration in force. */
  config(): SiteConfigDoc;
  /** Publishes the config in force if its revision has not been published on this connection. */
  publishConfig(): Promise<void>;
  /** CentralOptions.onDecisions: told the decisions of each batch stored (a chain relays them). */
  onDecisions?: ((events: DecisionEvent[]) => void) | undefined;
}

/**
 * A hello: records the gateway's site, catches up with a gateway that is ahead of this central
 * (another central's revisions), raises the watermark to what the gateway says was acked, answers
 * (snapshot, replay or one empty part) and re-sends the acks.
 */
export async function onHello(ctx: InboundContext, hello: HelloMessage): Promise<void> {
  const { store, logger: log } = ctx;
  const g = hello.gatewayId;
  ctx.counters.hellos++;
  if (hello.siteId !== ctx.siteId) {
    ctx.counters.hellosOtherSite++;
    // Said once per gateway (a typo in gateway.site shows up here); on a broker shared by several
    // sites the others' hellos are normal. Recorded, so its events are known not to be ours.
    const known = gatewayInfo(store, g)?.siteId;
    recordHello(store, hello, ctx.clock());
    const fields = { gatewayId: g, siteId: hello.siteId, servedSite: ctx.siteId };
    if (known !== hello.siteId) log.info(fields, "hello from a gateway of another site: ignored");
    else log.debug(fields, "hello from a gateway of another site: ignored");
    return;
  }
  const siteRev = store.siteRev();
  const configRev = store.configRev();
  let plan: AnswerPlan = planAnswer(hello.lastRev, siteRev, ctx.replayLimit);
  const marks = store.transaction(() => {
    recordHello(store, hello, ctx.clock());
    // The gateway ignores a snapshot older than what it has applied, and every change up to it: the
    // central moves its revision up to the gateway's (nothing changed in between, so nothing is
    // published for those revisions; other gateways see a gap at the next change and resync).
    if (hello.lastRev > siteRev) {
      store.setMeta("site_rev", hello.lastRev);
      store.setMeta("published_rev", Math.max(store.publishedRev(), hello.lastRev));
      plan = { kind: "snapshot", fromRev: 0, toRev: hello.lastRev };
    }
    // Likewise a config rev at or below the applied one is ignored: move past it.
    if (hello.configRev > configRev) store.setMeta("config_rev", hello.configRev + 1);
    const firstSeq = hello.outbox.firstSeq;
    if (firstSeq !== null) return raiseWatermark(store, g, firstSeq);
    const before = advanceWatermark(store, g);
    return { before, after: before };
  });
  if (hello.lastRev > siteRev)
    log.warn(
      { gatewayId: g, lastRev: hello.lastRev, siteRev },
      "gateway is ahead of this central (revisions of another central?): site revision moved up to it, sending a snapshot",
    );
  if (hello.configRev > configRev) {
    log.warn(
      { gatewayId: g, gatewayConfigRev: hello.configRev, configRev: store.configRev() },
      "gateway has a newer config revision than this central: config published again past it",
    );
    await ctx.publishConfig();
  } else if (configRefusers(ctx.config(), [hello]).length > 0)
    log.warn(
      { gatewayId: g, configRev },
      "gateway lacks the homeSite feature the site configuration's limits need (limits[].at): upgrade it",
    );
  if (marks.after > marks.before)
    log.info(
      { gatewayId: g, from: marks.before, to: marks.after, firstSeq: hello.outbox.firstSeq },
      "watermark raised: the gateway no longer holds the events below its outbox",
    );
  // sync.md "Features": shaped by what this gateway said it takes, as of now.
  const shape = docShaper(gatewayCapability(hello), ctx.config(), ctx.clock());
  const answer = buildAnswer(store, plan, ctx.limits, shape);
  if (plan.kind === "snapshot") ctx.counters.snapshots++;
  else if (plan.kind === "replay") ctx.counters.replays++;
  else ctx.counters.inStep++;
  const sent = await ctx.publisher.answer(g, answer);
  if (sent === answer.parts)
    log.info(
      {
        gatewayId: g,
        answer: plan.kind,
        lastRev: hello.lastRev,
        fromRev: plan.fromRev,
        toRev: plan.toRev,
        parts: answer.parts,
        members: answer.members,
        deletedMembers: answer.deleted,
      },
      "hello answered",
    );
  // sync.md "Seq after a restore": the highest seq held, past any gap, and the hello's token.
  const lastSeq = highestStoredSeq(store, g);
  await ctx.publisher.acks(g, marks.after, {
    lastSeq,
    ...(hello.helloId === undefined ? {} : { helloId: hello.helloId }),
  });
}

/**
 * A batch of events: stored in one transaction (see storeEvents) when the gateway belongs to this
 * site, then acked (always, even when the watermark did not move: that is what clears an event the
 * gateway queued again), then the members it changed are published as the next revision.
 */
export async function onEvents(ctx: InboundContext, msg: EventsMessage): Promise<void> {
  const { store, logger: log, counters } = ctx;
  const g = msg.gatewayId;
  counters.eventBatches++;
  const site = gatewayInfo(store, g)?.siteId ?? null;
  if (site !== ctx.siteId) {
    // The site of a gateway is known from its hello only; acking another site's events would make
    // that gateway forget them before its own central has them.
    counters.eventsIgnored += msg.events.length;
    if (site === null)
      log.warn(
        { gatewayId: g, events: msg.events.length },
        "events from a gateway that has not said hello yet: not stored, not acked (it sends them again)",
      );
    else log.debug({ gatewayId: g, siteId: site }, "events from a gateway of another site: ignored");
    return;
  }
  const out = storeEvents(store, g, msg.events, ctx.clock(), knownIds(ctx.config()), ctx.limits);
  counters.eventsStored += out.stored;
  counters.eventsDuplicate += out.duplicates;
  counters.eventsReplaced += out.replaced;
  counters.ledgerEntries += out.entries;
  counters.unknownEntries += out.unknownEntries;
  if (out.decisions.length > 0 && ctx.onDecisions !== undefined) {
    try {
      ctx.onDecisions(out.decisions);
    } catch (err) {
      // Stored is stored: the gateway still gets its acks and the members their changes.
      log.error(
        { err, gatewayId: g, decisions: out.decisions.length },
        "decisions not handed on (onDecisions failed)",
      );
    }
  }
  log.info(
    {
      gatewayId: g,
      events: msg.events.length,
      firstSeq: msg.events[0]?.seq,
      lastSeq: msg.events.at(-1)?.seq,
      stored: out.stored,
      duplicates: out.duplicates,
      replaced: out.replaced,
      ledgerEntries: out.entries,
      upTo: out.watermark,
      changedMembers: out.changed.length,
    },
    "events stored and acked",
  );
  if (out.unknownEntries > 0)
    log.warn(
      { gatewayId: g, entries: out.unknownEntries },
      "ledger entries for multipacks the members file does not have: kept, folded in if the multipack appears",
    );
  if (out.watermark < (msg.events.at(-1)?.seq ?? 0))
    log.warn(
      { gatewayId: g, upTo: out.watermark, lastSeq: msg.events.at(-1)?.seq },
      "events missing before this batch: acked only up to the gap",
    );
  await ctx.publisher.acks(g, out.watermark);
  await ctx.publisher.pendingChanges();
}

/** A status: recorded; a change between online and offline is logged, and problems the gateway reports. */
export function onStatus(ctx: InboundContext, gatewayId: string, status: StatusMessage): void {
  const { store, logger: log } = ctx;
  const site = gatewayInfo(store, gatewayId)?.siteId ?? null;
  if (site !== null && site !== ctx.siteId) return;
  ctx.counters.statuses++;
  const previous = gatewayInfo(store, gatewayId)?.status ?? null;
  const wasOnline = recordStatus(store, gatewayId, status, ctx.clock());
  if (status.online) {
    if (wasOnline !== true)
      log.info(
        {
          gatewayId,
          version: status.version,
          lastRev: status.lastRev,
          configRev: status.configRev,
          outboxPending: status.outboxPending,
        },
        "gateway online",
      );
    const before = previous?.online === true ? previous.problems : [];
    if (JSON.stringify(before) !== JSON.stringify(status.problems)) {
      if (status.problems.length > 0)
        log.warn({ gatewayId, problems: status.problems }, "gateway reports problems");
      else log.info({ gatewayId }, "gateway reports no problems");
    }
  } else if (wasOnline !== false) log.info({ gatewayId }, "gateway offline");
}

/**
 * Decisions of `siteId`, another site of this central's chain: stored with their site (see
 * storeRelayedEvents), never acked, and the members they changed published as the next revision.
 */
export async function onRelayed(
  ctx: InboundContext,
  siteId: string,
  events: readonly DecisionEvent[],
): Promise<RelayOutcome> {
  const { counters, logger: log } = ctx;
  const out = storeRelayedEvents(ctx.store, siteId, events, ctx.clock(), knownIds(ctx.config()), ctx.limits);
  counters.eventsRelayed += out.stored + out.replaced;
  counters.ledgerEntries += out.entries;
  counters.unknownEntries += out.unknownEntries;
  counters.relayConflicts += out.conflicts.length;
  log.info(
    {
      siteId,
      events: events.length,
      stored: out.stored,
      duplicates: out.duplicates,
      replaced: out.replaced,
      ledgerEntries: out.entries,
      changedMembers: out.changed.length,
    },
    "relayed events stored",
  );
  if (out.conflicts.length > 0)
    log.warn(
      { siteId, conflicts: out.conflicts },
      "relayed events refused: another event is stored under the same gateway and seq (gateway ids must be unique across a chain)",
    );
  await ctx.publisher.pendingChanges();
  return out;
}
