/**
 * The reference central server of sync.md: the central side of the contract for one site, fed by a
 * site configuration file and a members file instead of a back office. Technicians commission a site
 * with it, tests use it as the central, the demo runs it next to the gateway.
 *
 * The files are validated as `accessgw import` validates them; every accepted edit becomes a new
 * config revision (retained) and/or the next `changes`; hellos are answered with a snapshot, a replay
 * or one empty part; events are stored idempotently and acked up to the first gap; the ledger entries
 * they carry are echoed in later member documents. All work goes through one queue, so revisions are
 * taken and published strictly in order. State lives in SQLite in the data folder (see centralStore.ts).
 */

import type { Logger } from "pino";
import { AccessGwError } from "../config/errors.js";
import type { Member } from "../config/members.js";
import type { DecisionEvent, SyncEvent } from "../config/protocol/events.js";
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_TOPIC_PREFIX } from "../config/protocol/payloads.js";
import { centralSubscriptions } from "../config/protocol/topics.js";
import type { MqttConnection } from "../drivers/mqtt/connection.js";
import type { MqttMessage } from "../drivers/mqtt/mqttTypes.js";
import { type InboundContext, onEvents, onHello, onRelayed, onStatus } from "./centralInbound.js";
import { centralLink, openSiteStore, watchSources } from "./centralLink.js";
import { CentralPublisher } from "./centralPublisher.js";
import type { CentralStore } from "./centralStore.js";
import {
  type CentralCounters,
  type CentralOptions,
  newCounters,
  type ReloadOutcome,
} from "./centralTypes.js";
import { ConfigGate } from "./configGate.js";
import { docShaper, siteCapability } from "./docShape.js";
import { storedEvents } from "./eventIntake.js";
import type { FileWatcher } from "./fileWatcher.js";
import { routeGatewayMessage } from "./gatewayRouter.js";
import { type GatewayInfo, listGateways, siteHellos, stalenessAt, watermark } from "./gatewayStore.js";
import { creditsRemaining, type SiteConfigDoc } from "./memberDocs.js";
import {
  countMembers,
  type MessageLimits,
  memberDoc,
  multipackOwner,
  publishedMembers,
} from "./memberStore.js";
import { DEFAULT_PART_BYTES, DEFAULT_PART_MEMBERS, DEFAULT_REPLAY_LIMIT } from "./messages.js";
import { type ConfigToPublish, reconcile } from "./reconcile.js";
import type { RelayOutcome } from "./relayIntake.js";
import { ownDecisions } from "./relayIntake.js";
import { loadSourcesOrThrow, type SourceData } from "./sourceFiles.js";

/** The central; the constructor only assigns, `start()` loads and connects, `stop()` disconnects. */
export class Central {
  private readonly o: CentralOptions;
  private readonly log: Logger;
  private readonly prefix: string;
  private readonly limits: MessageLimits;
  private readonly totals: CentralCounters = newCounters();
  private store: CentralStore | undefined;
  private connection: MqttConnection | undefined;
  private publisher: CentralPublisher | undefined;
  private watcher: FileWatcher | undefined;
  private releaseLock: (() => void) | undefined;
  private config: SiteConfigDoc | undefined;
  /** A config to publish before the pending changes (see ReconcileOutcome.before). */
  private before: ConfigToPublish | null = null;
  /** The config revision published on the current connection (0: none yet). */
  private configPublished = 0;
  /** sync.md "Features": holds back a config a gateway of the site cannot take. */
  private readonly gate: ConfigGate;
  private queue: Promise<void> = Promise.resolve();
  private wasOpen = false;
  private started = false;
  private stopped = false;
  /** Which gateways of the site still count for shaping and the config gate (gatewayStore.ts). */
  private readonly staleness = () => stalenessAt((this.o.clock ?? Date.now)(), this.o.staleGatewayDays);

  constructor(options: CentralOptions) {
    this.o = options;
    this.log = options.logger;
    this.prefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
    this.limits = {
      partMembers: options.partMembers ?? DEFAULT_PART_MEMBERS,
      partBytes: options.partBytes ?? DEFAULT_PART_BYTES,
    };
    this.gate = new ConfigGate({
      store: () => this.requireStore(),
      siteId: options.siteId,
      log: this.log,
      counters: this.totals,
      staleness: () => this.staleness(),
    });
  }

