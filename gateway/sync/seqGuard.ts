/**
 * The sync client's side of sync.md "Seq after a restore" (store/seqRestore.ts holds the data side).
 * While a restored cache's seq is unconfirmed, every hello carries a fresh `helloId`; the acks that
 * echo it say what the central holds (`upTo`, `lastSeq`), and only they confirm the seq: an ack
 * queued at the broker for the box that died says nothing of what came after it. Until then the
 * outbox is held and acks are applied only up to the backup's highest seq, so an event recorded
 * since the restore under a seq the central already holds is never forgotten as "acked".
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { AcksMessage } from "../../config/protocol/payloads.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { Store } from "../store/db.js";
import { confirmSeq, unconfirmedSeq } from "../store/seqRestore.js";

/** What a SeqGuard is handed. */
export interface SeqGuardOptions {
  store: Store;
  scheduler: Scheduler;
  logger: Logger;
  /** The seq is confirmed: apply `upTo` to the outbox, say hello again and publish. */
  confirmed: (upTo: number) => void;
  /** How long to wait before trying again while an event since the restore is still settling (1 s). */
  retryMs?: number;
}

/** Holds a restored gateway's outbox until the central has said which seqs it holds. */
export class SeqGuard {
  private readonly o: SeqGuardOptions;
  private helloToken: string | undefined;
  private retry: unknown;
  /** Cached: read from the store once, then changed only here. */
  private through: number | null | undefined;

  constructor(options: SeqGuardOptions) {
    this.o = options;
  }

  /** True while the seq is unconfirmed: nothing may be published. */
  pending(): boolean {
    if (this.through === undefined) this.through = unconfirmedSeq(this.o.store);
    return this.through !== null;
  }

  /** The token of the hello about to be sent (a new one each time), or undefined when confirmed. */
  nextHelloId(): string | undefined {
    this.helloToken = this.pending() ? randomUUID() : undefined;
    return this.helloToken;
  }

  /** An ack arrived: returns the `upTo` the outbox may apply at once (see the file comment). */
  ack(ack: AcksMessage): number {
    if (!this.pending()) return ack.upTo;
    const through = this.through as number;
    if (ack.helloId === undefined || ack.helloId !== this.helloToken) return Math.min(ack.upTo, through);
    this.o.scheduler.clearTimeout(this.retry);
    this.retry = undefined;
    // Once confirmed, `confirmed` applies the whole upTo (after the renumbering).
    this.tryConfirm(ack.upTo, Math.max(ack.upTo, ack.lastSeq ?? 0));
    return Math.min(ack.upTo, through);
  }

  /** Stops a pending retry. */
  stop(): void {
    this.o.scheduler.clearTimeout(this.retry);
    this.retry = undefined;
  }

  private tryConfirm(upTo: number, centralSeq: number): void {
    let r: ReturnType<typeof confirmSeq>;
    try {
      r = confirmSeq(this.o.store, centralSeq);
    } catch (err) {
      this.o.logger.error(
        { err, centralSeq },
        "sync: could not move the seq past the central's; next hello retries",
      );
      return;
    }
    if (r.kind === "busy") {
      this.o.logger.info({ waiting: r.waiting }, "sync: seq after restore waits for a door to settle");
      this.retry = this.o.scheduler.setTimeout(() => {
        this.retry = undefined;
        this.tryConfirm(upTo, centralSeq);
      }, this.o.retryMs ?? 1000);
      return;
    }
    this.through = null;
    this.o.logger.info(
      { backupSeq: r.through, centralSeq, renumbered: r.moved, nextSeq: r.nextSeq },
      "sync: seq confirmed after a restore; events recorded since go out with fresh seqs",
    );
    this.o.confirmed(upTo);
  }
}
