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
      "INSERT INTO events (seq, id, at, member_id, decision, reason, doc, pulse) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .run(seq, id, at, d.memberId, d.decision, d.reason, JSON.stringify(event), pulse);
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

/** Recorded events, oldest first, from `since` (an instant, ms) on. */
export function listEvents(store: Store, options: { since?: number; limit?: number } = {}): RecordedEvent[] {
  const rows = store
    .prepare("SELECT doc FROM events WHERE at >= ? ORDER BY at, seq LIMIT ?")
    .all(options.since ?? -8.64e15, options.limit ?? -1) as { doc: string }[];
  return rows.map((r) => JSON.parse(r.doc) as RecordedEvent);
}