  /**
   * Opens the store, loads and validates the files (AccessGwError DATA_INVALID with every problem when
   * they are bad), brings the store in line with them, then connects and watches the files.
   */
  async start(): Promise<void> {
    if (this.started) return;
    const mqtt = this.o.mqtt ?? (this.o.brokerUrl === undefined ? undefined : { url: this.o.brokerUrl });
    if (mqtt === undefined)
      throw new AccessGwError("USAGE", "the central needs a broker (brokerUrl or mqtt)");
    this.started = true;
    let opened: { store: CentralStore; release: () => void } | undefined;
    try {
      opened = openSiteStore(this.o);
      this.takeFiles(opened.store, this.load(opened.store));
    } catch (err) {
      opened?.store.close();
      opened?.release();
      // Nothing was started: start() may be called again (after the files are fixed).
      this.started = false;
      throw err;
    }
    const store = opened.store;
    this.store = store;
    this.releaseLock = opened.release;
    const link = centralLink(this.o, mqtt, this.log);
    this.connection = link;
    this.publisher = new CentralPublisher({
      store,
      link,
      topicPrefix: this.prefix,
      siteId: this.o.siteId,
      logger: this.log,
      counters: this.totals,
      // sync.md "Features": changes go to every gateway of the site, so the least capable decides.
      changesShape: () =>
        docShaper(
          siteCapability(siteHellos(store, this.o.siteId, this.staleness())),
          this.config as SiteConfigDoc,
          (this.o.clock ?? Date.now)(),
        ),
    });
    // Never unsubscribed: the persistent session keeps the subscriptions while the central is away.
    for (const filter of centralSubscriptions(this.prefix)) link.subscribe(filter, (m) => this.onMessage(m));
    link.on("state", (h) => {
      const open = h.state === "open";
      if (open && !this.wasOpen) {
        this.configPublished = 0;
        void this.enqueue("publish after connect", () => this.publishAll(), undefined);
      }
      this.wasOpen = open;
    });
    link.start();
    this.watcher = watchSources(this.o, this.log, () => void this.reload());
  }

  /** Stops watching, finishes queued work, disconnects (the broker keeps the session) and closes the store. */
  async stop(): Promise<void> {
    if (!this.started || this.stopped) return;
    this.stopped = true;
    this.watcher?.stop();
    await this.idle();
    await this.connection?.stop();
    // Messages that arrived while stopping are handled (their publishes fail; the gateways resend).
    await this.idle();
    this.store?.close();
    this.releaseLock?.();
  }

  /**
   * Reads the files again: a valid edit becomes a new config revision and/or the next `changes`
   * (published at once); an invalid one is refused whole with its problems logged, and nothing changes.
   */
  reload(): Promise<ReloadOutcome> {
    const refused = (problems: string[], configRev: number): ReloadOutcome => ({
      accepted: false,
      problems,
      configRev,
      revs: [],
    });
    if (this.store === undefined || this.stopped)
      return Promise.resolve(refused(["the central is not running"], 0));
    return this.enqueue(
      "reload",
      async () => {
        const store = this.requireStore();
        let data: SourceData;
        try {
          data = this.load(store);
        } catch (err) {
          const problems = err instanceof AccessGwError ? err.problems : [String(err)];
          this.totals.reloadsRefused++;
          this.log.error({ problems }, "file edit refused: the previous data stays in force");
          return refused(problems, store.configRev());
        }
        const out = this.takeFiles(store, data);
        this.totals.reloadsAccepted++;
        await this.publishAll();
        return { accepted: true, problems: [], configRev: out.configRev, revs: out.revs };
      },
      refused(["the reload failed (see the log)"], 0),
    );
  }

  /**
   * A chain: stores decisions of `siteId`, another site of it, on the central's queue, and publishes
   * the members they changed (their visits, their ledger entries); null when not running or it failed.
   */
  takeRelayed(siteId: string, events: readonly DecisionEvent[]): Promise<RelayOutcome | null> {
    if (this.store === undefined || this.stopped) return Promise.resolve(null);
    return this.enqueue("relayed events", () => onRelayed(this.inbound(), siteId, events), null);
  }

  /** Resolves when every message received and every reload asked for so far has been handled. */
  async idle(): Promise<void> {
    for (;;) {
      const q = this.queue;
      await q;
      if (q === this.queue) return;
    }
  }

  /** True while connected to the broker. */
  isConnected(): boolean {
    return this.connection?.isOpen() === true;
  }

  /** Resolves once the broker has acknowledged the central's subscriptions. */
  whenSubscribed(): Promise<void> {
    return this.connection?.whenSubscribed() ?? Promise.resolve();
  }

  /** The member document as published (ledger entries from the gateways folded in), or null. */
  memberDoc(id: string): Member | null {
    return memberDoc(this.requireStore(), id);
  }

  /** Every member as published, in id order (the editor's what-if replays from them). */
  members(): Member[] {
    return publishedMembers(this.requireStore());
  }

  /** How many members the central publishes. */
  memberCount(): number {
    return countMembers(this.requireStore());
  }

  /** R16: the multipack's remaining credits as published; null when unknown or unlimited. */
  remaining(multipackId: string): number | null {
    const store = this.requireStore();
    const owner = multipackOwner(store, multipackId);
    const doc = owner === undefined ? null : memberDoc(store, owner);
    return doc === null || this.config === undefined ? null : creditsRemaining(doc, multipackId, this.config);
  }

  /** This site's events stored, in gateway and seq order; of one gateway (its relayed ones too, in a chain) when given. */
  events(gatewayId?: string): SyncEvent[] {
    return storedEvents(this.requireStore(), gatewayId);
  }

  /** Every event of the gateway with seq ≤ this is stored here (what the acks say). */
  watermark(gatewayId: string): number {
    return watermark(this.requireStore(), gatewayId);
  }

