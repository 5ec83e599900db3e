import { canonicalCard } from "../../config/cardNumber.js";
import { AccessGwError } from "../../config/errors.js";
import type { AlarmEvent, CommandEvent, DoorEvent, EventKind } from "../../config/protocol/events.js";
import type { Decision } from "../engine/types.js";
import type { Store } from "./db.js";
import { addEntries, addVisits } from "./packedHistory.js";

/**
 * A decision as recorded (R14): the decision JSON plus its gateway-wide id and seq, `relayFailed`
 * (cli.md: true once the door pulse of a grant failed), and doors.md D7's `passed` (D2), `operator`
 * and `staffReason` (D5), null when they do not apply.
 */
export type RecordedEvent = Decision & {
  kind: "decision";
  id: string;
  seq: number;
  relayFailed: boolean;
  passed: boolean | null;
  operator: string | null;
  staffReason: string | null;
};

/** Any recorded event (D7): a decision, a door's mode change, an alarm, a front-desk command. */
export type StoredEvent = RecordedEvent | DoorEvent | AlarmEvent | CommandEvent;

/** A door, alarm or command event before it has its id and seq. */
export type NewEvent =
  | Omit<DoorEvent, "id" | "seq">
  | Omit<AlarmEvent, "id" | "seq">
  | Omit<CommandEvent, "id" | "seq">;

/** What staff add to a decision they made by hand (D5). */
export interface StaffAction {
  operator: string;
  staffReason: string;
}

/**
 * An event as stored. A decision recorded before doors.md has no `kind`: it reads as a decision
 * whose D7 fields are null.
 */
export function eventFromDoc(doc: string): StoredEvent {
  const e = JSON.parse(doc) as
    | StoredEvent
    | Omit<RecordedEvent, "kind" | "passed" | "operator" | "staffReason">;
  if ("kind" in e) return e;
  return { kind: "decision", ...e, passed: null, operator: null, staffReason: null };
}

/** A recorded decision as stored (an event of another kind is an error: the caller asked by seq for a decision). */
export function decisionFromDoc(doc: string): RecordedEvent {
  const e = eventFromDoc(doc);
  if (e.kind !== "decision") throw new Error(`event ${e.id} is a ${e.kind} event, not a decision`);
  return e;
}

/** The next seq and id of this gateway's events (R14), after claiming the data folder for it. */
function nextSeq(store: Store, gatewayId: string): { seq: number; id: string } {
  claimGatewayId(store, gatewayId);
  const last = store.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get() as
    | { seq: number }
    | undefined;
  const seq = (last?.seq ?? 0) + 1;
  return { seq, id: `${gatewayId}:${seq}` };
}

/**
 * D7: records a door, alarm or command event and queues it for the central. Its `decision` column
 * holds its kind and its `reason` column stays empty, so `events --reason` never matches it.
 */
export function recordEvent<E extends NewEvent>(
  store: Store,
  gatewayId: string,
  e: E,
): E & { id: string; seq: number } {
  const { seq, id } = nextSeq(store, gatewayId);
  const event = { id, seq, ...e };
  store
    .prepare(
      `INSERT INTO events (seq, id, at, member_id, decision, reason, card, reader_id, doc, kind)
       VALUES (?, ?, ?, NULL, ?, '', NULL, NULL, ?, ?)`,
    )
    .run(seq, id, Date.parse(e.at), e.kind, JSON.stringify(event), e.kind);
  store.prepare("INSERT INTO outbox (seq) VALUES (?)").run(seq);
  return event;
}

/**
 * R14: records a decision with its ledger entry, visit, presence and outbox row. Call inside the
 * transaction that loaded the facts, so a crash never leaves a deduction without its event. With
 * `door`, a grant's door pulse is recorded pending (done or failed once the relay has finished).
 */
export function recordDecision(
  store: Store,
  d: Decision,
  gatewayId: string,
  options: { door?: boolean; staff?: StaffAction } = {},
): RecordedEvent {
  const { seq, id } = nextSeq(store, gatewayId);
  const event: RecordedEvent = {
    kind: "decision",
    id,
    seq,
    ...d,
    relayFailed: false,
    passed: null,
    operator: options.staff?.operator ?? null,
    staffReason: options.staff?.staffReason ?? null,
  };
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
    addEntries(store, d.multipackId, [
      {
        id,
        amount: d.creditsDeducted,
        at,
        area: d.area,
        accessType: d.accessTypeId,
        kind: "usage",
        origin: "local",
      },
    ]);
    store.prepare("UPDATE multipacks SET used = used + ? WHERE id = ?").run(d.creditsDeducted, d.multipackId);
  }
  if (d.reason === "ok" && d.direction === "in")
    addVisits(store, d.memberId, [
      {
        id,
        at,
        multipack: d.multipackId,
        product: d.productId,
        accessType: d.accessTypeId,
        area: d.area,
        credits: d.creditsDeducted,
        site: null,
        undone: false,
        local: true,
      },
    ]);
  if (d.multipackId)
    store
      .prepare("UPDATE multipacks SET first_use_at = coalesce(first_use_at, ?) WHERE id = ?")
      .run(at, d.multipackId);
  // R12: presence keeps the latest movement; a what-if recorded in the past does not move it back.
  // The movement is this gateway's own until a member document lists it (sync.md merging).
  store
    .prepare(
      `INSERT INTO presence (member_id, area, last_direction, last_at, last_in_at, event_id, local)
       VALUES (?, ?, ?, ?, ?, ?, 1)
       ON CONFLICT (member_id, area) DO UPDATE SET
         last_direction = CASE WHEN excluded.last_at >= last_at THEN excluded.last_direction ELSE last_direction END,
         event_id = CASE WHEN excluded.last_at >= last_at THEN excluded.event_id ELSE event_id END,
         local = CASE WHEN excluded.last_at >= last_at THEN 1 ELSE local END,
         last_at = max(last_at, excluded.last_at),
         last_in_at = CASE WHEN excluded.last_in_at IS NOT NULL AND excluded.last_in_at >= coalesce(last_in_at, excluded.last_in_at)
                      THEN excluded.last_in_at ELSE last_in_at END`,
    )
    .run(d.memberId, d.area, d.direction, at, d.direction === "in" ? at : null, id);
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
  /** D7: only events of this kind. */
  kind?: EventKind;
}

