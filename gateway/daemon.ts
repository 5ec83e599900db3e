/**
 * The gateway daemon: wires its features — the shared broker, the sync link, the doors (modes,
 * passages, alarms: doors.md), the relays, the inputs (D1), the access pipeline (debounce R17 →
 * decision R14 → door) and the readers — and a controller starts them in
 * that order and stops them in reverse. Small on purpose: the rules live in the engine, the
 * recording in the store, the bytes in the drivers, the lifecycle of each part in its feature.
 */
import type { Logger } from "pino";
import type { GatewayConfig } from "../config/gateway.js";
import type { GatewayStatus } from "../config/statusDocument.js";
import { createInput } from "../drivers/inputs/createInput.js";
import type { MqttConnection } from "../drivers/mqtt/connection.js";
import { createReader } from "../drivers/readers/createReader.js";
import { createRelay } from "../drivers/relays/createRelay.js";
import type { BackoffOptions } from "../drivers/transport/backoff.js";
import type { TransportFactory } from "../drivers/transport/transport.js";
import type { LogLevel } from "../runtime/logger.js";
import { realScheduler, type Scheduler } from "../runtime/scheduler.js";
import type { ReloadPlan } from "./configDiff.js";
import { brokerFor, driverDeps, modbusBusesFor, osdpFeatureFor } from "./daemonDrivers.js";
import { AccessPipeline, type DecisionObserver } from "./features/accessPipeline.js";
import { type Feature, FeatureController } from "./features/controller.js";
import { DoorsFeature } from "./features/doors.js";
import { FrontDesk } from "./features/frontDesk.js";
import { type FrontDeskActions, FrontDeskRefusal } from "./features/frontDeskActions.js";
import { HistoryFolder } from "./features/historyFolder.js";
import type { InputSignals } from "./features/inputSignals.js";
import { InputsFeature } from "./features/inputs.js";
import { PinGate } from "./features/pinGate.js";
import { ReaderFeedbackSink } from "./features/readerFeedback.js";
import { ReadersFeature } from "./features/readers.js";
import { RelaysFeature } from "./features/relays.js";
import { type CommandOrigin, type CommandReply, CommandService } from "./frontDesk/commandService.js";
import { deviceProblem, deviceStatus, totalsOf } from "./gatewayStatus.js";
import { reconfigure } from "./reconfigure.js";
import { StorageHealth } from "./storageHealth.js";
import type { Store } from "./store/db.js";
import { SyncClient } from "./sync/client.js";
import { GATEWAY_FEATURES } from "./sync/clientOptions.js";

/** What a Gateway is handed. */
export interface GatewayOptions {
  config: GatewayConfig;
  store: Store;
  gatewayId: string;
  logger: Logger;
  clock: () => number;
  readerFactory?: typeof createReader;
  relayFactory?: typeof createRelay;
  inputFactory?: typeof createInput;
  /** Opens serial ports and tcp:// serial servers; `openTransport` by default. */
  transportFactory?: TransportFactory;
  scheduler?: Scheduler;
  /** Reconnect backoff for every driver; each driver's default when left out. */
  backoff?: BackoffOptions;
  /** Called when status() would show something new (a state change, a scan); the status file hooks in here. */
  onChange?: () => void;
  /** The gateway's software version, for the sync hello and status. */
  version?: string;
  /**
   * doors.md D5: what the front desk's commands do at the doors; the gateway's own (its doors and
   * pipeline, `Gateway.frontDesk`) when left out. Tests hand in a recording one.
   */
  frontDesk?: FrontDeskActions;
  /** The inputs (doors.md D1) the doors read; the gateway's own inputs feature when left out. */
  inputs?: InputSignals;
  /** Hears each decision and grant's relay command with their latencies (the /metrics histograms). */
  observer?: DecisionObserver;
  /** A monotonic clock in ms for those latencies; `performance.now` by default. */
  monotonic?: () => number;
  /**
   * Sets the log level a reloaded gateway.yaml names (the daemon's log-level control, which knows
   * whether --log-level pins it); the root logger's level is set directly when left out.
   */
  setLogLevel?: (level: LogLevel) => void;
  /** Problems from outside the gateway's parts (a refused reload), shown with its own in status. */
  problems?: () => string[];
}

