/**
 * The doors figures (issue 9, doors.md D2 and D3), in this process: a gateway with 16 doors on 4
 * LCUS boards over socat ptys (the real lcus-serial driver and store), its readers and inputs
 * driven in process. (1) Fire input edge → every door's relay ON frame read at the board end,
 * p99 ≤ 100 ms. (2) Card → relay ON frame, at doors with a passage input and at doors without, in
 * one run, interleaved: passage confirmation must add nothing to card-to-relay latency.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { GatewayConfig } from "../config/gateway.js";
import type { ReaderDriver, ReaderEvents } from "../drivers/readers/readerDriver.js";
import { Listeners } from "../drivers/transport/listeners.js";
import { Gateway, type GatewayOptions } from "../gateway/daemon.js";
import type { InputLevel, InputSignals } from "../gateway/features/inputSignals.js";
import { Store } from "../gateway/store/db.js";
import { summariseMs, TimedLcusSplitter } from "./e2eMatch.js";
import { readEnd } from "./e2eProbes.js";
import { cardOf, createBenchData, doorLayout, lcusDoorsConfig } from "./e2eSetup.js";
import { quiet } from "./logs.js";
import { type PtyPair, startPtyPair } from "./ptyPair.js";
import { markdownTable } from "./report.js";
import type { Latency } from "./stats.js";

/** The target of doors.md D3: a fire input's edge to every named relay released. */
export const FIRE_P99_TARGET_MS = 100;

/** What the doors benchmark measured. */
export interface DoorsResult {
  doors: number;
  fire: Latency;
  withPassage: Latency;
  withoutPassage: Latency;
}

/** A reader whose cards the benchmark presents in process. */
export class BenchReader implements ReaderDriver {
  readonly listeners = new Listeners<ReaderEvents>();
  constructor(readonly id: string) {}
  start(): void {}
  async stop(): Promise<void> {}
  on<K extends keyof ReaderEvents>(event: K, listener: ReaderEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }
  counters() {
    return { cards: 0, rejected: {}, bytes: 0, reconnects: 0 };
  }
  present(card: string): void {
    this.listeners.emit("card", { readerId: this.id, card, at: 0 });
  }
}

