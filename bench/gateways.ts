/**
 * The gateways figure (issue 12): two gateways of one site with the reference central on a real
 * Mosquitto (bench/siteRig.ts), all in this process. `visits` members, one visit each, are scanned
 * at gateway A's pool reader `gapMs` apart; each visit is charged (1 credit), so it travels the way
 * every visit does once the central folds visits: A's outbox → the central → the member document
 * re-published to the site → B's cache. Each visit is timed from the moment A recorded its grant to
 * the moment B's own decision for that member counts it (B's `explain` shows the credit used,
 * probed every `probeMs`): sync.md "Timing", a visit at A in force at B within 2 s (p99).
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
/** How long one visit may take to reach B before the run fails (a lost visit is a bug, not a slow figure). */
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
}

/** What the gateways benchmark measured. */
export interface GatewaysResult {
  visits: number;
  gapMs: number;
  probeMs: number;
  /** A's grant recorded → B's decision counts it, ms. */
  atB: Latency;
  /** The 1-minute load average before and after the run (2 cores: 2.0 is the box busy). */
  load: { before: number; after: number };
}

/** The bench site: one pool, open all day, a 10-credit pack per member. */
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
`;
}

/** The card of the k-th member. */
const cardOf = (k: number) => String(60_000_000 + k);

function membersYaml(n: number): string {
  const lines = ["members:"];
  for (let k = 0; k < n; k++)
    lines.push(
      `  - { id: m-${k}, name: "Member ${k}", cards: [{ number: "${cardOf(k)}", status: active }], multipacks: [{ id: mp-${k}, product: swim10, purchasedAt: "2027-01-04T09:00:00Z" }] }`,
    );
  return `${lines.join("\n")}\n`;
}

/** Whether B's decision for member k counts the credit A charged. */
function countedAt(b: SiteGateway, k: number): boolean {
  return b.explain(cardOf(k), "pool").creditsRemaining === CREDITS - 2;
}

/** Runs the benchmark in `dir` (emptied first) on a Mosquitto of its own. */
export async function runGatewaysBench(dir: string, o: GatewaysOptions): Promise<GatewaysResult> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const broker = await benchBroker();
  const load = { before: loadavg()[0] ?? 0, after: 0 };
  try {
    const rig = await startSiteRig({
      brokerUrl: broker.url,
      prefix: "bench/v1",
      dir,
      siteId: "bench-lido",
      siteYaml: siteYaml(),
      membersYaml: membersYaml(o.visits),
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
          if (countedAt(b, k)) {
            latencies.push(performance.now() - grantedAt);
            pending.delete(k);
          }
      }, o.probeMs);
      try {
        for (let k = 0; k < o.visits; k++) {
          const grant = await a.scan(cardOf(k), "pool");
          const grantedAt = performance.now();
          if (grant.decision !== "grant" || grant.creditsDeducted !== 1)
            throw new Error(`visit ${k} at A: ${grant.decision} ${grant.reason}, expected a charged grant`);
          pending.set(k, grantedAt);
          await sleep(o.gapMs);
        }
        await until("every visit counted at B", () => pending.size === 0, VISIT_TIMEOUT_MS);
      } finally {
        clearInterval(probe);
      }
      load.after = loadavg()[0] ?? 0;
      return { visits: o.visits, gapMs: o.gapMs, probeMs: o.probeMs, atB: summariseMs(latencies), load };
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
      name: `visit at A → counted by B's decisions, p99 of ${r.visits}`,
      target: `≤ ${ms(VISIT_AT_B_TARGET_MS)}`,
      value: ms(r.atB.p99),
      pass: r.atB.p99 <= VISIT_AT_B_TARGET_MS,
    },
    {
      name: "visit at A → counted by B's decisions, p50 / max",
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
    `on one Mosquitto, in one process; ${r.visits} charged visits of distinct members scanned at A's`,
    `serial reader ${r.gapMs} ms apart, each timed from A's recorded grant until B's own decision for`,
    `that member counts the credit (probed every ${r.probeMs} ms). Load average (1 min) ${r.load.before.toFixed(2)}`,
    `before, ${r.load.after.toFixed(2)} after.`,
    "",
    ...renderTargetMarkdown(rows(r)),
  ].join("\n");
}
