/**
 * The gateway daemon: wires readers → debounce (R17) → decision (R14) → door relay. Small on
 * purpose: the rules live in the engine, the recording in the store, the bytes in the drivers.
 */
import type { Logger } from "pino";
import {
  type Door,
  doorChannel,
  doorChannelsOn,
  type GatewayConfig,
  type Reader,
  type Relay,
} from "../config/gateway.js";
import { MqttConnection } from "../drivers/mqtt/connection.js";
import { createReader, type ReaderDeps } from "../drivers/readers/createReader.js";
import type { CardEvent, ReaderDriver, ReaderStateEvent } from "../drivers/readers/readerDriver.js";
import { createRelay, type RelayDeps } from "../drivers/relays/createRelay.js";
import { RelayError } from "../drivers/relays/errors.js";
import type { RelayDriver } from "../drivers/relays/relayDriver.js";
import type { BackoffOptions } from "../drivers/transport/backoff.js";
import { type HealthState, realScheduler, type Scheduler } from "../drivers/transport/reconnecting.js";
import { openTransport, type TransportFactory } from "../drivers/transport/transport.js";
import { Debouncer } from "./debounce.js";
import { scan } from "./decisions.js";
import {
  type DecisionCounters,
  downProblem,
  type GatewayStatus,
  type LastScan,
  type MqttStatus,
  type ReaderStatus,
  type RelayStatus,
} from "./deviceStatus.js";
import type { Store } from "./store/db.js";
import type { RecordedEvent } from "./store/events.js";
import { recordRelayFailure } from "./store/relayFailure.js";
import { SyncClient } from "./sync/client.js";

export type { DecisionCounters, GatewayStatus, LastScan, ReaderStatus, RelayStatus } from "./deviceStatus.js";

/** How long stop() waits for decisions and door pulses still running. */
export const STOP_GRACE_MS = 4000;

/** What a Gateway is handed. */
export interface GatewayOptions {
  config: GatewayConfig;
  store: Store;
  gatewayId: string;
  logger: Logger;
  clock: () => number;
  readerFactory?: typeof createReader;
  relayFactory?: typeof createRelay;
  /** Opens serial ports and tcp:// serial servers; `openTransport` by default. */
  transportFactory?: TransportFactory;
  scheduler?: Scheduler;
  /** Reconnect backoff for every driver; each driver's default when left out. */
  backoff?: BackoffOptions;
  /** Called when status() would show something new (a state change, a scan); the status file hooks in here. */
  onChange?: () => void;
  /** The gateway's software version, for the sync hello and status. */
  version?: string;
}

interface ReaderSlot {
  config: Reader;
  door: Door | undefined;
  driver: ReaderDriver | undefined;
  problem: string | undefined;
  state: HealthState | "unavailable";
  health: Omit<ReaderStateEvent, "readerId" | "state"> | undefined;
  lastScan: LastScan | null;
  debouncer: Debouncer;
  counters: DecisionCounters;
  unsubscribe: (() => void)[];
}

interface RelaySlot {
  config: Relay;
  driver: RelayDriver | undefined;
  problem: string | undefined;
  pulses: number;
  relayFailures: number;
  unsubscribe: (() => void)[];
}

const zero = (): DecisionCounters => ({ scans: 0, grants: 0, denies: 0, errors: 0, relayFailures: 0 });

/** A card number safe for info-level logs: its last 4 characters only. */
export function maskCard(card: string): string {
  return card.length <= 4 ? "…" : `…${card.slice(-4)}`;
}

/** The access-control gateway: start() connects readers and relays, stop() shuts down in order. */
export class Gateway {
  private readonly options: GatewayOptions;
  private readonly log: Logger;
  private readonly readers: ReaderSlot[] = [];
  private readonly relays = new Map<string, RelaySlot>();
  private readonly inFlight = new Set<Promise<void>>();
  /** The one broker connection shared by every mqtt-* reader and relay (when `config.mqtt` is set). */
  private mqtt: MqttConnection | undefined;
  /** The link to the central server (sync.md), when `sync.enabled`. */
  private sync: SyncClient | undefined;
  private running = false;
  private stopping = false;

  constructor(options: GatewayOptions) {
    this.options = options;
    this.log = options.logger.child({ component: "gateway" });
  }

