/**
 * What the sync client does with a valid config, change or sync part from the central: applies it
 * to the cache (sync.md), counts and logs what became of it, and decides what follows — entering or
 * leaving step, a hello after a gap, a stalled answer or a config that makes refused members valid,
 * and the problems the status shows (syncRejected, configStranded).
 */
import type { Logger } from "pino";
import type { ConfigMessage } from "../../config/protocol/payloads.js";
import type { SiteConfig } from "../../config/site.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import { historyHorizonDays } from "../engine/horizon.js";
import { ChangeSet } from "../store/changeSet.js";
import type { Store } from "../store/db.js";
import { applyChanges, applySyncPart, type SiteChanges, type SyncPart } from "../store/syncApply.js";
import { logChanges } from "./changeLog.js";
import { applyConfig, productsInUse } from "./inbound.js";
import type { StepTracker } from "./stepTracker.js";
import type { SyncCounters } from "./syncReport.js";

/** Why a hello is asked for. */
export type HelloReason = "connect" | "gap" | "config" | "horizon" | "stall" | "silent" | "restored";

/** What the appliers are handed by the client. */
export interface InboundOptions {
  store: Store;
  siteId: string;
  clock: () => number;
  scheduler: Scheduler;
  logger: Logger;
  /** The client's running totals (shared). */
  totals: SyncCounters;
  step: StepTracker;
  hello: (why: HelloReason) => void;
  /** True while the link is up (a stalled answer is asked for again only then). */
  linkOpen: () => boolean;
  answerStallMs?: number;
}

/** The appliers' state for the status; the constructor only assigns. */
export class InboundApply {
  /** The last refused change or sync part, shown in the status until a change or sync applies. */
  refused: string | undefined;
  /** Products the last config dropped that stored multipacks still use (status configStranded). */
  stranded: { rev: number; products: string[] } | undefined;
  /** A change or part was refused (e.g. members before their config): ask again once a config applies. */
  private resyncAfterConfig = false;
  private stallTimer: unknown;
  private stopped = false;

  constructor(private readonly o: InboundOptions) {}

  /** Cancels the stall timer; nothing is asked for after this. */
  stop(): void {
    this.stopped = true;
    this.o.scheduler.clearTimeout(this.stallTimer);
  }

  /** sync.md config: applied whole when newer, or rejected whole (the previous stays). */
  config(msg: ConfigMessage): void {
    const { totals, logger } = this.o;
    const before = this.o.store.siteConfig();
    const out = applyConfig(this.o.store, msg, this.o.siteId, this.o.clock());
    if (out.status === "applied") {
      totals.configsApplied++;
      this.stranded = out.stranded.length > 0 ? { rev: msg.rev, products: out.stranded } : undefined;
      logger.info({ rev: msg.rev }, "sync: config applied");
      if (out.changes) logChanges(logger, `sync: config rev ${msg.rev}`, out.changes, { rev: msg.rev });
      if (this.stranded)
        logger.warn(
          { rev: msg.rev, products: out.stranded },
          "sync: the config dropped products that stored multipacks use; they are refused until their members are updated",
        );
      const horizonMoved = before !== null && horizonOf(before) !== horizonOf(this.o.store.siteConfig());
      if (this.resyncAfterConfig || horizonMoved) {
        // Members refused for want of this config (products, areas) can be asked for again; and
        // sync.md "History horizon": the central learns a new horizon at once, not at a reconnect.
        // (A first config needs no hello: the one without a horizon already asked for everything.)
        this.resyncAfterConfig = false;
        this.o.hello(horizonMoved ? "horizon" : "config");
      }
    } else if (out.status === "rejected") {
      totals.configsRejected++;
      logger.error({ rev: msg.rev, problems: out.problems }, "sync: config rejected, the previous stays");
    }
  }

  /** sync.md changes: in revision order; duplicates ignored; a gap asks for a hello. */
  changes(change: SiteChanges): void {
    const { totals, logger } = this.o;
    const changes = new ChangeSet();
    const out = applyChanges(this.o.store, change, { now: this.o.clock(), origin: "central", changes });
    if (out.status === "applied") {
      totals.changesApplied++;
      logChanges(logger, `sync: changes rev ${change.rev}`, changes.report(), { rev: change.rev });
      this.refused = undefined;
      this.recheckStranded();
      // A change that follows the last one applied in order: the cache is current as of now.
      this.o.step.enter();
    } else if (out.status === "duplicate") totals.duplicates++;
    else if (out.status === "gap") {
      totals.gaps++;
      this.o.step.leave();
      this.o.hello("gap");
    } else {
      totals.changesRejected++;
      // Members naming what the site lacks may be fine once a newer config has arrived.
      this.resyncAfterConfig = true;
      this.refused = `changes rev ${change.rev}: ${out.problems.slice(0, 3).join("; ")}`;
      logger.error({ rev: change.rev, problems: out.problems }, "sync: changes rejected");
    }
  }

  /** sync.md sync answers, part by part; the last part completes the answer. */
  async syncPart(part: SyncPart): Promise<void> {
    const { totals, logger } = this.o;
    const changes = new ChangeSet();
    const out = await applySyncPart(this.o.store, part, { now: this.o.clock(), origin: "central", changes });
    const where = { part: part.part, parts: part.parts, toRev: part.toRev };
    if (out.status === "applied" || out.status === "complete") {
      totals.partsApplied++;
      logChanges(logger, `sync: part ${part.part}/${part.parts}`, changes.report(), where);
    }
    this.watchStall(out.status === "applied");
    if (out.status === "complete") {
      totals.syncsCompleted++;
      this.refused = undefined;
      this.recheckStranded();
      this.o.step.enter();
      logger.info(where, "sync: answer complete");
    } else if (out.status === "current") {
      this.o.step.enter();
      logger.info({ lastRev: part.toRev }, "sync: in step with the central");
    } else if (out.status === "gap") this.o.hello("gap");
    else if (out.status === "rejected") {
      totals.partsRejected++;
      this.resyncAfterConfig = true;
      this.refused = `sync part ${part.part}/${part.parts}: ${out.problems.slice(0, 3).join("; ")}`;
      logger.error({ ...where, problems: out.problems }, "sync: part rejected");
    }
  }

  /** Drops the stranded products no stored multipack uses any more (members were updated). */
  private recheckStranded(): void {
    if (!this.stranded) return;
    const still = productsInUse(this.o.store, this.stranded.products);
    this.stranded = still.length > 0 ? { ...this.stranded, products: still } : undefined;
  }

  /** While an answer is unfinished, a hello follows when its parts stop coming for answerStallMs. */
  private watchStall(waiting: boolean): void {
    this.o.scheduler.clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    if (!waiting || this.stopped) return;
    const ms = this.o.answerStallMs ?? 60_000;
    this.stallTimer = this.o.scheduler.setTimeout(() => {
      this.stallTimer = undefined;
      if (this.stopped || !this.o.linkOpen()) return;
      this.o.logger.warn({ answerStallMs: ms }, "sync: answer stalled, asking again");
      this.o.hello("stall");
    }, ms);
  }
}

/** sync.md "History horizon": the horizon a stored site configuration states (null: none). */
function horizonOf(site: SiteConfig | null): number | null | undefined {
  return site === null ? undefined : historyHorizonDays(site);
}
