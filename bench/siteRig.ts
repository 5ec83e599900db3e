/**
 * A site with several gateways (sync.md "Sites with several gateways"), every part real: the
 * reference central and N gateway daemons, each with its own data folder and gateway id, on one
 * Mosquitto. Each gateway reads cards from simulated serial-line readers (an `in` and an `out`
 * reader per area, over tcp:// serial lines, so they keep working while its uplink is cut) and
 * reaches the broker through its own {@link Uplink}. One {@link SiteClock} is handed to the central
 * and to every gateway. The integration tests (test/harness/site.ts) and the gateways benchmark
 * (bench/gateways.ts) both run on it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import { Central } from "../central/central.js";
import type { CentralOptions } from "../central/centralTypes.js";
import { GatewayConfig } from "../config/gateway.js";
import type { BackoffOptions } from "../drivers/transport/backoff.js";
import { SerialDeviceServer } from "../firmware-sim/devices/serialDeviceServer.js";
import { SimSerialLineReader } from "../firmware-sim/devices/serialLineReader.js";
import { Gateway } from "../gateway/daemon.js";
import { explain, memberBalance } from "../gateway/decisions.js";
import type { Decision } from "../gateway/engine/types.js";
import { Store, syncState } from "../gateway/store/db.js";
import { lastEventSeq, listEvents, type RecordedEvent } from "../gateway/store/events.js";
import { outboxDepth } from "../gateway/store/outbox.js";
import { Uplink } from "./uplink.js";

/** The site's one clock: it runs on with real time from `start` and jumps forward on `advance`. */
export interface SiteClock {
  now: () => number;
  /** Moves the clock `ms` ahead (the gateways and the central see it at once). */
  advance(ms: number): void;
}

/** A clock reading `start` now and running on with real time. */
export function siteClock(start: number): SiteClock {
  const t0 = Date.now();
  let offset = 0;
  return {
    now: () => start + offset + (Date.now() - t0),
    advance: (ms) => {
      offset += ms;
    },
  };
}