  /** Creates and starts the relays, then the readers (so the first grant finds its door). */
  start(): void {
    if (this.running || this.stopping) return;
    this.running = true;
    const { config } = this.options;
    if (config.mqtt !== undefined) this.startMqtt(config.mqtt);
    if (config.sync.enabled) this.startSync();
    for (const relay of config.relays) this.relays.set(relay.id, this.makeRelay(relay));
    for (const reader of config.readers) this.readers.push(this.makeReader(reader));
    for (const slot of this.relays.values()) slot.driver?.start();
    for (const slot of this.readers) slot.driver?.start();
    this.log.info({ readers: this.readers.length, relays: this.relays.size }, "gateway started");
  }

  /** Stops readers, waits (≤ 4 s) for decisions and pulses in flight, stops relays. */
  async stop(): Promise<void> {
    if (!this.running || this.stopping) return;
    this.stopping = true;
    for (const slot of this.readers) for (const off of slot.unsubscribe.splice(0)) off();
    await Promise.allSettled(this.readers.map((slot) => slot.driver?.stop()));
    await this.drain();
    await Promise.allSettled([...this.relays.values()].map((slot) => slot.driver?.stop()));
    for (const slot of this.relays.values()) for (const off of slot.unsubscribe.splice(0)) off();
    await this.sync?.stop();
    await this.mqtt?.stop();
    this.running = false;
    this.log.info({}, "gateway stopped");
  }

  /** Per reader and relay health and counters, the broker links and every problem. */
  status(): GatewayStatus {
    const devices = this.deviceStatus();
    const sync = this.sync?.report();
    if (sync === undefined) return devices;
    const problems = [...devices.problems];
    const down = downProblem(`sync link ${sync.url}`, sync);
    if (down !== undefined) problems.push(down);
    problems.push(...sync.problems);
    return { ...devices, problems, sync };
  }

  /** The readers, relays and device broker with their problems (the sync link aside). */
  private deviceStatus(): GatewayStatus {
    const totals = zero();
    const readers = this.readers.map((slot): ReaderStatus => {
      for (const k of Object.keys(totals) as (keyof DecisionCounters)[]) totals[k] += slot.counters[k];
      const h = slot.health;
      return {
        readerId: slot.config.id,
        driver: slot.config.driver,
        state: slot.state,
        ...(slot.problem === undefined ? {} : { problem: slot.problem }),
        ...(h === undefined ? {} : { since: h.since }),
        ...(h?.reason === undefined ? {} : { reason: h.reason }),
        attempts: h?.attempts ?? 0,
        ...(h?.retryInMs === undefined ? {} : { retryInMs: h.retryInMs }),
        ...slot.counters,
        lastScan: slot.lastScan === null ? null : { ...slot.lastScan },
        driverCounters: slot.driver ? slot.driver.counters() : null,
      };
    });
    const relays = [...this.relays.values()].map((slot): RelayStatus => {
      const h = slot.driver?.health();
      return {
        relayId: slot.config.id,
        driver: slot.config.driver,
        state: h ? h.state : "unavailable",
        ...(slot.problem === undefined ? {} : { problem: slot.problem }),
        ...(h === undefined ? {} : { since: h.since }),
        ...(h?.lastError === undefined ? {} : { reason: h.lastError.message }),
        pulses: slot.pulses,
        relayFailures: slot.relayFailures,
        driverCounters: slot.driver ? slot.driver.counters() : null,
      };
    });
    const problems = [
      ...readers.map((r) => r.problem ?? downProblem(`reader ${r.readerId}`, r)),
      ...relays.map((r) => r.problem ?? downProblem(`relay ${r.relayId}`, r)),
    ].filter((p): p is string => p !== undefined);
    const mqtt = this.mqttStatus();
    if (mqtt !== undefined) {
      const problem = downProblem(`mqtt broker ${mqtt.url}`, mqtt);
      if (problem !== undefined) problems.push(problem);
    }
    return {
      running: this.running && !this.stopping,
      readers,
      relays,
      totals,
      problems,
      ...(mqtt === undefined ? {} : { mqtt }),
    };
  }

