/**
 * Publishes the outbox to the central (sync.md "Events"): unacked events in `seq` order, in batches of
 * at most 500, QoS 1, one batch in flight, the next after the broker's PUBACK. After a reconnect, and
 * whenever no ack has covered a published event within `sync.ackTimeoutMs`, it goes back to the first
 * unacked event and publishes everything again; the central stores events by id, so at least once
 * here is exactly once there. The outbox is SQLite (R14): nothing here has to survive a restart.
 */
import type { Logger } from "pino";
import { SYNC_QOS } from "../../config/protocol/topics.js";
import type { SyncSettings } from "../../config/sync.js";
import type { MqttLink } from "../../drivers/mqtt/mqttTypes.js";
import type { Health } from "../../drivers/transport/reconnecting.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { Store } from "../store/db.js";
import { ackUpTo, outboxDepth, outboxRange, pendingEvents, unflagRequeued } from "../store/outbox.js";

/** What an OutboxPublisher is handed. */
export interface OutboxPublisherOptions {
  store: Store;
  link: MqttLink;
  gatewayId: string;
  /** `P/gateways/G/events` (syncTopic("events", …)). */
  topic: string;
  settings: Pick<SyncSettings, "batchSize" | "ackTimeoutMs" | "outboxAlarm">;
  scheduler: Scheduler;
  /** ms since the epoch, for the counters' timestamps. */
  clock: () => number;
  logger: Logger;
  /**
   * After each (re)connect, publish only once `helloSent()` is called: a central answers and acks a
   * gateway it has heard say hello, so events sent before it would wait for the ack timeout.
   */
  waitForHello?: boolean;
  /** While true, nothing is published (a restored gateway whose seq the central has not confirmed). */
  held?: () => boolean;
  /** Called when published events went unacked for ackTimeoutMs (before they are re-published). */
  onAckTimeout?: () => void;
}

/** Running totals since construction. */
export interface OutboxCounters {
  /** Batches the broker acknowledged (PUBACK). */
  batches: number;
  /** Events in those batches (a re-published event counts again). */
  eventsPublished: number;
  /** Times it went back to the first unacked event (ack timeout or reconnect) with events unacked. */
  republishes: number;
  /** Publishes that failed (link dropped, broker refused); retried on the next open or timer. */
  failures: number;
  /** Acks handled, and the highest `upTo` seen. */
  acks: number;
  ackedUpTo: number;
  /** When the last batch was acknowledged by the broker / the last ack arrived (ms), or null. */
  lastPublishedAt: number | null;
  lastAckAt: number | null;
}

/** Publishes the outbox; the constructor only assigns, `start()` begins, `stop()` ends. */
export class OutboxPublisher {
  private readonly o: OutboxPublisherOptions;
  private readonly totals: OutboxCounters = {
    batches: 0,
    eventsPublished: 0,
    republishes: 0,
    failures: 0,
    acks: 0,
    ackedUpTo: 0,
    lastPublishedAt: null,
    lastAckAt: null,
  };
  /** The highest seq the broker has acknowledged in this round (0: start from the first unacked). */
  private cursor = 0;
  /** Bumped on every reset, so a batch of an earlier round cannot move the cursor of this one. */
  private round = 0;
  private inFlight = false;
  /** The highest seq of the batch in flight (0 when none). */
  private inFlightLast = 0;
  /**
   * The highest seq any copy of which may have gone out: what the outbox held at start (an earlier
   * run may have sent it), then every batch handed to the broker.
   */
  private sentHigh = Number.POSITIVE_INFINITY;
  private task: unknown;
  private ackTimer: unknown;
  private alarmRaised = false;
  private started = false;
  private stopped = false;
  /** False from a (re)connect until the hello has gone out, when `waitForHello` is set. */
  private released: boolean;
  private unsubscribe: (() => void) | undefined;

  constructor(options: OutboxPublisherOptions) {
    this.o = options;
    this.released = options.waitForHello !== true;
  }

