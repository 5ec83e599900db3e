/**
 * doors.md D6: tells the reader of a scan what was decided, and when a grant is taken back (D2),
 * in the member's language. Fire-and-forget: the pipeline calls it after the door pulse was
 * requested, and nothing it does (a reader without feedback, a broker away) reaches the decision.
 */
import type { Logger } from "pino";
import type { ReaderDriver, ReaderFeedback } from "../../drivers/readers/readerDriver.js";
import { type UndoCause, type Words, wordsFor } from "../engine/index.js";
import type { Store } from "../store/db.js";
import type { RecordedEvent } from "../store/events.js";

/** What the access pipeline calls: once per decision, once per undo. */
export interface FeedbackSink {
  /** A decision was recorded (and its pulse, if any, requested). */
  decided(event: RecordedEvent): void;
  /** A grant was undone: the door did not open (`relay_failed`) or nobody passed (`no_passage`, D2). */
  undone(event: RecordedEvent, cause: UndoCause): void;
}

/** What the reader feedback is handed. */
export interface ReaderFeedbackOptions {
  store: Store;
  /** The running driver of a reader, if it has one. */
  driver: (readerId: string) => ReaderDriver | undefined;
  log: Logger;
}

/** D6: the feedback sink of the daemon. */
export class ReaderFeedbackSink implements FeedbackSink {
  private readonly o: ReaderFeedbackOptions;

  constructor(options: ReaderFeedbackOptions) {
    this.o = options;
  }

  /** The decision and its R15 message (already in the member's language). */
  decided(event: RecordedEvent): void {
    this.send(event, {
      decision: event.decision,
      reason: event.reason,
      message: event.message,
      undone: false,
    });
  }

  /** An undo: sounded like a deny, with words saying the entry did not happen. */
  undone(event: RecordedEvent, cause: UndoCause): void {
    if (event.readerId === null) return;
    const message = this.words(event.memberId).t.undone(cause);
    this.send(event, { decision: "deny", reason: cause, message, undone: true });
  }

  private send(event: RecordedEvent, f: ReaderFeedback): void {
    if (event.readerId === null) return;
    const driver = this.o.driver(event.readerId);
    if (driver?.feedback === undefined) return;
    try {
      driver.feedback(f);
    } catch (err) {
      // A driver bug must not reach the pipeline: the decision stands whatever the reader shows.
      this.o.log.warn({ err, readerId: event.readerId, eventId: event.id }, "reader feedback failed");
    }
  }

  /** D6: the member's locale, else the site's, else English (read when an undo needs words). */
  private words(memberId: string | null): Words {
    const { store, log } = this.o;
    try {
      const member =
        memberId === null
          ? null
          : (store.prepare("SELECT locale FROM members WHERE id = ?").pluck().get(memberId) as string | null);
      return wordsFor(member, store.siteConfig()?.site.locale);
    } catch (err) {
      log.debug({ err, memberId }, "locale unreadable: the undo is shown in English");
      return wordsFor(null, null);
    }
  }
}