  /** Starts the link to the central server: its own persistent session, hello, outbox, status. */
  private startSync(): void {
    const { config, store, gatewayId, logger, clock, scheduler, backoff, version } = this.options;
    const sync = new SyncClient({
      store,
      config,
      gatewayId,
      version: version ?? "0.0.0",
      clock,
      scheduler: scheduler ?? realScheduler,
      logger: logger.child({ component: "sync" }),
      readers: () => this.readers.map((r) => ({ id: r.config.id, connected: r.state === "open" })),
      problems: () => this.deviceStatus().problems,
      ...(backoff === undefined ? {} : { backoff }),
    });
    this.sync = sync;
    sync.link.on("state", () => this.changed());
    sync.start();
  }

  /** Opens the shared broker connection before the drivers that subscribe and publish on it. */
  private startMqtt(config: NonNullable<GatewayConfig["mqtt"]>): void {
    const { gatewayId, logger, clock, scheduler, backoff } = this.options;
    const mqtt = new MqttConnection({
      config,
      gatewayId,
      logger: logger.child({ component: "mqtt" }),
      now: clock,
      ...(scheduler === undefined ? {} : { scheduler }),
      ...(backoff === undefined ? {} : { backoff }),
    });
    mqtt.on("state", () => this.changed());
    this.mqtt = mqtt;
    mqtt.start();
  }

  /** The broker connection as status() shows it (the URL with any password masked). */
  private mqttStatus(): MqttStatus | undefined {
    const mqtt = this.mqtt;
    if (mqtt === undefined) return undefined;
    const h = mqtt.health();
    return {
      url: mqtt.url,
      clientId: mqtt.clientId,
      state: h.state,
      since: h.since,
      ...(h.lastError === undefined ? {} : { reason: h.lastError.message }),
      attempts: h.attempts,
      ...(h.retryInMs === undefined ? {} : { retryInMs: h.retryInMs }),
      counters: mqtt.counters(),
    };
  }

  /** What every reader and relay driver is handed, with its own logger (required, never silent). */
  private deps(logger: Logger): ReaderDeps & Omit<RelayDeps, "restingStates"> {
    const { transportFactory, scheduler, backoff, clock } = this.options;
    return {
      transportFactory: transportFactory ?? openTransport,
      scheduler: scheduler ?? realScheduler,
      clock,
      logger,
      gatewayId: this.options.gatewayId,
      ...(backoff === undefined ? {} : { backoff }),
      ...(this.mqtt === undefined ? {} : { mqtt: this.mqtt }),
    };
  }

  /** The status changed; the listener (the status file) throttles. */
  private changed(): void {
    this.sync?.statusChanged();
    this.options.onChange?.();
  }

  private makeRelay(config: Relay): RelaySlot {
    const slot: RelaySlot = {
      config,
      driver: undefined,
      problem: undefined,
      pulses: 0,
      relayFailures: 0,
      unsubscribe: [],
    };
    try {
      const logger = this.options.logger.child({ component: "relay", relayId: config.id });
      // A relay left ON (a crash mid-pulse) would hold its door open: on every (re)open of the
      // link, each channel a door uses is put back OFF (normal mode; door modes come later).
      const { doors } = this.options.config;
      const restingStates = () => doorChannelsOn(doors, config.id).map((channel) => ({ channel, on: false }));
      slot.driver = (this.options.relayFactory ?? createRelay)(config, {
        ...this.deps(logger),
        restingStates,
      });
      slot.unsubscribe.push(slot.driver.on("state", () => this.changed()));
    } catch (err) {
      slot.problem = err instanceof Error ? err.message : String(err);
      this.log.error({ err, relayId: config.id, driver: config.driver }, "relay not started");
    }
    return slot;
  }

  private makeReader(config: Reader): ReaderSlot {
    const door =
      config.door === undefined ? undefined : this.options.config.doors.find((d) => d.id === config.door);
    const slot: ReaderSlot = {
      config,
      door,
      driver: undefined,
      problem: undefined,
      state: "unavailable",
      health: undefined,
      lastScan: null,
      debouncer: new Debouncer(config.debounceMs),
      counters: zero(),
      unsubscribe: [],
    };
    const logger = this.options.logger.child({ component: "reader", readerId: config.id });
    const made = (this.options.readerFactory ?? createReader)(config, this.deps(logger));
    if (!made.ok) {
      slot.problem = made.error.message;
      this.log.error({ err: made.error, readerId: config.id, driver: config.driver }, "reader not started");
      return slot;
    }
    slot.driver = made.reader;
    slot.state = "connecting";
    slot.unsubscribe.push(
      made.reader.on("card", (e) => this.onCard(slot, e)),
      made.reader.on("state", (e) => {
        slot.state = e.state;
        const { readerId: _id, state: _state, ...health } = e;
        slot.health = health;
        slot.debouncer.reset(config.id);
        this.changed();
      }),
      // Counted by the driver; the status file shows the new count soon.
      made.reader.on("rejected", () => this.changed()),
    );
    return slot;
  }

