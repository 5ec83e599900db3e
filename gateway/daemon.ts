/**
 * The gateway daemon: wires its features — the shared broker, the sync link, the relays, the access
 * pipeline (debounce R17 → decision R14 → door) and the readers — and a controller starts them in
 * that order and stops them in reverse. Small on purpose: the rules live in the engine, the
 * recording in the store, the bytes in the drivers, the lifecycle of each part in its feature.
 */
import type { Logger } from "pino";
import type { GatewayConfig } from "../config/gateway.js";
import { MqttConnection } from "../drivers/mqtt/connection.js";
import { createReader, type ReaderDeps } from "../drivers/readers/createReader.js";
import { createRelay, type RelayDeps } from "../drivers/relays/createRelay.js";
import type { BackoffOptions } from "../drivers/transport/backoff.js";
import { realScheduler, type Scheduler } from "../drivers/transport/reconnecting.js";
import { openTransport, type TransportFactory } from "../drivers/transport/transport.js";
import {
  type DecisionCounters,
  downProblem,
  type GatewayStatus,
  type MqttStatus,
  type ReaderStatus,
} from "./deviceStatus.js";
import { AccessPipeline, zeroCounters } from "./features/accessPipeline.js";
import { asFeature, type Feature, FeatureController } from "./features/controller.js";
import { ReadersFeature } from "./features/readers.js";
import { RelaysFeature } from "./features/relays.js";
import type { Store } from "./store/db.js";
import { SyncClient } from "./sync/client.js";

export type { DecisionCounters, GatewayStatus, LastScan, ReaderStatus, RelayStatus } from "./deviceStatus.js";
export { maskCard, STOP_GRACE_MS } from "./features/accessPipeline.js";

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

/** The parts of a started gateway. */
interface Parts {
  controller: FeatureController;
  readers: ReadersFeature;
  relays: RelaysFeature;
  pipeline: AccessPipeline;
  /** The one broker connection shared by every mqtt-* reader and relay (when `config.mqtt` is set). */
  mqtt: MqttConnection | undefined;
  /** The link to the central server (sync.md), when `sync.enabled`. */
  sync: SyncClient | undefined;
}

/** The access-control gateway: start() starts its features in order, stop() stops them in reverse. */
export class Gateway implements Feature {
  readonly name = "gateway";
  private readonly options: GatewayOptions;
  private readonly log: Logger;
  private parts: Parts | undefined;
  private running = false;
  private stopping = false;

  constructor(options: GatewayOptions) {
    this.options = options;
    this.log = options.logger.child({ component: "gateway" });
  }

  /** Starts the broker link, the sync link, the relays, the access pipeline and the readers, in that order. */
  async start(): Promise<void> {
    if (this.running || this.stopping) return;
    this.running = true;
    const parts = this.wire();
    this.parts = parts;
    try {
      await parts.controller.start();
    } catch (err) {
      this.running = false;
      throw err;
    }
    this.log.info(
      { readers: this.options.config.readers.length, relays: this.options.config.relays.length },
      "gateway started",
    );
  }

  /** Stops the readers, waits (≤ 4 s) for decisions and pulses in flight, then the relays and the links. */
  async stop(): Promise<void> {
    if (!this.running || this.stopping) return;
    this.stopping = true;
    await this.parts?.controller.stop();
    this.running = false;
    this.log.info({}, "gateway stopped");
  }

  /** Per reader and relay health and counters, the broker links and every problem. */
  status(): GatewayStatus {
    const devices = this.deviceStatus();
    const sync = this.parts?.sync?.report();
    if (sync === undefined) return devices;
    const problems = [...devices.problems];
    const down = downProblem(`sync link ${sync.url}`, sync);
    if (down !== undefined) problems.push(down);
    problems.push(...sync.problems);
    return { ...devices, problems, sync };
  }

