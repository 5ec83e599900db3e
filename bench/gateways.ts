/**
 * The gateways figure (issue 12): two gateways of one site with the reference central on a real
 * Mosquitto (bench/siteRig.ts), all in this process. `visits` members, one visit each, are scanned
 * at gateway A's pool reader `gapMs` apart. Each visit is charged (1 credit) by default, so it
 * travels today the way every visit does once the central folds visits: A's outbox → the central →
 * the member document re-published to the site → B's cache; with `free`, members hold a free
 * membership limited to one pool visit a day, which reaches B only once the central folds visits
 * and the gateway merges them. Each visit is timed from the moment A recorded its grant to the
 * moment B's own decision for that member counts it (B's `explain` shows the credit used, or the
 * limit reached; probed every `probeMs`): sync.md "Timing", a visit at A in force at B within 2 s
 * (p99).
 */
import { mkdirSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { summariseMs } from "./e2eMatch.js";
import { quiet } from "./logs.js";
import { type SiteGateway, siteClock, startSiteRig, until } from "./siteRig.js";
import type { Latency } from "./stats.js";
import { benchBroker } from "./syncSnapshot.js";
import { renderTargetMarkdown, renderTargetText, type TargetRow } from "./targetTable.js";

/** sync.md "Timing": a visit decided at A is used by B's decisions from t + 2 s at the latest (p99). */
export const VISIT_AT_B_TARGET_MS = 2000;
/** How long the visits may take to reach B after the last scan before the run fails (a lost visit is a bug, not a slow figure). */
const VISIT_TIMEOUT_MS = 30_000;
const CREDITS = 10;

/** What the gateways benchmark is asked. */
export interface GatewaysOptions {
  /** Visits at A, one per member (at least 200 for the figure). */
  visits: number;
  /** The pause between two scans at A, ms. */
  gapMs: number;
  /** How often B's decision is probed for the visits not yet seen there, ms. */
  probeMs: number;
  /** Free visits under a once-a-day limit (R8) instead of charged ones (R16). */
  free?: boolean;
  /** How long the visits may take to reach B after the last scan (30 s by default). */
  timeoutMs?: number;
}

/** What the gateways benchmark measured. */
export interface GatewaysResult {
  visits: number;
  /** Free visits (R8) or charged ones (R16). */
  kind: "free" | "charged";
  gapMs: number;
  probeMs: number;
  /** A's grant recorded → B's decision counts it, ms. */
  atB: Latency;
  /** The 1-minute load average before and after the run (2 cores: 2.0 is the box busy). */
  load: { before: number; after: number };
}

/**
 * The bench site: one pool, open all day; a 10-credit pack, or a free membership whose pool visits
 * are limited to one a day.
 */
function siteYaml(): string {
  return `site: { id: bench-lido, timezone: Europe/Rome }
areas:
  - { id: pool }
accessTypes:
  - id: pool-all
    areas: [pool]
    windows: [{ days: [mon, tue, wed, thu, fri, sat, sun, hol], from: "00:00", to: "24:00" }]
products:
  - id: swim10
    name: 10 swims
    credits: ${CREDITS}
    validity: { indefinite: true }
    items: [{ accessType: pool-all, credits: 1, priority: 1 }]
  - id: club
    name: Club
    credits: 0
    validity: { indefinite: true }
    items: [{ accessType: pool-all, credits: 0, priority: 1 }]
limits:
  - { id: pool-once-a-day, amount: 1, period: day, products: [club] }
`;
}

/** The card of the k-th member. */
const cardOf = (k: number) => String(60_000_000 + k);

function membersYaml(n: number, product: string): string {
  const lines = ["members:"];
  for (let k = 0; k < n; k++)
    lines.push(
      `  - { id: m-${k}, name: "Member ${k}", cards: [{ number: "${cardOf(k)}", status: active }], multipacks: [{ id: mp-${k}, product: ${product}, purchasedAt: "2027-01-04T09:00:00Z" }] }`,
    );
  return `${lines.join("\n")}\n`;
}

/** Whether B's decision for member k counts A's visit: the credit used (R16), or the day's visit (R8). */
function countedAt(b: SiteGateway, k: number, free: boolean): boolean {
  const d = b.explain(cardOf(k), "pool");
  return free ? d.reason === "limit_reached" : d.creditsRemaining === CREDITS - 2;
}

/** Runs the benchmark in `dir` (emptied first) on a Mosquitto of its own. */
export async function runGatewaysBench(dir: string, o: GatewaysOptions): Promise<GatewaysResult> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const broker = await benchBroker();
  const load = { before: loadavg()[0] ?? 0, after: 0 };
  const free = o.free === true;
  try {
    const rig = await startSiteRig({
      brokerUrl: broker.url,
      prefix: "bench/v1",
      dir,
      siteId: "bench-lido",
      siteYaml: siteYaml(),
      membersYaml: membersYaml(o.visits, free ? "club" : "swim10"),
      areas: ["pool"],
      gateways: ["gw-a", "gw-b"],
      clock: siteClock(Date.parse("2027-03-22T09:00:00Z")),
      logger: quiet(),
    });
    try {
      await rig.ready(60_000);
      const [a, b] = rig.gateways as [SiteGateway, SiteGateway];
      const pending = new Map<number, number>();
      const latencies: number[] = [];
      const probe = setInterval(() => {
        for (const [k, grantedAt] of pending)
          if (countedAt(b, k, free)) {
            latencies.push(performance.now() - grantedAt);
            pending.delete(k);
          }
      }, o.probeMs);
      try {
        for (let k = 0; k < o.visits; k++) {
          const grant = await a.scan(cardOf(k), "pool");
          const grantedAt = performance.now();
          if (grant.decision !== "grant" || grant.creditsDeducted !== (free ? 0 : 1))
            throw new Error(`visit ${k} at A: ${grant.decision} ${grant.reason}, expected a grant`);
          pending.set(k, grantedAt);
          await sleep(o.gapMs);
        }
        await until("every visit counted at B", () => pending.size === 0, o.timeoutMs ?? VISIT_TIMEOUT_MS);
      } finally {
        clearInterval(probe);
      }
      load.after = loadavg()[0] ?? 0;
      const kind = free ? "free" : "charged";
      return {
        visits: o.visits,
        kind,
        gapMs: o.gapMs,
        probeMs: o.probeMs,
        atB: summariseMs(latencies),
        load,
      };
    } finally {
      await rig.stop();
    }
  } finally {
    await broker.stop();
    broker.cleanup();
  }
}

