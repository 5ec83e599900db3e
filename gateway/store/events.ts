import { canonicalCard } from "../../config/cardNumber.js";
import { AccessGwError } from "../../config/errors.js";
import type { Decision } from "../engine/types.js";
import type { Store } from "./db.js";

/**
 * A decision as recorded (R14): the decision JSON plus its gateway-wide id and seq, and
 * `relayFailed` (cli.md: present on every event; true once the door pulse of a grant failed).
 */
export type RecordedEvent = Decision & { id: string; seq: number; relayFailed: boolean };

/**
 * R14: records a decision with its ledger entry, visit, presence and outbox row. Call inside the
 * transaction that loaded the facts, so a crash never leaves a deduction without its event. With
 * `door`, a grant's door pulse is recorded pending (done or failed once the relay has finished).
 */
export function recordDecision(
  store: Store,
  d: Decision,
  gatewayId: string,
  options: { door?: boolean } = {},
): RecordedEvent {
  claimGatewayId(store, gatewayId);
  const last = store.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get() as
    | { seq: number }
    | undefined;
  const seq = (last?.seq ?? 0) + 1;
  const id = `${gatewayId}:${seq}`;
  const event: RecordedEvent = { id, seq, ...d, relayFailed: false };
  const at = Date.parse(d.at);
  const pulse = options.door && d.decision === "grant" ? "pending" : null;
  store
    .prepare(
      `INSERT INTO events (seq, id, at, member_id, decision, reason, card, reader_id, doc, pulse)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      seq,
      id,
      at,
      d.memberId,
      d.decision,
      d.reason,
      canonicalCard(d.card),
      d.readerId,
      JSON.stringify(event),
      pulse,
    );
  store.prepare("INSERT INTO outbox (seq) VALUES (?)").run(seq);
  if (d.decision !== "grant" || !d.memberId) return event;
  if (d.creditsDeducted > 0 && d.multipackId) {
    // The ledger entry's id is the event id (R14), so it merges with itself anywhere (R16).
    store
      .prepare(
        `INSERT INTO ledger (id, multipack_id, amount, at, area, access_type_id, kind, origin)
         VALUES (?, ?, ?, ?, ?, ?, 'usage', 'local')`,
      )
      .run(id, d.multipackId, d.creditsDeducted, at, d.area, d.accessTypeId);
    store.prepare("UPDATE multipacks SET used = used + ? WHERE id = ?").run(d.creditsDeducted, d.multipackId);
  }
  if (d.reason === "ok" && d.direction === "in") {
    store
      .prepare(
        `INSERT INTO visits (id, member_id, multipack_id, product_id, access_type_id, area, at, credits)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, d.memberId, d.multipackId, d.productId, d.accessTypeId, d.area, at, d.creditsDeducted);
  }
  if (d.multipackId)
    store
      .prepare("UPDATE multipacks SET first_use_at = coalesce(first_use_at, ?) WHERE id = ?")
      .run(at, d.multipackId);
  // R12: presence keeps the latest movement; a what-if recorded in the past does not move it back.
  store
    .prepare(
      `INSERT INTO presence (member_id, area, last_direction, last_at, last_in_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (member_id, area) DO UPDATE SET
         last_direction = CASE WHEN excluded.last_at >= last_at THEN excluded.last_direction ELSE last_direction END,
         last_at = max(last_at, excluded.last_at),
         last_in_at = CASE WHEN excluded.last_in_at IS NOT NULL AND excluded.last_in_at >= coalesce(last_in_at, excluded.last_in_at)
                      THEN excluded.last_in_at ELSE last_in_at END`,
    )
    .run(d.memberId, d.area, d.direction, at, d.direction === "in" ? at : null);
  return event;
}

/**
 * cli.md: a data folder keeps the gateway id under which it recorded its first event and refuses
 * to record under another.
 */
export function claimGatewayId(store: Store, gatewayId: string): void {
  const stored = store.meta("gateway_id");
  if (stored === undefined) store.setMeta("gateway_id", gatewayId);
  else if (stored !== gatewayId)
    throw new AccessGwError(
      "GATEWAY_ID_MISMATCH",
      `this data folder (${store.dir}) records events as gateway "${stored}", not "${gatewayId}": ` +
        `set gateway.id (or ACCESSGW_GATEWAY_ID) to "${stored}", or use another --data folder`,
    );
}

