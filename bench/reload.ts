/**
 * The reload figure (issue 10 §3, cli.md reload), in this process: 16 doors on 4 LCUS boards over
 * socat ptys (the real lcus-serial driver and store), one reader each driven in process. Card →
 * relay ON frame, first with no reload, then while the configuration is reloaded again and again
 * (4 of the readers change and restart each time; the load runs on the 12 others, and each
 * restarted reader is scanned once after its reload). Every scan sent must be decided; the target:
 * card-to-relay p99 during reloads ≤ 2× without.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { GatewayConfig } from "../config/gateway.js";
import { planReload } from "../gateway/configDiff.js";
import { Gateway } from "../gateway/daemon.js";
import { Store } from "../gateway/store/db.js";
import { listEvents } from "../gateway/store/events.js";
import { BenchReader, startBoards, waitOpen } from "./doors.js";
import { summariseMs } from "./e2eMatch.js";
import { cardOf, createBenchData, doorLayout, lcusDoorsConfig } from "./e2eSetup.js";
import { quiet } from "./logs.js";
import type { PtyPair } from "./ptyPair.js";
import type { Latency } from "./stats.js";
import type { TargetRow } from "./targetTable.js";

const DOORS = 16;
const BOARDS = 4;
/** The readers each reload restarts (their debounce window changes). */
const CHANGED = [12, 13, 14, 15];

/** What the reload benchmark measured. */
export interface ReloadResult {
  reloads: number;
  sent: number;
  decided: number;
  without: Latency;
  during: Latency;
}

/** The configuration: a reader and a door per LCUS channel; `round` changes the CHANGED readers' debounce. */
function config(boards: string[], round: number): GatewayConfig {
  return lcusDoorsConfig({
    id: "gw-bench-reload",
    boards,
    doors: DOORS,
    debounceMs: (i) => (CHANGED.includes(i) ? round % 2 : 0),
  });
}

/** Runs both phases of `scans` scans each, reloading every `pauseMs` during the second; `dir` is a scratch folder (removed after). */
export async function runReloadBench(
  dir: string,
  o: { scans: number; pauseMs: number },
): Promise<ReloadResult> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Cards enough for every scan: a restarted reader takes one after each reload (at most one per scan).
  createBenchData(join(dir, "data"), DOORS, 2 * o.scans + 1);
  const pairs: PtyPair[] = [];
  const cleanups: (() => void)[] = [];
  const store = Store.open(join(dir, "data"));
  let gateway: Gateway | undefined;
  try {
    const frames = await startBoards(BOARDS, pairs, cleanups);
    const waitFrame = (board: number, channel: number, on: boolean) =>
      frames((b, ch, v) => b === board && ch === channel && v === on);
    const ports = pairs.map((p) => p.gatewaySide);
    const readers = new Map<string, BenchReader>();
    gateway = new Gateway({
      config: config(ports, 0),
      store,
      gatewayId: "gw-bench-reload",
      logger: quiet(),
      clock: Date.now,
      readerFactory: (c) => {
        const r = new BenchReader(c.id);
        readers.set(c.id, r);
        return { ok: true, reader: r };
      },
    });
    await gateway.start();
    await waitOpen(gateway);
    const running = gateway;
    const layout = doorLayout(DOORS, BOARDS);
    let sent = 0;
    const used = new Map<number, number>();
    /** One scan at `door`: card → its ON frame (ms), after the door's previous pulse ended. */
    const offs = new Map<number, Promise<number>>();
    const scan = async (door: number): Promise<number> => {
      const p = layout[door] as (typeof layout)[number];
      await offs.get(door);
      const on = waitFrame(p.board, p.channel, true);
      offs.set(door, waitFrame(p.board, p.channel, false));
      const k = used.get(door) ?? 0;
      used.set(door, k + 1);
      sent++;
      const t0 = performance.now();
      readers.get(`reader-${door}`)?.present(cardOf(door, k));
      return (await on) - t0;
    };
    const untouched = layout.map((_, i) => i).filter((i) => !CHANGED.includes(i));
    const without: number[] = [];
    for (let i = 0; i < o.scans; i++) without.push(await scan(untouched[i % untouched.length] as number));
    const during: number[] = [];
    let done = false;
    let reloads = 0;
    const reloading = (async () => {
      // Reloads one after another for as long as the load runs, so every "during" scan meets one.
      while (!done) {
        const next = config(ports, reloads + 1);
        await running.reconfigure(next, planReload(running.config, next));
        reloads++;
        for (const door of CHANGED) await scan(door);
        await new Promise((resolve) => setTimeout(resolve, o.pauseMs));
      }
    })();
    for (let i = 0; i < o.scans; i++) during.push(await scan(untouched[i % untouched.length] as number));
    done = true;
    await reloading;
    await Promise.all(offs.values());
    const decided = listEvents(store, {}).length;
    return { reloads, sent, decided, without: summariseMs(without), during: summariseMs(during) };
  } finally {
    await gateway?.stop();
    store.close();
    for (const c of cleanups) c();
    for (const p of pairs) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures next to their targets: no scan lost, p99 during reloads ≤ 2× without. */
export function reloadRows(r: ReloadResult): TargetRow[] {
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  return [
    {
      name: `scans decided / sent (${r.reloads} reloads)`,
      target: "all",
      value: `${r.decided} / ${r.sent}`,
      pass: r.decided === r.sent,
    },
    { name: "card → relay p99 without reload", target: "—", value: ms(r.without.p99), pass: null },
    {
      name: "card → relay p99 during reloads",
      target: "≤ 2× without",
      value: ms(r.during.p99),
      pass: r.during.p99 <= 2 * r.without.p99,
    },
  ];
}
