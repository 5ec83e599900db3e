import {
  type ChangesMessage,
  type ConfigMessage,
  parseSyncPayload,
  type StatusMessage,
  type SyncKind,
  type SyncMessage,
} from "../../config/protocol/payloads.js";
import { gatewaySubscriptions, SYNC_QOS, syncTopics } from "../../config/protocol/topics.js";
import type { StatusSync } from "../../config/statusDocument.js";
import { mqttCredentials } from "../../config/sync.js";
import { MqttConnection } from "../../drivers/mqtt/connection.js";
import type { MqttMessage } from "../../drivers/mqtt/mqttTypes.js";
import type { Health } from "../../drivers/transport/reconnecting.js";
import { syncState } from "../store/db.js";
import { finishSyncAnswer } from "../store/syncApply.js";
import { packetGuard, type SyncClientOptions } from "./clientOptions.js";
import { answerCommand } from "./commandChannel.js";
import { helloMessage } from "./hello.js";
import { rejectInvalidConfig } from "./inbound.js";
import { type HelloReason, InboundApply } from "./inboundApply.js";
import { OutboxPublisher } from "./outboxPublisher.js";
import { PartChecker } from "./partChecker.js";
import { SeqGuard } from "./seqGuard.js";
import { StepTracker } from "./stepTracker.js";
import { buildReport, noSyncCounters, type SyncCounters, syncProblems } from "./syncReport.js";

/** Lets the event loop run (scans, reader bytes) between two slices of sync work. */
const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

/** sync.md: the session outlives a week away (≥ 1 day asked). */
const SESSION_EXPIRY_SECONDS = 86_400 * 7;
const OFFLINE = JSON.stringify({ online: false });

export type { SyncClientOptions } from "./clientOptions.js";

/** The sync client; the constructor only assigns, `start()` connects, `stop()` says goodbye. */
export class SyncClient {
  readonly link: MqttConnection;
  readonly publisher: OutboxPublisher;
  private readonly o: SyncClientOptions;
  private readonly siteId: string;
  private readonly topics: Record<SyncKind, string>;
  private readonly totals: SyncCounters = noSyncCounters();
  private queue: Promise<void> = Promise.resolve();
  private unsubscribers: (() => void)[] = [];
  private wasOpen = false;
  private started = false;
  private stopped = false;
  private lastHelloAt = Number.NEGATIVE_INFINITY;
  private helloTimer: unknown;
  private lastStatusAt = Number.NEGATIVE_INFINITY;
  private statusTimer: unknown;
  private lastStatusKey = "";
  /** Applies config, changes and sync parts, and keeps what the status says of them. */
  private readonly inbound: InboundApply;
  /** In step with the central or not (sync.offline counts staleness from the last moment it was). */
  private readonly step: StepTracker;
  /** Whether an ack or an answer came since the last hello: the central heard it (onAckTimeout). */
  private heardSinceHello = false;
  /** sync.md "Seq after a restore": holds the outbox until the central has said which seqs it holds. */
  private readonly seqGuard: SeqGuard;
  /** Validates changes and sync parts on a worker thread as they arrive (issue 12 §4). */
  private readonly checker: PartChecker;

