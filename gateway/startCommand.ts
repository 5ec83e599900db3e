/**
 * `start --config FILE`: runs the gateway daemon until SIGINT/SIGTERM, then stops cleanly (cli.md).
 * Logs go to stderr (pretty on a terminal, JSON lines otherwise); stdout stays empty. While it runs,
 * `<data>/status.json` says how it is doing (see statusFile.ts).
 */
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import type { GatewayConfig } from "../config/gateway.js";
import { type StatusDocument, toStatusDocument } from "../config/statusDocument.js";
import { defaultLogFormat, type LogFormat, type LogLevel, makeLogger } from "../runtime/logger.js";
import { realScheduler } from "../runtime/scheduler.js";
import { processServiceNotifier } from "../runtime/serviceNotify.js";
import { type ConsoleApp, gatewayConsoleApp } from "./console/consoleApp.js";
import { DecisionFeed } from "./console/decisionFeed.js";
import { Gateway } from "./daemon.js";
import { siteZoneOf } from "./decisionLog.js";
import { siteModel } from "./decisions.js";
import { asFeature, FeatureController } from "./features/controller.js";
import { ControlSocket } from "./frontDesk/controlSocket.js";
import { httpMonitoring } from "./http/monitoring.js";
import { LogLevelControl } from "./logLevelControl.js";
import { Reloader, type ReloadHooks, reloadReply } from "./reload.js";
import { serviceStatusLine, whenDevicesSettled } from "./serviceStatus.js";
import { configRefusal, otherDaemonRefusal, writeRefusal } from "./startChecks.js";
import { StatusWriter, statusFilePath } from "./statusFile.js";
import { StatusSocket } from "./statusSocket.js";
import { Checkpointer } from "./store/checkpointer.js";
import {
  type DataAccess,
  groupAccess,
  OWNER_ONLY,
  resolveGroup,
  secureDataFolder,
} from "./store/dataFolder.js";
import { DB_FILE, Store } from "./store/db.js";
import { gatewayVersion } from "./version.js";

/** How long the daemon waits for gateway.stop() after a signal. */
export const STOP_TIMEOUT_MS = 5000;

export interface StartOptions {
  /** The configuration file as given (problems name it). */
  file: string;
  config: GatewayConfig;
  /** The parsed document, for the reader-area cross check. */
  raw: unknown;
  dataDir: string;
  gatewayId: string;
  /** Prints one line to stderr (problems before the logger exists). */
  err: (text: string) => void;
  /** Resolves when the daemon should stop; SIGINT or SIGTERM by default. */
  stopSignal?: () => Promise<string>;
  /** Defaults to a logger on stderr at config.log.level, formatted per `logFormat`. */
  logger?: Logger;
  /** Pretty lines for people or JSON lines for machines; default: pretty when stderr is a terminal. */
  logFormat?: LogFormat;
  /** `--log-level`: overrides gateway.yaml's `log.level`. */
  logLevel?: LogLevel;
  /** Called around every reload (a service manager's notifier: RELOADING=1, READY=1). */
  reloadHooks?: ReloadHooks;
}

/** Resolves with the name of the first SIGINT or SIGTERM; the handlers are removed then. */
export function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(signal);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}

/** What SIGHUP does now: reload once the gateway runs (reload.ts), nothing before. */
export interface Hangup {
  reload: (() => Promise<unknown>) | undefined;
}

/**
 * SIGHUP never stops the daemon (cli.md): once the gateway runs it reloads the configuration;
 * before that it is logged and changes nothing. Node's default for SIGHUP is to exit, so a
 * listener is installed from the start; returns its remover.
 */
export function reloadOnHangup(logger: Logger, hangup: Hangup): () => void {
  const onHangup = () => {
    if (hangup.reload !== undefined) void hangup.reload();
    else
      logger.warn({ signal: "SIGHUP" }, "SIGHUP before the gateway runs: nothing reloaded, still starting");
  };
  process.on("SIGHUP", onHangup);
  return () => process.off("SIGHUP", onHangup);
}

/** Who may read the data folder: its owner, or also gateway.dataGroup (store/dataFolder.ts). */
export function dataAccess(config: GatewayConfig): DataAccess {
  const name = config.gateway.dataGroup;
  return name === undefined ? OWNER_ONLY : groupAccess({ name, gid: resolveGroup(name) });
}