/** Polls `probe` every `stepMs` until it is true; throws naming `what` after `timeoutMs`. */
export async function until(
  what: string,
  probe: () => boolean,
  timeoutMs: number,
  stepMs = 5,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!probe()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** What a site rig is handed. */
export interface SiteRigOptions {
  /** The Mosquitto every part uses, `mqtt://127.0.0.1:<port>`. */
  brokerUrl: string;
  /** sync.md `P`; one per rig, so rigs on one broker never meet. */
  prefix: string;
  /** A fresh folder: the central's files and data, and one data folder per gateway. */
  dir: string;
  /** The site configuration's `site.id`. */
  siteId: string;
  siteYaml: string;
  membersYaml: string;
  /** The areas that get an `in` and an `out` reader at every gateway. */
  areas: readonly string[];
  /** The gateways' ids, A first. */
  gateways: readonly string[];
  clock: SiteClock;
  logger: Logger;
  /**
   * Gives each area's `in` reader a door on the gateway's Shelly Gen2 (device `shelly-<gateway>`,
   * switch = the area's index), for tests that make a relay fail (doors.md D2, sync.md "Undo").
   */
  doors?: boolean;
  /** More of the central's options (e.g. its own topic prefix behind a test double). */
  central?: Partial<CentralOptions>;
  /** Reconnect backoff of every client; quick by default (50 ms, capped at 200 ms). */
  backoff?: BackoffOptions;
}

const QUICK_BACKOFF: BackoffOptions = { baseMs: 50, factor: 2, capMs: 200, jitter: "none" };
/** How long a scan may take to be decided (a lost scan is a bug, not a slow figure). */
const SCAN_TIMEOUT_MS = 10_000;

/** One gateway of the site: its store, its daemon, its readers and its uplink. */
export class SiteGateway {
  daemon: Gateway | undefined;
  readonly uplink: Uplink;
  private opened: Store | undefined;
  private readonly readers = new Map<string, SimSerialLineReader>();
  private readonly lines: SerialDeviceServer[] = [];
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly id: string,
    private readonly dataDir: string,
    private readonly o: SiteRigOptions,
  ) {
    this.uplink = new Uplink(...hostAndPort(o.brokerUrl));
  }

  /** Its cache (open from start() to stop()). */
  get store(): Store {
    if (!this.opened) throw new Error(`gateway ${this.id} is not started`);
    return this.opened;
  }

  /** Opens the cache, starts the readers' lines, the uplink and the daemon. */
  async start(): Promise<void> {
    this.opened = Store.open(this.dataDir);
    const url = await this.uplink.start();
    const config = GatewayConfig.parse({
      gateway: { id: this.id, site: this.o.siteId },
      mqtt: { url, clientId: `${this.o.prefix.replace(/\//g, "-")}-${this.id}` },
      sync: { enabled: true, topicPrefix: this.o.prefix },
      readers: await this.startReaders(),
      ...(this.o.doors ? doorsOn(this.o.areas, `shelly-${this.id}`) : {}),
    });
    this.daemon = new Gateway({
      config,
      store: this.opened,
      gatewayId: this.id,
      logger: this.o.logger.child({ gateway: this.id }),
      clock: this.o.clock.now,
      backoff: this.o.backoff ?? QUICK_BACKOFF,
      version: "1.0.0-site",
      observer: { decided: () => this.waiting.shift()?.(), relayCommanded: () => {} },
    });
    await this.daemon.start();
  }

  /** An `in` and an `out` serial-line reader per area, each on its own line; returns their configuration. */
  private async startReaders(): Promise<Record<string, unknown>[]> {
    const readers = [];
    for (const area of this.o.areas)
      for (const direction of ["in", "out"] as const) {
        const line = new SerialDeviceServer();
        await line.start();
        this.lines.push(line);
        const reader = new SimSerialLineReader({ link: line, lineEnding: "CR" });
        reader.start();
        this.readers.set(`${area}-${direction}`, reader);
        const door = this.o.doors && direction === "in" ? { door: area } : {};
        readers.push({
          id: `${area}-${direction}`,
          driver: "serial-line",
          port: line.target,
          area,
          direction,
          ...door,
        });
      }
    return readers;
  }

  /** Stops the daemon, the readers, the lines and the uplink, and closes the store. */
  async stop(): Promise<void> {
    await this.daemon?.stop();
    for (const reader of this.readers.values()) reader.stop();
    for (const line of this.lines) await line.stop();
    await this.uplink.stop();
    if (this.opened?.db.open) this.opened.close();
  }

  /** Presents `card` at this gateway's reader of `area` and `direction`; resolves with the recorded decision. */
  async scan(card: string, area: string, direction: "in" | "out" = "in"): Promise<RecordedEvent> {
    const reader = this.readers.get(`${area}-${direction}`);
    if (!reader) throw new Error(`gateway ${this.id} has no ${direction} reader in ${area}`);
    const before = lastEventSeq(this.store);
    let timer: NodeJS.Timeout | undefined;
    const decided = new Promise<void>((resolve, reject) => {
      this.waiting.push(resolve);
      timer = setTimeout(() => {
        // R17 (a repeat within debounceMs) or a lost line: the next decision is not this scan's.
        this.waiting.splice(this.waiting.indexOf(resolve), 1);
        reject(new Error(`${this.id}: no decision for a scan in ${area} within ${SCAN_TIMEOUT_MS} ms`));
      }, SCAN_TIMEOUT_MS);
    });
    if (!reader.present(card))
      throw new Error(`${this.id}: the ${area}-${direction} reader is not connected`);
    await decided.finally(() => clearTimeout(timer));
    const event = listEvents(this.store, { last: 1 })[0];
    if (!event || event.seq <= before) throw new Error(`${this.id}: the decision was not recorded`);
    return event;
  }

  /** What a scan of `card` there and then would decide (R14 `explain`: records nothing). */
  explain(card: string, area: string, direction: "in" | "out" = "in"): Decision {
    return explain(
      this.store,
      { card, area, direction, readerId: `${area}-${direction}` },
      this.o.clock.now(),
    );
  }

  /** R16: the credits this gateway holds as remaining on the member's first multipack. */
  credits(memberId: string): number | null | undefined {
    return memberBalance(this.store, { member: memberId }, this.o.clock.now()).multipacks[0]
      ?.creditsRemaining;
  }

  /** The site revision this gateway has applied (sync.md `lastRev`). */
  lastRev(): number {
    return syncState(this.store).lastRev;
  }

  /** Waits until this gateway has applied site revision `rev` (or a later one). */
  applied(rev: number, timeoutMs = 10_000): Promise<void> {
    return until(`${this.id} at revision ${rev}`, () => this.lastRev() >= rev, timeoutMs);
  }

  /** Events not yet acked by the central. */
  pending(): number {
    return outboxDepth(this.store);
  }

  /** Whether its sync link is up, in step with the central, and every reader connected. */
  ready(): boolean {
    const status = this.daemon?.status();
    return (
      status?.sync?.inStep === true &&
      status.sync.state === "open" &&
      status.readers.every((r) => r.state === "open")
    );
  }
}

