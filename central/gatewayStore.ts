/**
 * What the central knows of each gateway: the site its hello named, its ack watermark (every event
 * with `seq` ≤ it is stored here), and its last hello and status.
 */
import type { HelloMessage, StatusMessage } from "../config/protocol/payloads.js";
import type { CentralStore } from "./centralStore.js";

/** One gateway as the central knows it. */
export interface GatewayInfo {
  id: string;
  /** The site its last hello named; null before its first hello. */
  siteId: string | null;
  watermark: number;
  /** Null until a status arrives. */
  online: boolean | null;
  status: StatusMessage | null;
  statusAt: number | null;
  hello: HelloMessage | null;
  helloAt: number | null;
}

interface GatewayRow {
  id: string;
  site_id: string | null;
  watermark: number;
  online: number | null;
  status: string | null;
  status_at: number | null;
  hello: string | null;
  hello_at: number | null;
}

function ensure(store: CentralStore, gatewayId: string): void {
  store.prepare("INSERT INTO gateways (id) VALUES (?) ON CONFLICT (id) DO NOTHING").run(gatewayId);
}

function toInfo(r: GatewayRow): GatewayInfo {
  return {
    id: r.id,
    siteId: r.site_id,
    watermark: r.watermark,
    online: r.online === null ? null : r.online === 1,
    status: r.status === null ? null : (JSON.parse(r.status) as StatusMessage),
    statusAt: r.status_at,
    hello: r.hello === null ? null : (JSON.parse(r.hello) as HelloMessage),
    helloAt: r.hello_at,
  };
}

/** One gateway, or null when it has never been heard of. */
export function gatewayInfo(store: CentralStore, gatewayId: string): GatewayInfo | null {
  const r = store.prepare("SELECT * FROM gateways WHERE id = ?").get(gatewayId) as GatewayRow | undefined;
  return r === undefined ? null : toInfo(r);
}

/** Every gateway heard of, by id. */
export function listGateways(store: CentralStore): GatewayInfo[] {
  return (store.prepare("SELECT * FROM gateways ORDER BY id").all() as GatewayRow[]).map(toInfo);
}

/** How long a gateway that is offline still counts for its site when nothing is heard from it (30 days). */
export const DEFAULT_STALE_GATEWAY_DAYS = 30;

/** Which gateways count for their site: online ones, and offline ones heard from within `staleDays` (0: all). */
export interface Staleness {
  now: number;
  staleDays: number;
}

/** Which gateways count at `now` with `staleDays` (the default when not given). */
export function stalenessAt(now: number, staleDays: number | undefined): Staleness {
  return { now, staleDays: staleDays ?? DEFAULT_STALE_GATEWAY_DAYS };
}

/**
 * Whether a gateway still counts for its site: online, or heard from (a hello or a status, its last
 * will included) within `staleDays`. A gateway retired or replaced stops holding the site's shaping
 * and config gate back; one that comes back says hello and counts again from then on.
 */
export function countsForSite(g: GatewayInfo, when: Staleness): boolean {
  if (when.staleDays === 0 || g.online === true) return true;
  const heard = Math.max(g.helloAt ?? 0, g.statusAt ?? 0);
  return heard >= when.now - when.staleDays * 86_400_000;
}

/**
 * The last hello of every gateway of `siteId` that still counts (sync.md "Features": what each can
 * take); without `when`, every gateway ever heard of.
 */
export function siteHellos(store: CentralStore, siteId: string, when?: Staleness): HelloMessage[] {
  return listGateways(store)
    .filter((g) => g.siteId === siteId && g.hello !== null && (when === undefined || countsForSite(g, when)))
    .map((g) => g.hello as HelloMessage);
}

/** Records a hello: the gateway now belongs to the site it names. */
export function recordHello(store: CentralStore, hello: HelloMessage, now: number): void {
  ensure(store, hello.gatewayId);
  store
    .prepare("UPDATE gateways SET site_id = ?, hello = ?, hello_at = ? WHERE id = ?")
    .run(hello.siteId, JSON.stringify(hello), now, hello.gatewayId);
}

/** Records a status; returns whether the gateway was online before (null: no status yet). */
export function recordStatus(
  store: CentralStore,
  gatewayId: string,
  status: StatusMessage,
  now: number,
): boolean | null {
  ensure(store, gatewayId);
  const before = store.prepare("SELECT online FROM gateways WHERE id = ?").pluck().get(gatewayId) as
    | number
    | null;
  store
    .prepare("UPDATE gateways SET online = ?, status = ?, status_at = ? WHERE id = ?")
    .run(status.online ? 1 : 0, JSON.stringify(status), now, gatewayId);
  return before === null ? null : before === 1;
}

/** The gateway's ack watermark (0 when nothing is stored). */
export function watermark(store: CentralStore, gatewayId: string): number {
  const w = store.prepare("SELECT watermark FROM gateways WHERE id = ?").pluck().get(gatewayId) as
    | number
    | undefined;
  return w ?? 0;
}

/**
 * Moves the watermark over the stored events that follow it without a gap, never past one: a batch
 * that never arrived must not be acked, or the gateway would forget events the central lacks.
 */
export function advanceWatermark(store: CentralStore, gatewayId: string): number {
  ensure(store, gatewayId);
  let mark = watermark(store, gatewayId);
  const page = 1000;
  const next = store
    .prepare("SELECT seq FROM events WHERE gateway_id = ? AND seq > ? ORDER BY seq LIMIT ?")
    .pluck();
  for (let more = true; more; ) {
    const seqs = next.all(gatewayId, mark, page) as number[];
    more = seqs.length === page;
    for (const seq of seqs) {
      if (seq !== mark + 1) {
        more = false;
        break;
      }
      mark = seq;
    }
  }
  store.prepare("UPDATE gateways SET watermark = ? WHERE id = ?").run(mark, gatewayId);
  return mark;
}

/**
 * sync.md hello `outbox.firstSeq`: the gateway has forgotten every event below it, so they were acked
 * (by this central, or one before it). Raises the watermark to `firstSeq − 1` when it is lower, then
 * advances it over what is stored; returns the watermark before and after.
 */
export function raiseWatermark(
  store: CentralStore,
  gatewayId: string,
  firstSeq: number,
): { before: number; after: number } {
  ensure(store, gatewayId);
  const before = watermark(store, gatewayId);
  if (firstSeq - 1 > before)
    store.prepare("UPDATE gateways SET watermark = ? WHERE id = ?").run(firstSeq - 1, gatewayId);
  return { before, after: advanceWatermark(store, gatewayId) };
}

/** The highest seq of `gatewayId` stored here, gaps or not (0 when none). */
export function highestStoredSeq(store: CentralStore, gatewayId: string): number {
  const s = store.prepare("SELECT max(seq) FROM events WHERE gateway_id = ?").pluck().get(gatewayId) as
    | number
    | null;
  return s ?? 0;
}