  /** The hello of this connection is on its way: publish what waits (from the first unacked event). */
  helloSent(): void {
    if (this.released || this.stopped) return;
    this.released = true;
    this.restart();
  }

  /** Listens for the link opening and publishes what is waiting. Later calls do nothing. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    try {
      this.sentHigh = outboxRange(this.o.store).lastSeq ?? 0;
    } catch {
      // Unknown: every event counts as sent, so no requeue flag is ever cleared early.
    }
    this.unsubscribe = this.o.link.on("state", (h) => this.onState(h));
    this.poke();
  }

  /** Stops publishing and cancels the timers; an in-flight batch is left to the broker. */
  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.cancelTask();
    this.cancelAckTimer();
  }

  /** A new decision was recorded: publish soon (at most one pending task, never in the caller's stack). */
  poke(): void {
    if (this.stopped || !this.started || this.task !== undefined) return;
    this.task = this.o.scheduler.setTimeout(() => {
      this.task = undefined;
      this.pump();
    }, 0);
  }

  /**
   * sync.md: an event already published was queued again (a grant undone: relay failure, no
   * passage): publish again from it at once, not after the ack timeout. What follows it goes again
   * too (the central stores by id: a copy more is harmless).
   */
  resend(seq: number): void {
    if (this.stopped) return;
    if (seq > this.sentHigh) this.neverSent(seq);
    if (seq <= Math.max(this.cursor, this.inFlight ? this.inFlightLast : 0)) {
      this.cursor = Math.min(this.cursor, seq - 1);
      // A batch in flight must not move the cursor back past it when its PUBACK comes.
      this.round++;
      this.cancelAckTimer();
    }
    this.poke();
  }

  /** The central's `acks` message: forget events up to `upTo` and carry on. Never throws. */
  acked(upTo: number): void {
    if (this.stopped) return;
    try {
      ackUpTo(this.o.store, upTo);
    } catch (err) {
      this.o.logger.error({ err, upTo }, "outbox: could not apply an ack");
      return;
    }
    this.totals.acks++;
    this.totals.ackedUpTo = Math.max(this.totals.ackedUpTo, upTo);
    this.totals.lastAckAt = this.o.clock();
    // An ack that covers everything published stops the timer; one that covers part gives the rest a
    // fresh window (the central is answering, just behind).
    this.cancelAckTimer();
    if (this.publishedUnacked()) this.startAckTimer();
    this.poke();
  }

  /** The running totals (a copy). */
  counters(): OutboxCounters {
    return { ...this.totals };
  }

  /** Events waiting for an ack (status `outboxPending`). */
  depth(): number {
    return outboxDepth(this.o.store);
  }

  /**
   * True while more than `sync.outboxAlarm` events wait (issue 4: the gateway keeps deciding, status
   * shows a problem). Logs an error when the alarm is raised and a line when it clears.
   */
  alarm(): boolean {
    const depth = this.depth();
    const raised = depth > this.o.settings.outboxAlarm;
    if (raised !== this.alarmRaised) {
      this.alarmRaised = raised;
      if (raised)
        this.o.logger.error(
          { depth, outboxAlarm: this.o.settings.outboxAlarm },
          "outbox: more events wait for the central than sync.outboxAlarm allows",
        );
      else this.o.logger.info({ depth }, "outbox: back below sync.outboxAlarm");
    }
    return raised;
  }

  private onState(health: Health): void {
    if (this.stopped) return;
    if (health.state === "open") {
      // sync.md: after a reconnect, re-publish everything unacked (once the hello is out).
      if (this.o.waitForHello === true) this.released = false;
      else this.restart();
      return;
    }
    // Down: the open that follows restarts from the first unacked event; no timer needed meanwhile.
    this.cancelAckTimer();
  }

  /** Back to the first unacked event. */
  private restart(): void {
    if (this.publishedUnacked()) this.totals.republishes++;
    this.round++;
    this.cursor = 0;
    this.cancelAckTimer();
    this.poke();
  }

  /** Publishes the next batch after the cursor, unless one is in flight or the link is down. */
  private pump(): void {
    if (this.stopped || this.inFlight || !this.released || !this.o.link.isOpen()) return;
    if (this.o.held?.() === true) return;
    let batch: ReturnType<typeof pendingEvents>;
    try {
      batch = pendingEvents(this.o.store, { afterSeq: this.cursor, limit: this.o.settings.batchSize });
    } catch (err) {
      this.o.logger.error({ err }, "outbox: could not read pending events; retrying after the ack timeout");
      this.startAckTimer();
      return;
    }
    const last = batch.at(-1);
    if (last === undefined) {
      // An event queued again below the cursor (relay failure) is re-sent by the timer.
      if (this.publishedUnacked()) this.startAckTimer();
      return;
    }
    const round = this.round;
    this.sentHigh = Math.max(this.sentHigh, last.seq);
    const payload = JSON.stringify({ gatewayId: this.o.gatewayId, events: batch });
    this.inFlight = true;
    this.inFlightLast = last.seq;
    let sent: Promise<void>;
    try {
      sent = this.o.link.publish(this.o.topic, payload, { qos: SYNC_QOS, retain: false });
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      () => this.published(round, batch.length, last.seq),
      (err: unknown) => this.failed(err, batch[0]?.seq ?? last.seq, last.seq),
    );
  }

  /**
   * The event queued again was never published: the first ack that covers it is for this copy, so
   * it may forget it (else it would stay until the ack timeout re-sent it once more).
   */
  private neverSent(seq: number): void {
    try {
      unflagRequeued(this.o.store, seq);
    } catch (err) {
      this.o.logger.warn(
        { err, seq },
        "outbox: could not clear a requeued event's flag; the ack timeout will",
      );
    }
  }

  private published(round: number, count: number, lastSeq: number): void {
    this.inFlight = false;
    this.totals.batches++;
    this.totals.eventsPublished += count;
    this.totals.lastPublishedAt = this.o.clock();
    if (this.stopped) return;
    if (round === this.round) this.cursor = Math.max(this.cursor, lastSeq);
    this.startAckTimer();
    this.poke();
  }

  private failed(err: unknown, firstSeq: number, lastSeq: number): void {
    this.inFlight = false;
    this.totals.failures++;
    if (this.stopped) return;
    this.o.logger.warn(
      { err, firstSeq, lastSeq },
      "outbox: publishing events failed; retrying on the next connect or after the ack timeout",
    );
    // Down: the next "open" restarts. Up (the broker refused): the ack timer restarts.
    if (this.o.link.isOpen()) this.startAckTimer();
  }

  /** True when an unacked event sits at or below the cursor (published in this round, not acked). */
  private publishedUnacked(): boolean {
    try {
      const { firstSeq } = outboxRange(this.o.store);
      return firstSeq !== null && firstSeq <= this.cursor;
    } catch {
      return false;
    }
  }

  private startAckTimer(): void {
    if (this.ackTimer !== undefined || this.stopped) return;
    this.ackTimer = this.o.scheduler.setTimeout(() => {
      this.ackTimer = undefined;
      if (this.stopped || !this.o.link.isOpen()) return;
      this.o.logger.info(
        { ackTimeoutMs: this.o.settings.ackTimeoutMs, cursor: this.cursor },
        "outbox: no ack in time; re-publishing from the first unacked event",
      );
      this.o.onAckTimeout?.();
      this.restart();
    }, this.o.settings.ackTimeoutMs);
  }

  private cancelAckTimer(): void {
    if (this.ackTimer === undefined) return;
    this.o.scheduler.clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
  }

  private cancelTask(): void {
    if (this.task === undefined) return;
    this.o.scheduler.clearTimeout(this.task);
    this.task = undefined;
  }
}