  /** The features in the order they start: each one finds those it needs already running. */
  private wire(): Parts {
    const { config, logger } = this.options;
    const changed = () => this.changed();
    const mqtt = config.mqtt === undefined ? undefined : this.makeMqtt(config.mqtt);
    const sync = config.sync.enabled ? this.makeSync() : undefined;
    const relays = new RelaysFeature({
      relays: config.relays,
      factory: this.options.relayFactory ?? createRelay,
      deps: () => this.deps(mqtt),
      logger,
      changed,
    });
    const pipeline = new AccessPipeline({
      config,
      store: this.options.store,
      gatewayId: this.options.gatewayId,
      clock: this.options.clock,
      log: this.log,
      pulse: (relayId, channel, ms) => relays.pulse(relayId, channel, ms),
      recorded: () => sync?.poke(),
      changed,
    });
    const readers = new ReadersFeature({
      readers: config.readers,
      factory: this.options.readerFactory ?? createReader,
      deps: () => this.deps(mqtt),
      logger,
      onCard: (reader, e) => pipeline.onCard(reader, e),
      onState: (reader) => {
        pipeline.linkChanged(reader.id);
        changed();
      },
      changed,
    });
    const features: Feature[] = [
      ...(mqtt === undefined ? [] : [asFeature("mqtt", mqtt)]),
      ...(sync === undefined ? [] : [asFeature("sync", sync)]),
      relays,
      pipeline,
      readers,
    ];
    return { controller: new FeatureController(features, this.log), readers, relays, pipeline, mqtt, sync };
  }

  /** The readers, relays and device broker with their problems (the sync link aside). */
  private deviceStatus(): GatewayStatus {
    const totals = zeroCounters();
    const parts = this.parts;
    const readers = (parts?.readers.links() ?? []).map((link): ReaderStatus => {
      const { counters, lastScan } = parts?.pipeline.lane(link.config.id) ?? {
        counters: zeroCounters(),
        lastScan: null,
      };
      for (const k of Object.keys(totals) as (keyof DecisionCounters)[]) totals[k] += counters[k];
      const h = link.health;
      return {
        readerId: link.config.id,
        driver: link.config.driver,
        state: link.state,
        ...(link.problem === undefined ? {} : { problem: link.problem }),
        ...(h === undefined ? {} : { since: h.since }),
        ...(h?.reason === undefined ? {} : { reason: h.reason }),
        attempts: h?.attempts ?? 0,
        ...(h?.retryInMs === undefined ? {} : { retryInMs: h.retryInMs }),
        ...counters,
        lastScan,
        driverCounters: link.driver ? link.driver.counters() : null,
      };
    });
    const relays = parts?.relays.status() ?? [];
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

  /** The link to the central server: its own persistent session, hello, outbox, status. */
  private makeSync(): SyncClient {
    const { config, store, gatewayId, logger, clock, scheduler, backoff, version } = this.options;
    const sync = new SyncClient({
      store,
      config,
      gatewayId,
      version: version ?? "0.0.0",
      clock,
      scheduler: scheduler ?? realScheduler,
      logger: logger.child({ component: "sync" }),
      readers: () =>
        (this.parts?.readers.links() ?? []).map((r) => ({ id: r.config.id, connected: r.state === "open" })),
      problems: () => this.deviceStatus().problems,
      ...(backoff === undefined ? {} : { backoff }),
    });
    sync.link.on("state", () => this.changed());
    return sync;
  }

  /** The shared broker connection, started before the drivers that subscribe and publish on it. */
  private makeMqtt(config: NonNullable<GatewayConfig["mqtt"]>): MqttConnection {
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
    return mqtt;
  }

  /** The broker connection as status() shows it (the URL with any password masked). */
  private mqttStatus(): MqttStatus | undefined {
    const mqtt = this.parts?.mqtt;
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

  /** What every driver is handed. */
  private deps(mqtt: MqttConnection | undefined): Omit<ReaderDeps, "logger"> & RelayDeps {
    const { transportFactory, scheduler, backoff, clock } = this.options;
    return {
      transportFactory: transportFactory ?? openTransport,
      scheduler: scheduler ?? realScheduler,
      clock,
      gatewayId: this.options.gatewayId,
      ...(backoff === undefined ? {} : { backoff }),
      ...(mqtt === undefined ? {} : { mqtt }),
    };
  }

  /** The status changed; the listener (the status file) throttles. */
  private changed(): void {
    this.parts?.sync?.statusChanged();
    this.options.onChange?.();
  }
}