/** A listing: the filter, and at most the `limit` oldest or the `last` newest of what matches. */
export interface EventQuery extends EventFilter {
  limit?: number;
  last?: number;
}

/**
 * Migration 17: routine grants (most events) are left out of the events_notable index, whose
 * condition this is. A listing through that index names the condition word for word: SQLite uses a
 * partial index only for a query whose WHERE clause contains the index's own.
 */
const ROUTINE_GRANTS: readonly string[] = ["ok", "reentry", "booking", "exit"];
const NOTABLE = "reason NOT IN ('ok', 'reentry', 'booking', 'exit')";

/**
 * The WHERE clause of a filter. A `+` before a column keeps SQLite off that column's index:
 * `indexed: false` for the follow query, whose cheap path is the seq (rowid) range of new events;
 * and, without table statistics, SQLite cannot tell that a card or a member is far more selective
 * than a reader or a reason (a handful of values each, measured: `--card --reason exit --since`
 * on a million events took 0.5 s through the reason index), so with a card or member given those
 * are checked row by row.
 */
function whereClause(f: EventFilter, indexed: boolean): { sql: string; params: (string | number)[] } {
  const selective = f.card !== undefined || f.memberId !== undefined;
  const col = (name: string, broad = false) => (indexed && !(broad && selective) ? name : `+${name}`);
  // A notable reason or kind is listed through events_notable (kind, reason, at); a routine grant's
  // reason or the decisions as a whole through the time index, where most rows match.
  const notable =
    indexed &&
    !selective &&
    (f.reason !== undefined
      ? !ROUTINE_GRANTS.includes(f.reason)
      : f.kind !== undefined && f.kind !== "decision");
  const terms: string[] = [];
  const params: (string | number)[] = [];
  const add = (term: string, value: string | number | undefined) => {
    if (value === undefined) return;
    terms.push(term);
    params.push(value);
  };
  add(`${col("at")} >= ?`, f.since);
  add(`${col("at")} < ?`, f.until);
  add(`${col("card")} = ?`, f.card);
  add(`${col("member_id")} = ?`, f.memberId);
  add(`${col("reader_id", true)} = ?`, f.readerId);
  add(`${notable ? "reason" : "+reason"} = ?`, f.reason);
  add(`${notable ? "kind" : "+kind"} = ?`, f.kind);
  if (notable) {
    // D7: only decisions have a reason, the other kinds' is '': the index's first two columns
    // are then both fixed, and its rows come in time order.
    if (f.kind === undefined) terms.push("kind = 'decision'");
    if (f.reason === undefined) terms.push("reason = ''");
    terms.push(NOTABLE);
  }
  return { sql: terms.join(" AND "), params };
}

/**
 * Recorded events matching the query, oldest first (by instant, then seq), read one by one so a
 * long history is never held in memory. `at`, the card, the member and the reader have an index
 * each (migration 5); the notable reasons and kinds share one (migration 17).
 */
export function* iterateEvents(store: Store, query: EventQuery = {}): Generator<StoredEvent> {
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
    yield eventFromDoc(row.doc);
}

/** Recorded decisions matching the query, oldest first (door, alarm and command events left out). */
export function listEvents(store: Store, query: Omit<EventQuery, "kind"> = {}): RecordedEvent[] {
  return [...iterateEvents(store, { ...query, kind: "decision" })] as RecordedEvent[];
}

/** Recorded events of every kind matching the query, oldest first. */
export function listAllEvents(store: Store, query: EventQuery = {}): StoredEvent[] {
  return [...iterateEvents(store, query)];
}

/** The event recorded with this id (the events' unique index); undefined when there is none. */
export function eventById(store: Store, id: string): StoredEvent | undefined {
  const row = store.prepare("SELECT doc FROM events WHERE id = ?").get(id) as { doc: string } | undefined;
  return row === undefined ? undefined : eventFromDoc(row.doc);
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
): StoredEvent[] {
  const where = whereClause(filter, false);
  const more = where.sql === "" ? "" : ` AND ${where.sql}`;
  const rows = store
    .prepare(`SELECT doc FROM events WHERE seq > ? AND seq <= ?${more} ORDER BY seq`)
    .all(afterSeq, throughSeq, ...where.params) as { doc: string }[];
  return rows.map((r) => eventFromDoc(r.doc));
}

/** Whether an event (stored, or as published with its ledger) is a decision. */
export function isDecisionEvent<E extends { kind: string }>(e: E): e is Extract<E, { kind: "decision" }> {
  return e.kind === "decision";
}