  /** R17 → R14 → door: decides synchronously (one transaction), then pulses without blocking others. */
  private onCard(slot: ReaderSlot, e: CardEvent): void {
    if (this.stopping) return;
    const readerId = slot.config.id;
    const card = maskCard(e.card);
    const now = this.options.clock();
    if (!slot.debouncer.accept(readerId, e.card, now)) {
      this.log.debug({ readerId, card }, "repeated card ignored (R17)");
      return;
    }
    slot.counters.scans++;
    this.changed();
    let event: RecordedEvent;
    try {
      const { area, direction } = slot.config;
      event = scan(
        this.options.store,
        { card: e.card, area, direction, readerId },
        now,
        this.options.gatewayId,
        { offline: this.options.config.sync.enabled ? this.options.config.sync.offline : null },
      );
    } catch (err) {
      slot.counters.errors++;
      this.log.error({ err, readerId, card }, "scan failed");
      return;
    }
    // The event is in the outbox (R14): let the sync link send it.
    this.sync?.poke();
    slot.lastScan = {
      at: now,
      card,
      decision: event.decision,
      reason: event.reason,
      eventId: event.id,
      memberId: event.memberId,
      relayFailed: false,
    };
    const fields = { readerId, card, eventId: event.id, memberId: event.memberId, reason: event.reason };
    if (event.decision !== "grant") {
      slot.counters.denies++;
      this.log.info(fields, "scan denied");
      return;
    }
    slot.counters.grants++;
    this.log.info({ ...fields, creditsDeducted: event.creditsDeducted }, "scan granted");
    // R14: the event is committed; only now is the door signalled.
    this.track(this.openDoor(slot, event));
  }

  private async openDoor(slot: ReaderSlot, event: RecordedEvent): Promise<void> {
    const door = slot.door;
    if (!door) return;
    const relay = this.relays.get(door.relay);
    const channel = doorChannel(door, slot.config.direction);
    try {
      if (!relay?.driver)
        throw new RelayError(
          "RELAY_FAILED",
          { relayId: door.relay, channel, failure: "unsupported" },
          relay?.problem ?? "no such relay",
        );
      relay.pulses++;
      await relay.driver.pulse(channel, door.pulseMs);
      this.log.debug(
        { readerId: slot.config.id, doorId: door.id, relayId: door.relay, channel },
        "door pulsed",
      );
    } catch (err) {
      slot.counters.relayFailures++;
      if (relay) relay.relayFailures++;
      if (slot.lastScan?.eventId === event.id) slot.lastScan.relayFailed = true;
      this.changed();
      this.log.error(
        { err, readerId: slot.config.id, doorId: door.id, relayId: door.relay, channel, eventId: event.id },
        "door did not open: relay failed",
      );
      this.undoGrant(event);
    }
  }

  /** The member did not get in: refund, unrecord the visit, mark the event for sync. */
  private undoGrant(event: RecordedEvent): void {
    try {
      const outcome = recordRelayFailure(this.options.store, event, this.options.clock());
      this.sync?.poke();
      this.log.warn({ eventId: event.id, refunded: outcome.refunded }, "grant undone after relay failure");
    } catch (err) {
      this.log.error({ err, eventId: event.id }, "could not record the relay failure");
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Waits for work in flight, at most STOP_GRACE_MS. */
  private async drain(): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), STOP_GRACE_MS);
    });
    const done = await Promise.race([
      Promise.allSettled([...this.inFlight]).then(() => "done" as const),
      timeout,
    ]);
    clearTimeout(timer);
    if (done === "timeout")
      this.log.warn({ inFlight: this.inFlight.size }, "stopping with pulses still in flight");
  }
}