/** The door of each area's `in` reader on one Shelly Gen2, switch = the area's index. */
function doorsOn(areas: readonly string[], device: string) {
  return {
    doors: areas.map((area, channel) => ({ id: area, relay: "shelly", channel, pulseMs: 300 })),
    relays: [{ id: "shelly", driver: "mqtt-shelly-gen2", device }],
  };
}

function hostAndPort(url: string): [string, number] {
  const u = new URL(url);
  return [u.hostname, Number(u.port)];
}

/** A running site: the central and its gateways. */
export interface SiteRig {
  central: Central;
  gateways: SiteGateway[];
  clock: SiteClock;
  /** Rewrites the central's members file (`central.reload()` then publishes what changed). */
  writeMembers(yaml: string): void;
  /** Waits until every gateway is connected, in step and has applied the central's revision. */
  ready(timeoutMs?: number): Promise<void>;
  /**
   * Waits until every gateway whose uplink is not cut has its outbox acked, and then has applied
   * the central's revision as it stands once those events are stored (sync.md "Fan-out").
   */
  settled(timeoutMs?: number): Promise<void>;
  /** Stops the gateways, then the central. */
  stop(): Promise<void>;
}

/** Writes the site's files, starts the central and the gateways; see the file comment. */
export async function startSiteRig(o: SiteRigOptions): Promise<SiteRig> {
  const files = join(o.dir, "central");
  mkdirSync(files, { recursive: true, mode: 0o700 });
  const siteConfigFile = join(files, "site.yaml");
  const membersFile = join(files, "members.yaml");
  writeFileSync(siteConfigFile, o.siteYaml, { mode: 0o600 });
  writeFileSync(membersFile, o.membersYaml, { mode: 0o600 });
  const central = new Central({
    siteId: o.siteId,
    siteConfigFile,
    membersFile,
    mqtt: { url: o.brokerUrl, clientId: `central-${o.prefix.replace(/\//g, "-")}` },
    dataDir: join(files, "data"),
    topicPrefix: o.prefix,
    logger: o.logger.child({ component: "central" }),
    env: {},
    backoff: o.backoff ?? QUICK_BACKOFF,
    clock: o.clock.now,
    watch: false,
    ...o.central,
  });
  const gateways = o.gateways.map((id) => new SiteGateway(id, join(o.dir, id), o));
  const stop = async () => {
    for (const g of gateways) await g.stop();
    await central.stop();
  };
  try {
    await central.start();
    await central.whenSubscribed();
    for (const g of gateways) await g.start();
  } catch (err) {
    await stop();
    throw err;
  }
  const online = () => gateways.filter((g) => !g.uplink.isCut);
  return {
    central,
    gateways,
    clock: o.clock,
    writeMembers: (yaml) => writeFileSync(membersFile, yaml, { mode: 0o600 }),
    stop,
    ready: (timeoutMs = 15_000) =>
      until(
        "every gateway in step with the central",
        () => gateways.every((g) => g.ready() && g.lastRev() === central.siteRev()),
        timeoutMs,
      ),
    settled: async (timeoutMs = 10_000) => {
      await until("every outbox acked", () => online().every((g) => g.pending() === 0), timeoutMs);
      const rev = central.siteRev();
      await Promise.all(online().map((g) => g.applied(rev, timeoutMs)));
    },
  };
}
