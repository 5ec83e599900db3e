/**
 * R21 card and PIN: between the readers and the access pipeline. A card at a reader that asks for a
 * PIN now waits for the member's digits and `#`; the PIN is checked with scrypt (gateway/pinCheck.ts,
 * off the event loop), and only a right PIN goes on to the rules. Every other outcome is recorded
 * through the pipeline as R21's deny. Neither the digits nor the hash reach a log line or an event.
 */
import type { Logger } from "pino";
import { canonicalCard, maskCard } from "../../config/cardNumber.js";
import type { Reader } from "../../config/gateway.js";
import { pinTimeoutMs } from "../../config/readerPin.js";
import type { CardEvent, KeypadEvent } from "../../drivers/readers/readerDriver.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import { Debouncer } from "../debounce.js";
import { explain, siteModel } from "../decisions.js";
import { type Decision, localNow, type PinRefusal, pinDecision, pinRequired } from "../engine/index.js";
import { checkPin } from "../pinCheck.js";
import type { Store } from "../store/db.js";
import {
  clearPinFailures,
  type PinHolder,
  pinHolder,
  pinLockedUntil,
  recordWrongPin,
} from "../store/pinLockout.js";
import type { AccessPipeline } from "./accessPipeline.js";
import type { Feature } from "./controller.js";

/** R1's deny reasons: a card refused by them is refused before any PIN is asked. */
const CARD_REFUSALS = new Set(["unknown_card", "card_blocked", "card_expired", "member_blocked"]);

/** More digits than any PIN has: kept no further (a PIN this long is wrong anyway). */
const MAX_DIGITS = 16;

/** A card waiting for its PIN at one reader. */
interface Pending {
  reader: Reader;
  card: CardEvent;
  canonical: string;
  holder: PinHolder & { pinHash: string };
  siteLocale: string | null;
  digits: string;
  timer: unknown;
  /** `#` was pressed: the PIN is being checked, further keys are ignored. */
  checking: boolean;
}

/** What the PIN gate is handed. */
export interface PinGateOptions {
  store: Store;
  clock: () => number;
  scheduler: Scheduler;
  log: Logger;
  pipeline: Pick<AccessPipeline, "onCard">;
}

/** R21: the PIN step of the readers that ask for one, as a feature (stopping forgets waiting cards). */
export class PinGate implements Feature {
  readonly name = "pin step";
  private readonly o: PinGateOptions;
  private readonly pending = new Map<string, Pending>();
  /** R17 per reader, before the PIN: one presentation asks for one PIN. */
  private readonly debouncers = new Map<string, Debouncer>();

  constructor(options: PinGateOptions) {
    this.o = options;
  }

  /** A card was read: to the pipeline at once, or held for its PIN (R21). */
  card(reader: Reader, e: CardEvent): void {
    // Most readers never ask: their cards go on without the site's clock being read (a luxon
    // local time costs a quarter of a millisecond, on the path of every card to its door).
    if (reader.direction === "out" || reader.pin === undefined || reader.pin === "never") {
      this.o.pipeline.onCard(reader, e);
      return;
    }
    const now = this.o.clock();
    let site: ReturnType<typeof siteModel>;
    try {
      site = siteModel(this.o.store);
    } catch {
      // No site yet: the pipeline records the scan as it records every scan it cannot decide.
      this.o.pipeline.onCard(reader, e);
      return;
    }
    if (!pinRequired(reader.pin, reader.direction, localNow(now, site.zone), site.holidays)) {
      this.o.pipeline.onCard(reader, e);
      return;
    }
    const canonical = canonicalCard(e.card);
    // R17: the same card read again (held at the reader while the PIN is typed) changes nothing.
    if (!this.debouncer(reader).accept(reader.id, e.card, now)) return;
    // A second card replaces the first: the first is forgotten, nothing is recorded for it.
    const waiting = this.pending.get(reader.id);
    if (waiting) this.drop(waiting);
    const holder = this.cardAccepted(reader, e, now);
    if (holder === null) return;
    const siteLocale = site.site.locale ?? null;
    // Refused at once, no PIN asked: a locked card, or a member with no PIN to type.
    let locked: boolean;
    try {
      locked = pinLockedUntil(this.o.store, canonical, now) !== null;
    } catch (err) {
      // The cache cannot say: the pipeline records R14's deny `error` (and logs why), never a grant.
      this.o.pipeline.onCard(reader, e, {
        refusal: () => {
          throw err;
        },
      });
      return;
    }
    const refusal: PinRefusal | null = locked ? "pin_locked" : holder.pinHash === null ? "pin_missing" : null;
    if (refusal !== null || holder.pinHash === null) {
      this.refuse(reader, e, holder, siteLocale, refusal ?? "pin_missing");
      return;
    }
    const pending: Pending = {
      reader,
      card: e,
      canonical,
      holder: { ...holder, pinHash: holder.pinHash },
      siteLocale,
      digits: "",
      timer: undefined,
      checking: false,
    };
    pending.timer = this.o.scheduler.setTimeout(() => this.timedOut(pending), pinTimeoutMs(reader));
    this.pending.set(reader.id, pending);
    this.o.log.debug({ readerId: reader.id, card: maskCard(e.card) }, "waiting for the PIN (R21)");
  }

