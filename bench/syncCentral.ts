/**
 * Benchmarks 2 and 3 of issue 4, against the reference central with a gateway's real sync client:
 * - a single member change made at the central, measured to the moment a gateway decision shows it
 *   (from the save of the central's members file, and from the central's publish);
 * - events recorded while the gateway was offline, measured from its reconnect until every one is
 *   acked by the central.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import { Central } from "../central/central.js";
import { GatewayConfig } from "../config/gateway.js";
import type { MosquittoBroker } from "../firmware-sim/mosquitto.js";
import { explain, scan } from "../gateway/decisions.js";
import { Checkpointer } from "../gateway/store/checkpointer.js";
import { DB_FILE, Store, syncState } from "../gateway/store/db.js";
import { outboxDepth } from "../gateway/store/outbox.js";
import { SyncClient } from "../gateway/sync/client.js";
import { realScheduler } from "../runtime/scheduler.js";
import { generateMember, newStats, primaryCard, unknownCard } from "./generate.js";
import { quiet, warnings } from "./logs.js";
import { Rng } from "./prng.js";
import { SCAN_AREAS, SITE, WEEK_START } from "./site.js";
import { type Latency, summarise } from "./stats.js";

const GATEWAY = "gw-bench-2";

/** What benchmarks 2 and 3 measured. */
export interface CentralResult {
  members: number;
  /** Save of the members file (the central reloads, diffs, publishes) → visible in a decision. */
  saveToDecision: Latency;
  /** The change published at the central (as the broker gets it) → visible in a decision. */
  publishToDecision: Latency;
  offlineEvents: number;
  /** Of which with a ledger entry (charged), folded into members at the central. */
  offlineCharged: number;
  /** From the reconnect to the last event acked. */
  drainMs: number;
  drainEventsPerSecond: number;
  batchesPublished: number;
  republishes: number;
}

/** Options of benchmarks 2 and 3. */
export interface CentralOptions {
  members: number;
  changes: number;
  offlineEvents: number;
  dir: string;
  seed: number;
  log: (line: string) => void;
}