const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);

function rows(r: GatewaysResult): TargetRow[] {
  return [
    {
      name: `${r.kind} visit at A → counted by B's decisions, p99 of ${r.visits}`,
      target: `≤ ${ms(VISIT_AT_B_TARGET_MS)}`,
      value: ms(r.atB.p99),
      pass: r.atB.p99 <= VISIT_AT_B_TARGET_MS,
    },
    {
      name: `${r.kind} visit at A → counted by B's decisions, p50 / max`,
      target: "—",
      value: `${ms(r.atB.p50)} / ${ms(r.atB.max)}`,
      pass: null,
    },
  ];
}

/** The figures as a terminal table. */
export function renderGatewaysText(r: GatewaysResult): string {
  return renderTargetText(rows(r));
}

/** The figures as markdown for docs/benchmarks.md. */
export function renderGatewaysMarkdown(r: GatewaysResult, date: string, command: string): string {
  return [
    `Measured ${date} with \`${command}\`: two gateway daemons of one site and the reference central`,
    `on one Mosquitto, in one process; ${r.visits} ${r.kind} visits of distinct members scanned at A's`,
    `serial reader ${r.gapMs} ms apart, each timed from A's recorded grant until B's own decision for`,
    `that member counts it (${r.kind === "free" ? "the once-a-day limit reached" : "the credit used"}; probed every ${r.probeMs} ms). Load average (1 min) ${r.load.before.toFixed(2)}`,
    `before, ${r.load.after.toFixed(2)} after.`,
    "",
    ...renderTargetMarkdown(rows(r)),
  ].join("\n");
}
