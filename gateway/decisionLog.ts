/**
 * What the log says about a decided scan: every field a machine reading JSON lines wants, and what
 * the pretty line shows a person (runtime/prettyLog.ts: door, GRANTED/DENIED, name, message,
 * reason). The card is masked: info level never shows a card number in clear.
 */
import type { Store } from "./store/db.js";
import type { RecordedEvent } from "./store/events.js";

/** The fields of a decision's log entry. */
export interface DecisionLogFields {
  readerId: string | null;
  door: string | null;
  card: string;
  eventId: string;
  decision: "grant" | "deny";
  reason: string;
  memberId: string | null;
  memberName: string | null;
  message: string;
  creditsDeducted: number;
  creditsRemaining: number | null;
}

/** The member's name as imported, or null (no member, or none recorded). */
export function memberName(store: Store, memberId: string | null): string | null {
  if (memberId === null) return null;
  const row = store.prepare("SELECT name FROM members WHERE id = ?").get(memberId) as
    | { name: string | null }
    | undefined;
  return row?.name ?? null;
}

/** The log fields of a recorded decision at a reader, its door's id when it has one, the card masked. */
export function decisionLogFields(
  store: Store,
  event: RecordedEvent,
  door: string | null,
  maskedCard: string,
): DecisionLogFields {
  return {
    readerId: event.readerId,
    door,
    card: maskedCard,
    eventId: event.id,
    decision: event.decision,
    reason: event.reason,
    memberId: event.memberId,
    memberName: memberName(store, event.memberId),
    message: event.message,
    creditsDeducted: event.creditsDeducted,
    creditsRemaining: event.creditsRemaining,
  };
}

/**
 * The site's zone for the pretty log lines, read from the cache (an import may change it); the last
 * one read once the cache is closed or unreadable, so a log line never fails for want of it.
 */
export function siteZoneOf(store: Store): () => string | null {
  let last: string | null = null;
  return () => {
    try {
      last = store.siteConfig()?.site.timezone ?? null;
    } catch {
      // Closed at shutdown, or failing: the time column keeps the zone it had.
    }
    return last;
  };
}