  constructor(options: SyncClientOptions) {
    this.o = options;
    const { config, gatewayId } = options;
    if (!config.mqtt) throw new Error("sync: the mqtt section is missing");
    if (!config.gateway.site) throw new Error("sync: gateway.site is missing");
    this.siteId = config.gateway.site;
    this.topics = syncTopics(config.sync.topicPrefix, this.siteId, gatewayId);
    this.link = new MqttConnection({
      config: { ...config.mqtt, ...mqttCredentials(config.mqtt, options.env ?? process.env) },
      gatewayId,
      clientId: `${config.mqtt.clientId ?? `accessgw-${gatewayId}`}-sync`,
      session: {
        expirySeconds: SESSION_EXPIRY_SECONDS,
        will: { topic: this.topics.status, payload: OFFLINE, qos: SYNC_QOS, retain: true },
        maximumPacketSize: packetGuard(config.sync.maxMessageBytes),
      },
      logger: options.logger,
      now: options.clock,
      scheduler: options.scheduler,
      flowControl: true,
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
    this.step = new StepTracker({
      store: options.store,
      clock: options.clock,
      scheduler: options.scheduler,
      logger: options.logger,
      ...(options.freshnessIntervalMs === undefined ? {} : { intervalMs: options.freshnessIntervalMs }),
    });
    this.inbound = new InboundApply({
      store: options.store,
      siteId: this.siteId,
      clock: options.clock,
      scheduler: options.scheduler,
      logger: options.logger,
      totals: this.totals,
      step: this.step,
      hello: (why) => void this.sendHello(why),
      linkOpen: () => this.link.isOpen(),
      ...(options.answerStallMs === undefined ? {} : { answerStallMs: options.answerStallMs }),
    });
    this.checker = new PartChecker({
      logger: options.logger,
      pause,
      onMainThread: () => this.totals.partsCheckedOnMainThread++,
      ...(options.partCheckWorker ? { startWorker: options.partCheckWorker } : {}),
    });
    this.seqGuard = new SeqGuard({
      store: options.store,
      scheduler: options.scheduler,
      logger: options.logger,
      confirmed: (upTo) => {
        void this.sendHello("restored");
        this.publisher.acked(upTo);
      },
    });
    this.publisher = new OutboxPublisher({
      store: options.store,
      link: this.link,
      gatewayId,
      topic: this.topics.events,
      settings: config.sync,
      scheduler: options.scheduler,
      clock: options.clock,
      logger: options.logger,
      waitForHello: true,
      held: () => this.seqGuard.pending(),
      onAckTimeout: () => this.onAckTimeout(),
    });
  }

  /** Finishes an answer a crash interrupted, then subscribes, connects and publishes the outbox. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.checker.start();
    void this.enqueue("finish sync answer", async () => {
      if (await finishSyncAnswer(this.o.store, { now: this.o.clock() })) this.totals.syncsCompleted++;
    });
    const { topicPrefix } = this.o.config.sync;
    for (const filter of gatewaySubscriptions(topicPrefix, this.siteId, this.o.gatewayId))
      this.unsubscribers.push(this.link.subscribe(filter, (m) => this.onMessage(m)));
    this.unsubscribers.push(this.link.on("state", (h) => this.onState(h)));
    this.link.start();
    this.publisher.start();
  }

  /** Publishes the retained `{ "online": false }`, then disconnects. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const u of this.unsubscribers.splice(0)) u();
    this.publisher.stop();
    this.seqGuard.stop();
    this.step.stop();
    this.o.scheduler.clearTimeout(this.helloTimer);
    this.o.scheduler.clearTimeout(this.statusTimer);
    this.inbound.stop();
    if (this.link.isOpen())
      await this.link
        .publish(this.topics.status, OFFLINE, { qos: SYNC_QOS, retain: true })
        .catch((err: unknown) => this.o.logger.warn({ err }, "sync: could not publish the offline status"));
    await this.queue;
    await this.checker.stop();
    await this.link.stop();
  }

  /** A decision was recorded: publish the outbox soon and refresh the status. */
  poke(): void {
    this.publisher.poke();
    this.statusChanged();
  }

  /** An event already published was queued again (a grant undone): publish it again at once (sync.md). */
  resend(seq: number): void {
    this.publisher.resend(seq);
    this.statusChanged();
  }

  /** Something the status shows changed (a reader came or went): republish it, throttled. */
  statusChanged(): void {
    if (this.stopped || !this.started || this.statusTimer !== undefined) return;
    const wait = Math.max(0, this.lastStatusAt + (this.o.statusIntervalMs ?? 1000) - this.o.clock());
    this.statusTimer = this.o.scheduler.setTimeout(() => {
      this.statusTimer = undefined;
      void this.publishStatus(false);
    }, wait);
  }

  /** Resolves when every message received so far has been applied (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  /** The running totals (a copy). */
  counters(): SyncCounters {
    return { ...this.totals };
  }

  /** The sync link's own problems now (configRejected, outboxAlarm, syncRejected, offlineStale). */
  problems(): string[] {
    const pending = this.publisher.depth();
    const held = this.seqGuard.pending()
      ? ["seqUnconfirmed: restored from a backup; events are kept until the central says which seqs it holds"]
      : [];
    return [
      ...held,
      ...syncProblems({
        state: syncState(this.o.store),
        now: this.o.clock(),
        settings: this.o.config.sync,
        outboxPending: pending,
        outboxAlarm: this.publisher.alarm(),
        refused: this.inbound.refused,
        stranded: this.inbound.stranded,
      }),
    ];
  }

  /** The status as it would be published now (GatewayStatusMessage): the gateway's problems too. */
  status(): Extract<StatusMessage, { online: true }> {
    const state = syncState(this.o.store);
    return {
      online: true,
      at: new Date(this.o.clock()).toISOString(),
      version: this.o.version,
      lastRev: state.lastRev,
      configRev: state.configRev,
      outboxPending: this.publisher.depth(),
      readers: (this.o.readers?.() ?? []).map((r) => ({ id: r.id, connected: r.state === "open" })),
      problems: [...(this.o.problems?.() ?? []), ...this.problems()],
    };
  }

  /** The link, revisions, last sync, outbox and counters, for `accessgw status`. */
  report(): StatusSync {
    return buildReport({
      link: this.link,
      store: this.o.store,
      publisher: this.publisher,
      settings: this.o.config.sync,
      now: this.o.clock(),
      inStep: this.step.current(),
      counters: this.counters(),
      problems: this.problems(),
    });
  }

  private onState(h: Health): void {
    const open = h.state === "open";
    // Not awaited inside the queue: their PUBACKs come in on the flow-controlled socket.
    if (open && !this.wasOpen)
      void this.enqueue("announce", () => {
        void this.publishStatus(true);
        void this.sendHello("connect");
      });
    // Away from the broker, changes may be missed: the cache was current until now.
    if (!open && this.wasOpen) this.step.leave();
    this.wasOpen = open;
  }

  /** Runs `task` after everything queued before it; resolves when it is done (never rejects). */
  private enqueue(what: string, task: () => Promise<void> | void): Promise<void> {
    this.queue = this.queue
      .then(task)
      .catch((err: unknown) => this.o.logger.error({ err }, `sync: ${what} failed`));
    return this.queue;
  }

  /**
   * One message from the central. The link is flow-controlled: the promise returned holds the
   * message's PUBACK (and the next message) until it has been applied, so a big snapshot waits at
   * the broker rather than in memory. Nothing queued here may wait for the network.
   */
  private onMessage(m: MqttMessage): Promise<void> | undefined {
    const kind = (Object.keys(this.topics) as SyncKind[]).find((k) => this.topics[k] === m.topic);
    if (kind === undefined || kind === "command-results") return undefined;
    const max = this.o.config.sync.maxMessageBytes;
    // D5: a command waits for no sync work (it would turn stale behind a snapshot), nor holds it up.
    if (kind === "commands")
      return void answerCommand(
        {
          link: this.link,
          resultsTopic: this.topics["command-results"],
          logger: this.o.logger,
          dropped: (problem) => this.dropped(m, problem),
          stopped: () => this.stopped,
          ...(this.o.commands === undefined ? {} : { handle: this.o.commands }),
        },
        m,
        max,
      );
    if (kind === "acks") {
      const parsed = parseSyncPayload(kind, m.topic, m.payload, max);
      if (!parsed.ok) return void this.dropped(m, parsed.problem);
      this.heardSinceHello = true;
      this.totals.acks++;
      this.publisher.acked(this.seqGuard.ack(parsed.value));
      this.statusChanged();
      return undefined;
    }
    // Members are validated on the worker as soon as they arrive, while earlier messages are written.
    const checked =
      kind === "changes" || kind === "sync" ? this.checker.check(kind, m.topic, m.payload, max) : undefined;
    return this.enqueue(kind, async () => {
      const parsed = checked ? await checked : parseSyncPayload(kind, m.topic, m.payload, max);
      if (!parsed.ok) {
        this.dropped(m, parsed.problem);
        if (kind === "config" && rejectInvalidConfig(this.o.store, m.payload, parsed.problem))
          this.totals.configsRejected++;
        this.statusChanged();
        return;
      }
      const value = parsed.value;
      // An answer proves the central heard the hello; a change or config does not.
      if (kind === "sync") this.heardSinceHello = true;
      if (kind === "config") this.inbound.config(value as ConfigMessage);
      else if (kind === "changes") this.inbound.changes(value as ChangesMessage);
      else if (kind === "sync") await this.inbound.syncPart(value as SyncMessage);
      this.statusChanged();
    });
  }

  /** sync.md: a payload that fails validation is logged with its topic, counted and dropped. */
  private dropped(m: MqttMessage, problem: string): void {
    this.totals.badPayloads++;
    this.o.logger.warn({ topic: m.topic, problem }, "sync: payload dropped");
  }

  /**
   * Events went unacked. When neither an ack nor an answer has come since the last hello, the
   * central may not have heard that hello (it started after the gateway, or lost its session): a
   * central answers and acks the gateways it has heard say hello, so say it again (at most once per
   * helloIntervalMs).
   */
  private onAckTimeout(): void {
    if (this.heardSinceHello || this.stopped) return;
    void this.sendHello("silent");
  }

  /** Hello on connect always; on a gap at most once per helloIntervalMs (later ones are deferred). */
  private async sendHello(why: HelloReason): Promise<void> {
    const now = this.o.clock();
    const interval = this.o.helloIntervalMs ?? 5000;
    if ((why === "gap" || why === "silent") && now - this.lastHelloAt < interval) {
      this.totals.hellosDeferred++;
      if (this.helloTimer === undefined)
        this.helloTimer = this.o.scheduler.setTimeout(
          () => {
            this.helloTimer = undefined;
            if (!this.stopped) void this.sendHello("gap");
          },
          this.lastHelloAt + interval - now,
        );
      return;
    }
    this.lastHelloAt = now;
    this.heardSinceHello = false;
    this.o.scheduler.clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    const hello = helloMessage(this.o, this.siteId, this.seqGuard.nextHelloId());
    const sent = this.link.publish(this.topics.hello, JSON.stringify(hello), { qos: SYNC_QOS });
    // The hello is on the wire ahead of them: the outbox may go now (sync.md: events after hello).
    this.publisher.helloSent();
    try {
      await sent;
      this.totals.hellos++;
      this.o.logger.info({ why, lastRev: hello.lastRev, historyDays: hello.historyDays }, "sync: hello sent");
    } catch (err) {
      // The next connect says hello again.
      this.o.logger.warn({ err, why }, "sync: could not send hello");
    }
  }

  /** Publishes the retained status when it differs from the last one (or always, on connect). */
  private async publishStatus(always: boolean): Promise<void> {
    if (this.stopped || !this.link.isOpen()) return;
    const status = this.status();
    const key = JSON.stringify({ ...status, at: "" });
    if (!always && key === this.lastStatusKey) return;
    this.lastStatusAt = this.o.clock();
    try {
      await this.link.publish(this.topics.status, JSON.stringify(status), { qos: SYNC_QOS, retain: true });
      this.lastStatusKey = key;
      this.totals.statusPublished++;
    } catch (err) {
      this.o.logger.warn({ err }, "sync: could not publish the status");
    }
  }
}