/** The inputs as the benchmark sets them. */
export class BenchInputs implements InputSignals {
  private readonly levels = new Map<string, InputLevel>();
  private readonly listeners = new Set<(id: string, level: InputLevel, at: number) => void>();
  level(id: string): InputLevel {
    return this.levels.get(id) ?? "inactive";
  }
  onChange(listener: (id: string, level: InputLevel, at: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(id: string, level: InputLevel): void {
    this.levels.set(id, level);
    for (const l of this.listeners) l(id, level, Date.now());
  }
}

/** Waits for the next relay frame that `match` accepts; resolves with its read time. */
export type FrameWaiter = (
  match: (board: number, channel: number, on: boolean) => boolean,
) => Promise<number>;

/** Every other door has a passage input: both kinds on every board, scanned in turn. */
const withPassage = (door: number) => door % 2 === 0;

/** The gateway configuration: 16 doors (every other one with a passage input), one reader each, a fire panel for all. */
function config(boards: string[], doors: number): GatewayConfig {
  return lcusDoorsConfig({
    id: "gw-bench-doors",
    boards,
    doors,
    door: (i) => (withPassage(i) ? { passage: `pass-${i}` } : {}),
    more: { fireInputs: [{ input: "fire", reset: "auto" }] },
  });
}

/**
 * Opens `count` LCUS boards on pty pairs (into `pairs`; their readers' cleanups into `cleanups`)
 * and returns how to wait for a frame on them (bench/reload.ts uses it too).
 */
export async function startBoards(
  count: number,
  pairs: PtyPair[],
  cleanups: (() => void)[],
): Promise<FrameWaiter> {
  const waiters = new Set<{ match: Parameters<FrameWaiter>[0]; resolve: (at: number) => void }>();
  for (let b = 0; b < count; b++) {
    const pair = await startPtyPair();
    pairs.push(pair);
    const splitter = new TimedLcusSplitter();
    readEnd(pair.benchSide, cleanups, (chunk, at) => {
      for (const f of splitter.push(chunk, at))
        for (const w of waiters)
          if (w.match(b, f.channel, f.on)) {
            waiters.delete(w);
            w.resolve(f.at);
          }
    });
  }
  return (match) => new Promise((resolve) => waiters.add({ match, resolve }));
}

/** A running gateway with 16 doors on 4 LCUS boards over ptys, and how the benchmark drives it. */
export interface DoorsRig {
  gateway: Gateway;
  store: Store;
  /** The data folder (its SQLite files). */
  data: string;
  readers: Map<string, BenchReader>;
  inputs: BenchInputs;
  waitFrame: FrameWaiter;
  layout: ReturnType<typeof doorLayout>;
}

/**
 * Runs `body` on a doors rig (the bench/metrics.ts figure uses it too): a scratch data folder in
 * `dir` with `poolSize` members per door, the gateway (with `options` on top) started and every
 * board open; everything stopped and removed after.
 */
export async function withDoorsRig<T>(
  dir: string,
  poolSize: number,
  body: (rig: DoorsRig) => Promise<T>,
  options: Partial<GatewayOptions> = {},
): Promise<T> {
  const doors = 16;
  const boards = 4;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  createBenchData(join(dir, "data"), doors, poolSize);
  const pairs: PtyPair[] = [];
  const cleanups: (() => void)[] = [];
  const store = Store.open(join(dir, "data"));
  let gateway: Gateway | undefined;
  try {
    const waitFrame = await startBoards(boards, pairs, cleanups);
    const inputs = new BenchInputs();
    const readers = new Map<string, BenchReader>();
    const cfg = config(
      pairs.map((p) => p.gatewaySide),
      doors,
    );
    gateway = new Gateway({
      config: cfg,
      store,
      gatewayId: "gw-bench-doors",
      logger: quiet(),
      clock: Date.now,
      inputs,
      readerFactory: (c) => {
        const r = new BenchReader(c.id);
        readers.set(c.id, r);
        return { ok: true, reader: r };
      },
      ...options,
    });
    await gateway.start();
    await waitOpen(gateway);
    return await body({
      gateway,
      store,
      data: join(dir, "data"),
      readers,
      inputs,
      waitFrame,
      layout: doorLayout(doors, boards),
    });
  } finally {
    await gateway?.stop();
    store.close();
    for (const c of cleanups) c();
    for (const p of pairs) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs both measurements; `dir` is a scratch folder (removed after). */
export function runDoorsBench(dir: string, o: { rounds: number; scans: number }): Promise<DoorsResult> {
  return withDoorsRig(dir, Math.ceil(o.scans / 16) + 1, async ({ readers, inputs, waitFrame, layout }) => {
    const fire = await measureFire(inputs, waitFrame, layout, o.rounds);
    const scans = await measureScans(readers, inputs, waitFrame, layout, o.scans);
    return {
      doors: layout.length,
      fire: summariseMs(fire),
      withPassage: summariseMs(scans.with),
      withoutPassage: summariseMs(scans.without),
    };
  });
}

/** Waits until every relay's link is open and the resting frames have passed (the reload benchmark too). */
export async function waitOpen(gateway: Gateway): Promise<void> {
  const until = Date.now() + 10_000;
  while (gateway.status().relays.some((r) => r.state !== "open")) {
    if (Date.now() > until) throw new Error("the benchmark's relay boards did not open");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // The resting frames of the first open pass before the first figure.
  await new Promise((resolve) => setTimeout(resolve, 200));
}

/** D3: `rounds` times: the fire input's edge → the last of the doors' ON frames; then cleared (reset auto) → all OFF. */
async function measureFire(
  inputs: BenchInputs,
  waitFrame: FrameWaiter,
  layout: ReturnType<typeof doorLayout>,
  rounds: number,
): Promise<number[]> {
  const out: number[] = [];
  const all = (on: boolean) =>
    layout.map((p) => waitFrame((b, ch, o) => b === p.board && ch === p.channel && o === on));
  for (let r = 0; r < rounds; r++) {
    const ons = all(true);
    const edge = performance.now();
    inputs.set("fire", "active");
    out.push(Math.max(...(await Promise.all(ons))) - edge);
    const offs = all(false);
    inputs.set("fire", "inactive");
    await Promise.all(offs);
  }
  return out;
}

/** D2: card → ON frame at each door in turn (half with a passage input, settled at once), each door's pulse awaited before its next card. */
async function measureScans(
  readers: Map<string, BenchReader>,
  inputs: BenchInputs,
  waitFrame: FrameWaiter,
  layout: ReturnType<typeof doorLayout>,
  scans: number,
): Promise<{ with: number[]; without: number[] }> {
  const out = { with: [] as number[], without: [] as number[] };
  const offs = new Map<number, Promise<number>>();
  for (let i = 0; i < scans; i++) {
    const door = i % layout.length;
    const p = layout[door] as (typeof layout)[number];
    await offs.get(door);
    const on = waitFrame((b, ch, o) => b === p.board && ch === p.channel && o);
    offs.set(
      door,
      waitFrame((b, ch, o) => b === p.board && ch === p.channel && !o),
    );
    const t0 = performance.now();
    readers.get(`reader-${door}`)?.present(cardOf(door, Math.floor(i / layout.length)));
    const latency = (await on) - t0;
    const passage = withPassage(door);
    (passage ? out.with : out.without).push(latency);
    if (passage) {
      inputs.set(`pass-${door}`, "active");
      inputs.set(`pass-${door}`, "inactive");
    }
  }
  await Promise.all(offs.values());
  return out;
}

const ms = (n: number) => n.toFixed(2);

/** The figures as markdown, tables as biome formats them. */
export function renderDoorsMarkdown(r: DoorsResult, date: string, command: string): string {
  const row = (what: string, l: Latency, target: string) => [
    what,
    target,
    String(l.n),
    ms(l.p50),
    ms(l.p99),
    ms(l.max),
  ];
  return [
    `Measured ${date} with \`${command}\`: ${r.doors} doors on 4 LCUS boards over socat ptys (the real`,
    "lcus-serial driver and store), readers and inputs driven in the gateway's process; times to the",
    "relay frame read at the board's end.",
    "",
    ...markdownTable(
      ["what", "target", "n", "p50 (ms)", "p99 (ms)", "max (ms)"],
      [
        row("fire input edge → every door released", r.fire, `p99 ≤ ${FIRE_P99_TARGET_MS} ms`),
        row("card → relay, door with passage input", r.withPassage, "as without"),
        row("card → relay, door without", r.withoutPassage, "—"),
      ],
    ),
  ].join("\n");
}

/** The figures as text for the terminal. */
export function renderDoorsText(r: DoorsResult): string {
  const line = (what: string, l: Latency) =>
    `${what.padEnd(40)} n ${String(l.n).padStart(5)}  p50 ${ms(l.p50).padStart(7)}  p99 ${ms(l.p99).padStart(7)}  max ${ms(l.max).padStart(7)} ms`;
  return [
    line("fire edge → all doors released", r.fire),
    line("card → relay, with passage input", r.withPassage),
    line("card → relay, without", r.withoutPassage),
  ].join("\n");
}