/** The parts of a started gateway. */
interface Parts {
  controller: FeatureController;
  readers: ReadersFeature;
  relays: RelaysFeature;
  inputs: InputsFeature;
  doors: DoorsFeature;
  frontDesk: FrontDesk;
  pipeline: AccessPipeline;
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
  /** D5: the front desk's commands, done once per id and recorded. */
  readonly commands: CommandService;
  private readonly options: GatewayOptions;
  private readonly log: Logger;
  private parts: Parts | undefined;
  /** The configuration running now (a reload replaces it). */
  private current: GatewayConfig;
  /** The configuration a reload is applying, until it is the running one. */
  private applying: GatewayConfig | undefined;
  private running = false;
  private stopping = false;

  constructor(options: GatewayOptions) {
    this.options = options;
    this.current = options.config;
    this.log = options.logger.child({ component: "gateway" });
    this.storage = new StorageHealth(options.clock);
    this.commands = new CommandService({
      store: options.store,
      gatewayId: options.gatewayId,
      clock: options.clock,
      actions: options.frontDesk ?? this.deskOfThisGateway(),
      logger: this.log.child({ component: "front desk" }),
      recorded: () => this.parts?.sync?.poke(),
    });
  }

  /** D5: carries out one front-desk command (any JSON value) from `origin`; never throws. */
  command(input: unknown, origin: CommandOrigin): Promise<CommandReply> {
    return this.commands.handle(input, origin);
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
      { readers: this.current.readers.length, relays: this.current.relays.length },
      "gateway started",
    );
  }

  /** The configuration the gateway runs with now. */
  get config(): GatewayConfig {
    return this.current;
  }

  /**
   * Reload (cli.md): makes `next` the running configuration by `plan` (configDiff.ts planReload
   * from `config`), restarting only what changed. Refused (throws) while the gateway is not running.
   */
  async reconfigure(next: GatewayConfig, plan: ReloadPlan): Promise<void> {
    const parts = this.parts;
    if (!parts || !this.running || this.stopping) throw new Error("the gateway is not running");
    this.applying = next;
    try {
      await reconfigure(parts, plan, next, {
        makeMqtt: (config) =>
          config.mqtt === undefined ? undefined : brokerFor(this.options, config.mqtt, () => this.changed()),
        makeSync: (config) => (config.sync.enabled ? this.makeSync(config) : undefined),
        log: this.log,
        setLogLevel: (level) => {
          if (this.options.setLogLevel) this.options.setLogLevel(level);
          else this.options.logger.level = level;
        },
      });
    } finally {
      this.applying = undefined;
    }
    this.current = next;
    this.changed();
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

  /** The command channel's way to this gateway's front desk, looked up per command (refused while not running). */
  private deskOfThisGateway(): FrontDeskActions {
    return {
      open: async (args, staff) => this.frontDesk.open(args, staff),
      admit: async (args, staff) => this.frontDesk.admit(args, staff),
      door: async (args, staff) => this.frontDesk.door(args, staff),
      emergency: async (args, staff) => this.frontDesk.emergency(args, staff),
    };
  }

  /** D1: the inputs' levels and their changes (every input unknown before start). */
  get inputSignals(): InputSignals {
    return this.parts?.inputs ?? { level: () => "unknown", onChange: () => () => {} };
  }

  /** Per reader, relay and input health and counters, the broker links and every problem (statusDocument.ts). */
  status(): GatewayStatus {
    const devices = deviceStatus(this.parts);
    const sync = this.parts?.sync?.report() ?? null;
    const problems = [
      ...this.storage.problems(),
      ...(this.options.problems?.() ?? []),
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

  /** The features in the order they start: each one finds those it needs already running. */
  private wire(): Parts {
    const { config, logger } = this.options;
    const changed = () => this.changed();
    const mqtt = config.mqtt === undefined ? undefined : brokerFor(this.options, config.mqtt, changed);
    const sync = config.sync.enabled ? this.makeSync(config) : undefined;
    // A reload may replace the broker and sync links: each use looks them up in the parts.
    const links = () => this.parts ?? { mqtt, sync };
    // One bus per Modbus port: a relay board and the inputs polled on its port share it (D1).
    const modbusBuses = modbusBusesFor(this.options);
    // One OSDP bus per port: the osdp readers on it share it; osdp-output relays reach their PD on it.
    // A reload's relays start before it is the running one: they find their PD in the new one.
    const osdp = osdpFeatureFor(this.options, () => this.applying ?? this.current);
    const osdpPorts = osdp.ports;
    const relays = new RelaysFeature({
      relays: config.relays,
      restingStates: (relayId) => doors.restingStates(relayId),
      factory: this.options.relayFactory ?? createRelay,
      deps: () => ({
        ...driverDeps(this.options, links().mqtt),
        modbusBuses,
        osdpPorts,
        osdpPd: (id) => osdp.pd(id),
      }),
      logger,
      changed,
    });
    const inputs = new InputsFeature({
      inputs: config.inputs,
      factory: this.options.inputFactory ?? createInput,
      deps: () => ({
        ...driverDeps(this.options, links().mqtt),
        modbusBuses,
        gatewayId: this.options.gatewayId,
      }),
      logger,
      changed,
    });
    const recorded = () => links().sync?.poke();
    const doors: DoorsFeature = new DoorsFeature({
      config,
      store: this.options.store,
      gatewayId: this.options.gatewayId,
      clock: this.options.clock,
      scheduler: this.options.scheduler ?? realScheduler,
      log: this.log,
      inputs: this.options.inputs ?? inputs,
      relays,
      recorded,
      requeued: (seq) => links().sync?.resend(seq),
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
      requeued: (seq) => links().sync?.resend(seq),
      changed,
      storage: this.storage,
      observer: this.options.observer,
      monotonic: this.options.monotonic,
      feedback: new ReaderFeedbackSink({
        store: this.options.store,
        driver: (readerId) => readers.links().find((l) => l.config.id === readerId)?.driver,
        log: this.log,
      }),
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
    // R21: cards at readers that ask for a PIN wait for it here; the others go on at once.
    const pinGate = new PinGate({
      store: this.options.store,
      clock: this.options.clock,
      scheduler: this.options.scheduler ?? realScheduler,
      log: this.log,
      pipeline,
    });
    const readers = new ReadersFeature({
      readers: config.readers,
      factory: this.options.readerFactory ?? createReader,
      deps: () => ({ ...driverDeps(this.options, links().mqtt), osdpPorts }),
      logger,
      onCard: (reader, e) => pinGate.card(reader, e),
      onKeypad: (reader, e) => pinGate.keypad(reader, e),
      onStopped: (reader) => pinGate.forget(reader.id),
      onState: (reader) => {
        pipeline.linkChanged(reader.id);
        pinGate.linkChanged(reader.id);
        changed();
      },
      changed,
    });
    const features: Feature[] = [
      // Whichever link runs when the gateway stops is stopped (a reload may have replaced it).
      { name: "mqtt", start: () => links().mqtt?.start(), stop: () => links().mqtt?.stop() },
      { name: "sync", start: () => links().sync?.start(), stop: () => links().sync?.stop() },
      // D3: the doors' stored modes are read before the relays open, so each opens into its mode.
      doors,
      osdp,
      relays,
      inputs,
      pipeline,
      pinGate,
      readers,
      // sync.md "History horizon": history the rules can no longer reach is folded as time passes.
      new HistoryFolder({
        store: this.options.store,
        clock: this.options.clock,
        scheduler: this.options.scheduler ?? realScheduler,
        log: this.log,
      }),
    ];
    const controller = new FeatureController(features, this.log);
    return { controller, readers, relays, inputs, doors, pipeline, frontDesk, mqtt, sync };
  }

  /** The link to the central server: its own persistent session, hello, outbox, status. */
  private makeSync(config: GatewayConfig): SyncClient {
    const { store, gatewayId, logger, clock, scheduler, backoff, version } = this.options;
    const sync = new SyncClient({
      store,
      config,
      gatewayId,
      version: version ?? "0.0.0",
      clock,
      scheduler: scheduler ?? realScheduler,
      logger: logger.child({ component: "sync" }),
      readers: () => deviceStatus(this.parts).readers,
      // The gateway's problems besides the sync link's own (which the client adds itself).
      problems: () => deviceStatus(this.parts).problems,
      // D5: commands from the central go the way the control socket's do.
      commands: (command) => this.commands.handle(command, "central"),
      features: [...GATEWAY_FEATURES],
      ...(backoff === undefined ? {} : { backoff }),
    });
    sync.link.on("state", () => this.changed());
    return sync;
  }

  /** The status changed; the listener (the status file) throttles. */
  private changed(): void {
    this.parts?.sync?.statusChanged();
    this.options.onChange?.();
  }
}