/** A member whose primary card is active without validity dates of its own. */
function plainCard(m: unknown): boolean {
  const card = (m as { cards: { status: string; validTo?: string; validFrom?: string }[] }).cards[0];
  return card?.status === "active" && card.validTo === undefined && card.validFrom === undefined;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(probe: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!probe()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

/** Runs benchmarks 2 and 3; the broker is the caller's. */
export async function runCentral(o: CentralOptions, broker: MosquittoBroker): Promise<CentralResult> {
  rmSync(o.dir, { recursive: true, force: true });
  mkdirSync(o.dir, { recursive: true });
  const stats = newStats();
  const members = Array.from({ length: o.members }, (_, i) => generateMember(o.seed, i, stats));
  const siteFile = join(o.dir, "site.json");
  const membersFile = join(o.dir, "members.json");
  writeFileSync(siteFile, JSON.stringify(SITE));
  writeFileSync(membersFile, JSON.stringify({ members }));
  const central = new Central({
    siteId: SITE.site.id,
    siteConfigFile: siteFile,
    membersFile,
    brokerUrl: broker.url,
    dataDir: join(o.dir, "central"),
    logger: quiet(),
    env: {},
    watch: false,
  });
  await central.start();
  await central.whenSubscribed();

  const store = Store.open(join(o.dir, "gateway"));
  const checkpointer = new Checkpointer(store, join(o.dir, "gateway", DB_FILE), warnings(o.log));
  checkpointer.start();
  const config = GatewayConfig.parse({
    gateway: { id: GATEWAY, site: SITE.site.id },
    mqtt: { url: broker.url },
    sync: { enabled: true },
  });
  const client = (): SyncClient =>
    new SyncClient({
      store,
      config,
      gatewayId: GATEWAY,
      version: "bench",
      clock: Date.now,
      scheduler: realScheduler,
      logger: quiet(),
      env: {},
    });
  let gateway = client();
  gateway.start();
  await until(
    () => gateway.report().inStep && syncState(store).lastRev === central.siteRev(),
    120_000,
    "snapshot",
  );
  o.log(`central: ${o.members} members synced to a gateway; ${o.changes} changes follow`);

  // 2. One member at a time gets a block at the central, then loses it again.
  const save = new Float64Array(o.changes);
  const publish = new Float64Array(o.changes);
  const rng = new Rng(o.seed, 7);
  const observer = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  let publishedAt = 0;
  observer.on("message", () => {
    publishedAt = performance.now();
  });
  await observer.subscribeAsync(`accessgw/v1/sites/${SITE.site.id}/changes`, { qos: 1 });
  const at = WEEK_START + 3 * 86_400_000 + 11 * 3_600_000;
  for (let k = 0; k < o.changes; k++) {
    // A member whose card itself lets them past R1, so that a block is what the decision shows.
    let i = rng.int(0, o.members - 1);
    while (!plainCard(members[i])) i = rng.int(0, o.members - 1);
    const m = members[i] as { id: string; blocks?: unknown[] };
    const blocking = !m.blocks?.length;
    m.blocks = blocking ? [{ reason: "debt", from: "2026-01-01", message: "bench" }] : [];
    writeFileSync(membersFile, JSON.stringify({ members }));
    const wanted = blocking ? "member_blocked" : null;
    const card = primaryCard(i);
    const t0 = performance.now();
    publishedAt = 0;
    await central.reload();
    await until(
      () => {
        const d = explain(store, { card, area: "gym", direction: "in", readerId: null }, at);
        return wanted === null ? d.reason !== "member_blocked" : d.reason === wanted;
      },
      10_000,
      `change ${k}`,
    );
    const t1 = performance.now();
    save[k] = (t1 - t0) * 1e6;
    publish[k] = (t1 - (publishedAt || t0)) * 1e6;
    await pause(5);
  }
  await observer.endAsync();

  // 3. Offline: the link is stopped, scans are recorded, then it reconnects and the outbox drains.
  await gateway.stop();
  await until(() => outboxDepth(store) === 0, 30_000, "outbox before going offline");
  const scanRng = new Rng(o.seed, 11);
  const areas = SCAN_AREAS.map(([a]) => a);
  let charged = 0;
  const chunk = 1000;
  for (let done = 0; done < o.offlineEvents; done += chunk) {
    store.bulk(() => {
      for (let k = done; k < Math.min(o.offlineEvents, done + chunk); k++) {
        const known = scanRng.chance(0.7);
        const card = known ? primaryCard(scanRng.int(0, o.members - 1)) : unknownCard(scanRng);
        const area = areas[scanRng.int(0, areas.length - 1)] as string;
        const e = scan(store, { card, area, direction: "in", readerId: null }, at + k * 1000, GATEWAY);
        if (e.creditsDeducted > 0) charged++;
      }
    });
  }
  o.log(`central: ${o.offlineEvents} events recorded offline (${charged} charged); reconnecting`);
  const t0 = performance.now();
  gateway = client();
  gateway.start();
  await until(() => outboxDepth(store) === 0, 300_000, "offline events acked");
  const drainMs = performance.now() - t0;
  const p = gateway.publisher.counters();
  const stored = central.events(GATEWAY);
  if (stored.length !== o.offlineEvents || new Set(stored.map((e) => e.id)).size !== o.offlineEvents)
    throw new Error(
      `the central holds ${stored.length} events of ${GATEWAY}, expected ${o.offlineEvents} once each`,
    );
  await gateway.stop();
  await central.stop();
  await checkpointer.stop();
  store.close();
  return {
    members: o.members,
    saveToDecision: summarise(save),
    publishToDecision: summarise(publish),
    offlineEvents: o.offlineEvents,
    offlineCharged: charged,
    drainMs,
    drainEventsPerSecond: o.offlineEvents / (drainMs / 1000),
    batchesPublished: p.batches,
    republishes: p.republishes,
  };
}
