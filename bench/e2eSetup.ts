/**
 * The end-to-end benchmark's site, members and gateway configuration: one area, an unlimited
 * membership valid at any hour, and per reader a pool of distinct members, so that every scan is a
 * fresh grant that opens a door (nothing hidden by R17 debounce, anti-passback or credits).
 */
import { loadDataFiles } from "../config/dataFile.js";
import { GatewayConfig } from "../config/gateway.js";
import { Store } from "../gateway/store/db.js";
import { importFiles } from "../gateway/store/importer.js";

/** Where each reader's door is: LCUS board (0-based) and relay channel (1-based). */
export interface DoorPlace {
  board: number;
  channel: number;
}

/** Spreads `readers` doors over `boards` LCUS boards, filling each board's channels in turn. */
export function doorLayout(readers: number, boards: number): DoorPlace[] {
  const perBoard = Math.ceil(readers / boards);
  // LCUS boards are sold with 1, 2, 4 or 8 relays.
  if (perBoard > 8) throw new Error(`${readers} doors on ${boards} LCUS boards: at most 8 channels a board`);
  return Array.from({ length: readers }, (_, i) => ({
    board: Math.floor(i / perBoard),
    channel: (i % perBoard) + 1,
  }));
}

/** The card number of the k-th member of reader `reader`'s pool: 8 decimal digits. */
export function cardOf(reader: number, k: number): string {
  return String(10_000_000 + reader * 100_000 + k);
}

/** The bytes a serial-line reader sends for a card: the digits, then CR LF. */
export function scanLine(card: string): Buffer {
  return Buffer.from(`${card}\r\n`, "ascii");
}

const ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "hol"];

/** The site document: one area without anti-passback or capacity, open around the clock. */
const SITE = {
  site: { id: "bench-e2e", name: "End-to-end benchmark", timezone: "Europe/Rome", tieBreak: "fifo" },
  areas: [{ id: "gym", name: "Gym" }],
  accessTypes: [{ id: "gym-24", areas: ["gym"], windows: [{ days: ALL_DAYS, from: "00:00", to: "24:00" }] }],
  products: [
    {
      id: "unlimited",
      name: "Unlimited membership",
      credits: 0,
      validity: { indefinite: true },
      items: [{ accessType: "gym-24", credits: 0, priority: 1 }],
    },
  ],
};

/**
 * Creates the data folder: the site, and `poolSize` members with an unlimited membership per reader,
 * reader `r`'s k-th member holding card `card(r, k)` (cardOf by default), and one member for each of
 * `moreCards` (another benchmark's readers in the same gateway).
 */
export function createBenchData(
  dataDir: string,
  readers: number,
  poolSize: number,
  card: (reader: number, k: number) => string = cardOf,
  moreCards: readonly string[] = [],
): void {
  const store = Store.open(dataDir);
  try {
    importFiles(store, loadDataFiles([{ name: "bench-site.json", value: SITE }], store.siteConfig()));
    const numbers: string[] = [];
    for (let r = 0; r < readers; r++) for (let k = 0; k < poolSize; k++) numbers.push(card(r, k));
    const members = [...numbers, ...moreCards].map((number) => ({
      id: `m-${number}`,
      cards: [{ number, status: "active" }],
      multipacks: [{ id: `mp-${number}`, product: "unlimited", purchasedAt: "2026-01-01T08:00:00Z" }],
    }));
    importFiles(
      store,
      loadDataFiles([{ name: "bench-members.json", value: { members } }], store.siteConfig()),
    );
  } finally {
    store.close();
  }
}

/** The ports the gateway opens. */
export interface BenchPorts {
  readers: string[];
  boards: string[];
}

/** The gateway configuration (as a document for `gateway.yaml`): one door and relay channel per reader. */
export function gatewayConfigDocument(ports: BenchPorts, baudRate: number, logLevel: string): unknown {
  const layout = doorLayout(ports.readers.length, ports.boards.length);
  return {
    gateway: { id: "gw-bench-e2e", data: "data" },
    log: { level: logLevel },
    readers: ports.readers.map((port, i) => ({
      id: `reader-${i + 1}`,
      area: "gym",
      direction: "in",
      door: `door-${i + 1}`,
      driver: "serial-line",
      port,
      baudRate,
      format: "decimal",
      debounceMs: 2000,
    })),
    // pulseMs is the schema's minimum here; e2eGateway.ts shortens it (see there why).
    doors: layout.map((place, i) => ({
      id: `door-${i + 1}`,
      relay: `board-${place.board + 1}`,
      channel: place.channel,
      pulseMs: 100,
    })),
    // The bench's boards are pty ends that take every frame (no real LCUS board to drop one), and
    // the load is far beyond what one real board could switch; frameGapMs 0 measures the gateway.
    relays: ports.boards.map((port, b) => ({
      id: `board-${b + 1}`,
      driver: "lcus-serial",
      port,
      baudRate,
      frameGapMs: 0,
    })),
  };
}

/** What a benchmark's doors configuration varies: per reader its debounce, per door what it adds, and more sections. */
export interface DoorsConfigOptions {
  id: string;
  boards: string[];
  doors: number;
  debounceMs?: (reader: number) => number;
  door?: (door: number) => Record<string, unknown>;
  more?: Record<string, unknown>;
}

/** `doors` doors on LCUS boards (one per port in `boards`), a serial-line reader each, 100 ms pulses. */
export function lcusDoorsConfig(o: DoorsConfigOptions): GatewayConfig {
  const layout = doorLayout(o.doors, o.boards.length);
  return GatewayConfig.parse({
    gateway: { id: o.id },
    readers: layout.map((_, i) => ({
      id: `reader-${i}`,
      driver: "serial-line",
      port: "tcp://127.0.0.1:1",
      area: "gym",
      direction: "in",
      door: `door-${i}`,
      debounceMs: o.debounceMs?.(i) ?? 0,
    })),
    doors: layout.map((p, i) => ({
      id: `door-${i}`,
      relay: `board-${p.board}`,
      channel: p.channel,
      pulseMs: 100,
      ...o.door?.(i),
    })),
    relays: o.boards.map((port, b) => ({ id: `board-${b}`, driver: "lcus-serial", port, frameGapMs: 0 })),
    ...o.more,
  });
}
