import { canonicalCard } from "../config/cardNumber.js";

/**
 * R17: one decision per presentation. A reader that repeats the same card within `debounceMs` of
 * its last sighting (an RDM6300 repeats its frame while the card stays in the field) produces one
 * decision, not several. The window slides: a card held for ten seconds is one presentation. A
 * pure state machine: the caller passes `now`, nothing here reads the clock or sets a timer.
 */
export class Debouncer {
  private readonly last = new Map<string, { card: string; seenAt: number }>();

  constructor(private readonly debounceMs: number) {}

  /** True when this read of `card` at `reader` should be decided; false when it repeats the last one. */
  accept(reader: string, card: string, now: number): boolean {
    const canonical = canonicalCard(card);
    const prev = this.last.get(reader);
    this.last.set(reader, { card: canonical, seenAt: now });
    if (!prev || prev.card !== canonical) return true;
    const since = now - prev.seenAt;
    return since < 0 || since >= this.debounceMs;
  }

  /** Forgets a reader's last card (e.g. when it disconnects). */
  reset(reader: string): void {
    this.last.delete(reader);
  }
}