  /** Keys at a reader: digits gather, `*` clears them, `#` checks them; with no card waiting, ignored. */
  keypad(reader: Reader, e: KeypadEvent): void {
    const p = this.pending.get(reader.id);
    if (p === undefined || p.checking) {
      // osdp.md: keys typed without a card first mean nothing. The keys are not logged (a PIN).
      this.o.log.debug({ readerId: reader.id }, "keypad keys ignored: no card waiting for a PIN");
      return;
    }
    for (const key of e.keys) {
      if (key === "#") {
        this.submit(p);
        return;
      }
      if (key === "*") p.digits = "";
      else if (p.digits.length < MAX_DIGITS) p.digits += key;
    }
  }

  /** Nothing to start: cards come through card(). */
  start(): void {}

  /** Forgets every card waiting for a PIN (the gateway stops); nothing is recorded. */
  stop(): void {
    for (const p of [...this.pending.values()]) this.drop(p);
  }

  /**
   * The reader's link changed (R17, as the pipeline does): its next card is a new presentation, so
   * a member who presents the card again after the reader came back is asked for the PIN again. A
   * card already waiting for its PIN keeps waiting; its timeout still ends it.
   */
  linkChanged(readerId: string): void {
    this.debouncers.get(readerId)?.reset(readerId);
  }

  /**
   * A reader stopped (a reload removes or restarts it): the card waiting at it is forgotten, its
   * timer with it, so neither a timeout nor keys at the restarted reader finish it under settings
   * no longer in force; nothing is recorded. Its R17 window starts afresh (debounceMs may change).
   */
  forget(readerId: string): void {
    const waiting = this.pending.get(readerId);
    if (waiting) this.drop(waiting);
    this.debouncers.delete(readerId);
  }

  private debouncer(reader: Reader): Debouncer {
    let d = this.debouncers.get(reader.id);
    if (d === undefined) {
      d = new Debouncer(reader.debounceMs);
      this.debouncers.set(reader.id, d);
    }
    return d;
  }

  /** R1 first: the card's holder, or null when R1 refuses the card (recorded by the pipeline). */
  private cardAccepted(reader: Reader, e: CardEvent, now: number): PinHolder | null {
    const req = { card: e.card, area: reader.area, direction: reader.direction, readerId: reader.id };
    let refused: boolean;
    let holder: PinHolder | null = null;
    try {
      holder = pinHolder(this.o.store, canonicalCard(e.card));
      refused = holder === null || CARD_REFUSALS.has(explain(this.o.store, req, now).reason);
    } catch {
      // The pipeline decides it again and records what fails as R14's deny `error`; never a crash.
      refused = true;
    }
    if (refused || holder === null) {
      this.o.pipeline.onCard(reader, e);
      return null;
    }
    return holder;
  }

  private drop(p: Pending): void {
    this.o.scheduler.clearTimeout(p.timer);
    if (this.pending.get(p.reader.id) === p) this.pending.delete(p.reader.id);
  }

  private timedOut(p: Pending): void {
    if (this.pending.get(p.reader.id) !== p || p.checking) return;
    this.drop(p);
    this.refuse(p.reader, p.card, p.holder, p.siteLocale, "pin_timeout");
  }

  /** `#`: checks the digits off the event loop; a card presented meanwhile wins over the result. */
  private submit(p: Pending): void {
    p.checking = true;
    this.o.scheduler.clearTimeout(p.timer);
    const digits = p.digits;
    p.digits = "";
    checkPin(digits, p.holder.pinHash)
      .then((right) => {
        if (this.pending.get(p.reader.id) !== p) return;
        this.drop(p);
        this.checked(p, right);
      })
      .catch((err: unknown) => {
        if (this.pending.get(p.reader.id) !== p) return;
        this.drop(p);
        // Never the PIN or the hash: only that the check itself failed.
        this.o.log.error({ err, readerId: p.reader.id, card: maskCard(p.card.card) }, "PIN check failed");
        this.refuse(p.reader, p.card, p.holder, p.siteLocale, "wrong_pin");
      });
  }

  /** The PIN was checked: a right one goes on to the rules, a wrong one counts towards a lock-out. */
  private checked(p: Pending, right: boolean): void {
    const now = this.o.clock();
    if (right) {
      clearPinFailures(this.o.store, p.canonical);
      this.o.pipeline.onCard(p.reader, { ...p.card, at: now }, {});
      return;
    }
    const lockedUntil = recordWrongPin(this.o.store, p.canonical, now);
    if (lockedUntil !== null)
      this.o.log.warn(
        { readerId: p.reader.id, card: maskCard(p.card.card), until: new Date(lockedUntil).toISOString() },
        "card locked after 5 wrong PINs (R21)",
      );
    this.refuse(p.reader, p.card, p.holder, p.siteLocale, "wrong_pin");
  }

  private refuse(
    reader: Reader,
    e: CardEvent,
    holder: PinHolder,
    siteLocale: string | null,
    reason: PinRefusal,
  ) {
    const req = { card: e.card, area: reader.area, direction: reader.direction, readerId: reader.id };
    const member = { id: holder.memberId, locale: holder.locale };
    this.o.pipeline.onCard(reader, e, {
      refusal: (now): Decision => pinDecision(req, now, member, siteLocale, reason),
    });
  }
}