/** Starts the daemon and runs it until the stop signal; returns the exit code. */
export async function runStart(options: StartOptions): Promise<number> {
  const { config, dataDir, err } = options;
  const access = dataAccess(config);
  // A clean data folder that cannot be written is refused here (the cache cannot be opened).
  const store = Store.open(dataDir);
  let stopHangups: (() => void) | undefined;
  try {
    const site = store.siteConfig();
    // sync.md: with sync on, a gateway with an empty cache starts and waits for the central's config.
    if (!site && !config.sync.enabled) siteModel(store); // throws NO_SITE with the usual message
    const refusal =
      writeRefusal(store, dataDir) ??
      configRefusal(store, site, options) ??
      (await otherDaemonRefusal(dataDir));
    if (refusal) {
      for (const p of refusal.problems) err(p);
      if (refusal.code === 2)
        err(`${refusal.problems.length} problem${refusal.problems.length === 1 ? "" : "s"} found`);
      return refusal.code;
    }
    const logger =
      options.logger ??
      makeLogger(
        options.logLevel ?? config.log.level,
        options.logFormat ?? defaultLogFormat(process.stderr.isTTY),
        { zone: siteZoneOf(store) },
      );
    // Member data: the folder and its files as gateway.dataGroup says, whatever made them wider.
    const secured = secureDataFolder(dataDir, access);
    for (const change of secured.changes) logger.warn(change, "data folder: access corrected (member data)");
    for (const failure of secured.failures)
      logger.error(failure, "data folder: could not restrict access (member data); correct it by hand");
    const stopSignal = (options.stopSignal ?? waitForSignal)();
    const hangup: Hangup = { reload: undefined };
    stopHangups = reloadOnHangup(logger, hangup);
    return await runDaemon(options, store, access, logger, { stopSignal, hangup });
  } finally {
    store.close();
    stopHangups?.();
  }
}