/** Which events `events` selects; every field is optional and they combine with AND. */
export interface EventFilter {
  /** An instant (ms): events at it or later. */
  since?: number;
  /** An instant (ms): events before it. */
  until?: number;
  /** R1: a canonical card number (recorded events hold the canonical form). */
  card?: string;
  memberId?: string;
  readerId?: string;
  reason?: string;
}

/** A listing: the filter, and at most the `limit` oldest or the `last` newest of what matches. */
export interface EventQuery extends EventFilter {
  limit?: number;
  last?: number;
}

/**
 * The WHERE clause of a filter. A `+` before a column keeps SQLite off that column's index:
 * `indexed: false` for the follow query, whose cheap path is the seq (rowid) range of new events;
 * and, without table statistics, SQLite cannot tell that a card or a member is far more selective
 * than a reader or a reason (a handful of values each, measured: `--card --reason exit --since`
 * on a million events took 0.5 s through the reason index), so with a card or member given those
 * two are checked row by row.
 */
function whereClause(f: EventFilter, indexed: boolean): { sql: string; params: (string | number)[] } {
  const selective = f.card !== undefined || f.memberId !== undefined;
  const col = (name: string, broad = false) => (indexed && !(broad && selective) ? name : `+${name}`);
  const terms: [string, string | number | undefined][] = [
    [`${col("at")} >= ?`, f.since],
    [`${col("at")} < ?`, f.until],
    [`${col("card")} = ?`, f.card],
    [`${col("member_id")} = ?`, f.memberId],
    [`${col("reader_id", true)} = ?`, f.readerId],
    [`${col("reason", true)} = ?`, f.reason],
  ];
  const used = terms.filter((t): t is [string, string | number] => t[1] !== undefined);
  return { sql: used.map(([term]) => term).join(" AND "), params: used.map(([, value]) => value) };
}

/**
 * Recorded events matching the query, oldest first (by instant, then seq), read one by one so a
 * long history is never held in memory. Each filter has an index (migration 5), and so has `at`.
 */
export function* iterateEvents(store: Store, query: EventQuery = {}): Generator<RecordedEvent> {
  const where = whereClause(query, true);
  const filter = where.sql === "" ? "" : `WHERE ${where.sql}`;
  const statement =
    query.last === undefined
      ? store.prepare(`SELECT doc FROM events ${filter} ORDER BY at, seq LIMIT ?`)
      : store.prepare(
          `SELECT doc FROM (SELECT doc, at, seq FROM events ${filter} ORDER BY at DESC, seq DESC LIMIT ?) ORDER BY at, seq`,
        );
  const count = query.last ?? query.limit ?? -1;
  for (const row of statement.iterate(...where.params, count) as IterableIterator<{ doc: string }>)
    yield JSON.parse(row.doc) as RecordedEvent;
}

/** Recorded events matching the query, oldest first. */
export function listEvents(store: Store, query: EventQuery = {}): RecordedEvent[] {
  return [...iterateEvents(store, query)];
}

/** The highest seq recorded so far (0 before the first event). */
export function lastEventSeq(store: Store): number {
  return (store.prepare("SELECT max(seq) AS seq FROM events").get() as { seq: number | null }).seq ?? 0;
}

/** The events with `afterSeq` < seq ≤ `throughSeq` that match the filter, in recording (seq) order. */
export function eventsBetween(
  store: Store,
  filter: EventFilter,
  afterSeq: number,
  throughSeq: number,
): RecordedEvent[] {
  const where = whereClause(filter, false);
  const more = where.sql === "" ? "" : ` AND ${where.sql}`;
  const rows = store
    .prepare(`SELECT doc FROM events WHERE seq > ? AND seq <= ?${more} ORDER BY seq`)
    .all(afterSeq, throughSeq, ...where.params) as { doc: string }[];
  return rows.map((r) => JSON.parse(r.doc) as RecordedEvent);
}
