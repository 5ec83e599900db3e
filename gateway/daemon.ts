/**
 * The gateway daemon: wires its features — the shared broker, the sync link, the doors (modes,
 * passages, alarms: doors.md), the relays, the access pipeline (debounce R17 → decision R14 →
 * door) and the readers — and a controller starts them in
 * that order and stops them in reverse. Small on purpose: the rules live in the engine, the
 * recording in the store, the bytes in the drivers, the lifecycle of each part in its feature.
 */
import type { Logger } from "pino";
import type { GatewayConfig } from "../config/gateway.js";
import type { GatewayStatus } from "../config/statusDocument.js";
import { MqttConnection } from "../drivers/mqtt/connection.js";
import { createReader, type ReaderDeps } from "../drivers/readers/createReader.js";
import { createRelay, type RelayDeps } from "../drivers/relays/createRelay.js";
import type { BackoffOptions } from "../drivers/transport/backoff.js";
import { openTransport, type TransportFactory } from "../drivers/transport/transport.js";
import { realScheduler, type Scheduler } from "../runtime/scheduler.js";
import { AccessPipeline } from "./features/accessPipeline.js";
import { asFeature, type Feature, FeatureController } from "./features/controller.js";
import { DoorsFeature } from "./features/doors.js";
import { FrontDesk } from "./features/frontDesk.js";
import { type FrontDeskActions, FrontDeskRefusal } from "./features/frontDeskActions.js";
import type { InputSignals } from "./features/inputSignals.js";
import { ReadersFeature } from "./features/readers.js";
import { RelaysFeature } from "./features/relays.js";
import { deviceProblem, mqttStatus, readerStatus, totalsOf } from "./gatewayStatus.js";
import { StorageHealth } from "./storageHealth.js";
import type { Store } from "./store/db.js";
import { SyncClient } from "./sync/client.js";

/** What every reader and relay driver gets from the daemon (its logger and resting states come from its feature). */
type DriverDeps = Omit<ReaderDeps, "logger"> & Omit<RelayDeps, "logger" | "restingStates">;

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
  /** The inputs (doors.md D1) the doors read; without them every input is unknown. */
  inputs?: InputSignals;
}

/** The inputs of a daemon without an inputs feature: every input unknown, never a change. */
export const NO_INPUTS: InputSignals = { level: () => "unknown", onChange: () => () => {} };

/** The parts of a started gateway. */
interface Parts {
  controller: FeatureController;
  readers: ReadersFeature;
  relays: RelaysFeature;
  doors: DoorsFeature;
  pipeline: AccessPipeline;
  frontDesk: FrontDesk;
  /** The one broker connection shared by every mqtt-* reader and relay (when `config.mqtt` is set). */
  mqtt: MqttConnection | undefined;
  /** The link to the central server (sync.md), when `sync.enabled`. */
  sync: SyncClient | undefined;
}

/** The access-control gateway: start() starts its features in order, stop() stops them in reverse. */
export class Gateway implements Feature {
  readonly name = "gateway";
  /** Whether the cache and the status file can be written (status problems storageFailed, statusFileFailed). */
  readonly storage: StorageHealth;
  private readonly options: GatewayOptions;
  private readonly log: Logger;
  private parts: Parts | undefined;
  private running = false;
  private stopping = false;

  constructor(options: GatewayOptions) {
    this.options = options;
    this.log = options.logger.child({ component: "gateway" });
    this.storage = new StorageHealth(options.clock);
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

  /**
   * doors.md D5: the front desk's actions on this running gateway (the command channel calls
   * them). Refused while the gateway is not running.
   */
  get frontDesk(): FrontDeskActions {
    const desk = this.parts?.frontDesk;
    if (!desk || !this.running || this.stopping)
      throw new FrontDeskRefusal("not_running", "the gateway is not running");
    return desk;
  }

  /** Per reader and relay health and counters, the broker links and every problem (statusDocument.ts). */
  status(): GatewayStatus {
    const devices = this.devices();
    const sync = this.parts?.sync?.report() ?? null;
    const problems = [
      ...this.storage.problems(),
      ...devices.problems,
      ...(this.parts?.doors.problems() ?? []),
    ];
    if (sync !== null) {
      const down = deviceProblem(`sync link ${sync.url}`, sync);
      if (down !== undefined) problems.push(down);
      problems.push(...sync.problems);
    }
    const state = !this.running ? "stopped" : this.stopping ? "stopping" : "running";
    const doors = this.parts?.doors.status() ?? [];
    return { state, ...devices, doors, sync, totals: totalsOf(devices.readers), problems };
  }

  /** The readers, relays and device broker with their problems (the sync link aside). */
  private devices(): Pick<GatewayStatus, "readers" | "relays" | "mqtt" | "problems"> {
    const parts = this.parts;
    const readers = (parts?.readers.links() ?? []).map((link) =>
      readerStatus(link, parts?.pipeline.lane(link.config.id) ?? { counters: totalsOf([]), lastScan: null }),
    );
    const relays = parts?.relays.status() ?? [];
    const mqtt = parts?.mqtt === undefined ? null : mqttStatus(parts.mqtt);
    const problems = [
      ...readers.map((r) => deviceProblem(`reader ${r.id}`, r)),
      ...relays.map((r) => deviceProblem(`relay ${r.id}`, r)),
      mqtt === null ? undefined : deviceProblem(`mqtt broker ${mqtt.url}`, mqtt),
    ].filter((p): p is string => p !== undefined);
    return { readers, relays, mqtt, problems };
  }

  /** The features in the order they start: each one finds those it needs already running. */
  private wire(): Parts {
    const { config, logger } = this.options;
    const changed = () => this.changed();
    const mqtt = config.mqtt === undefined ? undefined : this.makeMqtt(config.mqtt);
    const sync = config.sync.enabled ? this.makeSync() : undefined;
    const relays = new RelaysFeature({
      relays: config.relays,
      restingStates: (relayId) => doors.restingStates(relayId),
      factory: this.options.relayFactory ?? createRelay,
      deps: () => this.deps(mqtt),
      logger,
      changed,
    });
    const recorded = () => sync?.poke();
    const doors: DoorsFeature = new DoorsFeature({
      config,
      store: this.options.store,
      gatewayId: this.options.gatewayId,
      clock: this.options.clock,
      scheduler: this.options.scheduler ?? realScheduler,
      log: this.log,
      inputs: this.options.inputs ?? NO_INPUTS,
      relays,
      recorded,
      changed,
      undone: (event, outcome) => pipeline.grantUndone(event, outcome, "no_passage"),
    });
    const pipeline = new AccessPipeline({
      config,
      store: this.options.store,
      gatewayId: this.options.gatewayId,
      clock: this.options.clock,
      log: this.log,
      doors,
      recorded,
      changed,
      storage: this.storage,
    });
    const frontDesk = new FrontDesk({
      config,
      store: this.options.store,
      gatewayId: this.options.gatewayId,
      clock: this.options.clock,
      log: this.log,
      pipeline,
      doors,
      recorded,
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
      // D3: the doors' stored modes are read before the relays open, so each opens into its mode.
      doors,
      relays,
      pipeline,
      readers,
    ];
    const controller = new FeatureController(features, this.log);
    return { controller, readers, relays, doors, pipeline, frontDesk, mqtt, sync };
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
      readers: () => this.devices().readers,
      // The gateway's problems besides the sync link's own (which the client adds itself).
      problems: () => this.devices().problems,
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

  /** What every driver is handed; each feature adds the driver's own logger (and a relay its resting states). */
  private deps(mqtt: MqttConnection | undefined): DriverDeps {
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