  /** A page of this site's own stored decisions after row `after` (relayIntake.ts `ownDecisions`). */
  ownDecisions(after: number, limit: number): { events: DecisionEvent[]; last: number } {
    return ownDecisions(this.requireStore(), after, limit);
  }

  /** The gateways heard of: site, watermark, last hello and status. */
  gateways(): GatewayInfo[] {
    return listGateways(this.requireStore());
  }

  /** The site revision (the rev of the last `changes`). */
  siteRev(): number {
    return this.requireStore().siteRev();
  }

  /** The config revision. */
  configRev(): number {
    return this.requireStore().configRev();
  }

  /** The running totals (a copy). */
  counters(): CentralCounters {
    return { ...this.totals };
  }

  private requireStore(): CentralStore {
    if (this.store === undefined) throw new Error("the central is not started");
    return this.store;
  }

  /** Reads and validates the files; throws AccessGwError DATA_INVALID listing every problem. */
  private load(store: CentralStore): SourceData {
    const files = { siteConfigFile: this.o.siteConfigFile, membersFile: this.o.membersFile };
    return loadSourcesOrThrow(files, this.o.siteId, (id) => multipackOwner(store, id));
  }

  /** Applies validated files to the store and logs what changed. */
  private takeFiles(store: CentralStore, data: SourceData): { configRev: number; revs: number[] } {
    const out = reconcile(store, data, this.limits);
    this.config = data.config;
    if (out.before !== null) this.before = out.before;
    const what = {
      configRev: out.configRev,
      configChanged: out.configChanged,
      siteRev: store.siteRev(),
      changedMembers: out.changed.length,
      deletedMembers: out.deleted.length,
      revs: out.revs,
    };
    if (out.configChanged || out.revs.length > 0) this.log.info(what, "files accepted");
    else this.log.info(what, "files accepted: nothing changed");
    return out;
  }

  /**
   * Publishes what is due, in the order gateways can apply it: a config that must come before the
   * pending changes, the changes in rev order, then the config in force (always after a connect).
   */
  private async publishAll(): Promise<void> {
    const publisher = this.publisher;
    const store = this.store;
    // Tried even while the broker is away: the failure is logged, and the next connect publishes it.
    if (publisher === undefined || store === undefined) return;
    if (this.before !== null) {
      const sent = await this.offerConfig(this.before);
      if (sent === "failed") return;
      if (sent === "sent") this.configPublished = this.before.rev;
      this.before = null;
    }
    if (!(await publisher.pendingChanges())) return;
    await this.publishConfig();
  }

  private async publishConfig(): Promise<void> {
    const store = this.requireStore();
    const rev = store.configRev();
    if (this.publisher === undefined || this.config === undefined || this.configPublished >= rev) return;
    if ((await this.offerConfig({ rev, config: this.config })) === "sent") this.configPublished = rev;
  }

  /** Publishes a config unless the gate holds it back (a gateway lacks a feature it needs). */
  private async offerConfig(msg: ConfigToPublish): Promise<"sent" | "withheld" | "failed"> {
    if (!this.gate.allows(msg)) return "withheld";
    return (await this.publisher?.config(msg)) === true ? "sent" : "failed";
  }

  private inbound(): InboundContext {
    return {
      store: this.requireStore(),
      siteId: this.o.siteId,
      logger: this.log,
      counters: this.totals,
      publisher: this.publisher as CentralPublisher,
      limits: this.limits,
      replayLimit: this.o.replayLimit ?? DEFAULT_REPLAY_LIMIT,
      clock: this.o.clock ?? Date.now,
      config: () => this.config as SiteConfigDoc,
      publishConfig: () => this.publishConfig(),
      onDecisions: this.o.onDecisions,
    };
  }

  /** Validates a gateway's message and queues its handling; a bad payload is logged, counted, dropped. */
  private onMessage(m: MqttMessage): unknown {
    return routeGatewayMessage(m, this.prefix, this.o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, {
      hello: (hello) =>
        void this.enqueue(
          "hello",
          async () => {
            await onHello(this.inbound(), hello);
            // A config withheld for a gateway without homeSite goes out once every gateway has it.
            if (this.gate.holding(this.configPublished)) await this.publishConfig();
          },
          undefined,
        ),
      events: (batch) => void this.enqueue("events", () => onEvents(this.inbound(), batch), undefined),
      status: (g, status) =>
        void this.enqueue("status", () => onStatus(this.inbound(), g, status), undefined),
      // D5: how a front-desk command ended (`accessgw central command` waits for its own); the
      // command event with who and why comes in the gateway's events.
      commandResult: (g, result) =>
        this.log.info({ gatewayId: g, ...result }, result.ok ? "command done" : "command refused"),
      refused: (topic, problem) => {
        this.totals.badPayloads++;
        this.log.warn({ topic, problem }, "payload dropped");
      },
    });
  }

  /** Runs `task` after everything queued before it; a failure is logged and gives `fallback`. */
  private enqueue<T>(what: string, task: () => Promise<T> | T, fallback: T): Promise<T> {
    const run = this.queue.then(task).catch((err: unknown) => {
      this.log.error({ err }, `central: ${what} failed`);
      return fallback;
    });
    this.queue = run.then(() => undefined);
    return run;
  }
}