/** Runs the checkpointer, the status file and the gateway until the stop signal; the exit code. */
async function runDaemon(
  options: StartOptions,
  store: Store,
  access: DataAccess,
  logger: Logger,
  { stopSignal, hangup }: { stopSignal: Promise<string>; hangup: Hangup },
): Promise<number> {
  const { file, config, dataDir, gatewayId } = options;
  let state: StatusDocument["state"] = "running";
  const facts = {
    gatewayId,
    pid: process.pid,
    startedAt: Date.now(),
    config: resolve(file),
    dataDir: resolve(dataDir),
  };
  // /metrics, /healthz, /readyz when gateway.yaml has `http:` (gateway/http/).
  const http = httpMonitoring({
    file,
    config,
    store,
    dataDir,
    logger,
    clock: Date.now,
    gateway: () => gateway,
    app: () => consoleApp,
  });
  // The console's live page hears each decision (and /metrics its latencies) through the feed.
  const feed = http ? new DecisionFeed({ store, logger, forward: http.metrics }) : undefined;
  const gateway: Gateway = new Gateway({
    config,
    store,
    gatewayId,
    logger,
    clock: Date.now,
    onChange: () => {
      writer.changed();
      feed?.changed(); // an admit from `accessgw`, a door mode: the live pages show it at once
    },
    version: gatewayVersion(),
    observer: feed,
    problems: () => reloader.problems(),
    setLogLevel: (level) => logLevel.reconfigured(level),
  });
  // cli.md reload: SIGHUP and `accessgw reload` read the file the daemon was started with again.
  const reloader: Reloader = new Reloader({
    file,
    dataDir,
    gatewayId,
    store,
    gateway,
    logger: logger.child({ component: "reload" }),
    hooks: {
      onReloading: () => {
        systemd.reloading(); // RELOADING=1, then READY=1 when done (refused or applied)
        options.reloadHooks?.onReloading?.();
      },
      onReloaded: (outcome) => {
        writer.changed();
        systemd.ready(serviceStatusLine(gateway.status()));
        options.reloadHooks?.onReloaded?.(outcome);
      },
    },
  });
  // The site's zone as stored now: an import may have changed it since the start.
  const zone = () => store.siteConfig()?.site.timezone ?? null;
  // systemd's notify protocol when NOTIFY_SOCKET is set (runtime/serviceNotify.ts); else it does nothing.
  const systemd = processServiceNotifier(logger.child({ component: "systemd" }));
  const snapshot = () => {
    const doc = toStatusDocument(gateway.status(), { ...facts, zone: zone(), state, now: Date.now() });
    systemd.status(serviceStatusLine(doc)); // STATUS= when the line changed
    return doc;
  };
  const writer = new StatusWriter({
    path: statusFilePath(dataDir),
    clock: Date.now,
    snapshot,
    onError: (err) => logger.warn({ err }, "could not write the status file"),
    onWrite: (err) =>
      err === null ? gateway.storage.statusFileWritten() : gateway.storage.statusFileFailed(err),
    mode: access.fileMode,
  });
  // `accessgw log-level`: the level changed at runtime, back to this one after --for.
  const logLevel = new LogLevelControl({
    logger,
    configured: options.logLevel ?? config.log.level,
    pinned: options.logLevel !== undefined,
    scheduler: realScheduler,
    clock: Date.now,
  });
  // The console on the http: listener: the pages read and act on this gateway, as the logged-in user.
  const consoleApp: ConsoleApp | undefined =
    feed &&
    gatewayConsoleApp({
      dataDir,
      status: () => gateway.status(),
      config: () => gateway.config,
      store,
      commands: gateway.commands,
      decisions: feed,
      reload: () => reloader.reload(),
      logLevel: (request) => logLevel.handle(request),
      clock: Date.now,
      logger,
    });
  let stoppedInTime = true;
  // Connecting to a socket needs write permission: a dataGroup's members may ask, and act, too.
  const socketMode = access.group === null ? 0o600 : 0o660;
  // Started in this order and stopped in reverse.
  const controller = new FeatureController(
    [
      // WAL checkpoints on a worker thread, so no decision waits for one (store/checkpointer.ts).
      asFeature(
        "checkpointer",
        new Checkpointer(store, join(dataDir, DB_FILE), logger.child({ component: "store" })),
      ),
      // Stopped after the gateway: its last document says "stopped". After a failed start the
      // last document stays as it was, naming a pid about to be gone ("did not stop cleanly").
      asFeature("status file", {
        start: () => writer.start(),
        stop: () => writer.stop(state === "stopped"),
      }),
      // Asked by `accessgw status`: it answers even when the status file cannot be written.
      new StatusSocket({
        dataDir,
        mode: socketMode,
        snapshot,
        logger: logger.child({ component: "status" }),
      }),
      // Before the gateway: unreadable TLS files refuse the start before any door is touched.
      ...(http === undefined ? [] : [http.server]),
      {
        name: "gateway",
        start: () => gateway.start(), // logs "gateway started" with the reader and relay counts
        stop: async () => {
          stoppedInTime = await withTimeout(gateway.stop(), STOP_TIMEOUT_MS);
          state = "stopped";
        },
      },
      logLevel,
      // SIGHUP reloads while the gateway runs (and is only logged before and after).
      {
        name: "reload on SIGHUP",
        start: () => {
          hangup.reload = () => reloader.reload();
        },
        stop: () => {
          hangup.reload = undefined;
        },
      },
      // doors.md D5: the front desk's verbs on this machine; taken only while the gateway runs.
      // Daemon-level requests ({"daemon": "log-level", …}) are the daemon's own, not the gateway's.
      new ControlSocket({
        dataDir,
        mode: socketMode,
        handle: (request) => gateway.command(request, "local"),
        daemon: {
          reload: async () => reloadReply(await reloader.reload()),
          "log-level": async (request) => logLevel.handle(request),
        },
        logger: logger.child({ component: "control" }),
      }),
    ],
    logger.child({ component: "daemon" }),
  );
  try {
    systemd.start();
    await controller.start();
    // Every feature has started (relays in their modes) and the readers were opened.
    if (systemd.enabled) await whenDevicesSettled(() => gateway.status());
    systemd.ready(serviceStatusLine(gateway.status()));
    const signal = await stopSignal;
    logger.info({ signal }, "stopping");
    systemd.stopping();
    state = "stopping";
    writer.changed();
  } finally {
    await controller.stop();
    systemd.stop();
  }
  if (!stoppedInTime) {
    logger.error({ timeoutMs: STOP_TIMEOUT_MS }, "gateway did not stop in time");
    return 1;
  }
  return 0;
}

/** True when `p` settled within `ms`; the timer never keeps the process alive. */
async function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
