/**
 * `start --config FILE`: runs the gateway daemon until SIGINT/SIGTERM, then stops cleanly (cli.md).
 * Logs go to stderr (pretty on a terminal, JSON lines otherwise); stdout stays empty. While it runs,
 * `<data>/status.json` says how it is doing (see statusFile.ts).
 */
import { join, resolve } from "node:path";
import { type Logger, pino } from "pino";
import PinoPretty from "pino-pretty";
import { type GatewayConfig, readerAreaProblems } from "../config/gateway.js";
import { Gateway } from "./daemon.js";
import { siteModel } from "./decisions.js";
import { asFeature, FeatureController } from "./features/controller.js";
import {
  readStatus,
  type StatusDocument,
  StatusWriter,
  statusFilePath,
  toStatusDocument,
} from "./statusFile.js";
import { Checkpointer } from "./store/checkpointer.js";
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
}

/** How the daemon's logs look on stderr. */
export type LogFormat = "json" | "pretty";

/** The log format when none is asked for: pretty for a person at a terminal, JSON lines for journald & co. */
export function defaultLogFormat(stderrIsTty: boolean | undefined): LogFormat {
  return stderrIsTty ? "pretty" : "json";
}

/** The daemon's logger on stderr (fd 2), synchronous so nothing is lost when it exits. */
export function makeLogger(level: GatewayConfig["log"]["level"], format: LogFormat): Logger {
  if (format === "json") return pino({ level }, pino.destination({ fd: 2, sync: true }));
  const pretty = PinoPretty({
    destination: 2,
    sync: true,
    colorize: PinoPretty.isColorSupported,
    translateTime: "SYS:yyyy-mm-dd HH:MM:ss.l",
    ignore: "pid,hostname",
    // One line per entry, so a technician can follow it with `tail -f` or scroll a terminal.
    singleLine: true,
  });
  return pino({ level }, pretty);
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

/**
 * SIGHUP never stops the daemon (cli.md): until reloading comes, each one is logged and changes
 * nothing. Node's default for SIGHUP is to exit, so a listener is installed; returns its remover.
 */
export function keepRunningOnHangup(logger: Logger): () => void {
  const onHangup = () =>
    logger.warn(
      { signal: "SIGHUP" },
      "SIGHUP: reloading the configuration comes in a later version; nothing changed, still running",
    );
  process.on("SIGHUP", onHangup);
  return () => process.off("SIGHUP", onHangup);
}

/** Starts the daemon and runs it until the stop signal; returns the exit code. */
export async function runStart(options: StartOptions): Promise<number> {
  const { file, config, raw, dataDir, gatewayId, err } = options;
  const store = Store.open(dataDir);
  // The checkpointer, the status file and the gateway, started in order and stopped in reverse.
  let controller: FeatureController | undefined;
  let stopHangups: (() => void) | undefined;
  try {
    const site = store.siteConfig();
    // sync.md: with sync on, a gateway with an empty cache starts and waits for the central's config.
    if (!site && !config.sync.enabled) siteModel(store); // throws NO_SITE with the usual message
    // With an empty cache there is no site to check the readers' areas against yet (sync.md: the
    // central's config comes after the start); scans are denied unknown_card until it has come.
    const problems = site
      ? readerAreaProblems(
          file,
          raw,
          site.areas.map((a) => a.id),
        )
      : [];
    const recordedAs = store.meta("gateway_id");
    if (recordedAs !== undefined && recordedAs !== gatewayId)
      problems.push(
        `${file}: gateway id "${gatewayId}", but the data folder ${dataDir} records events as gateway "${recordedAs}"`,
      );
    if (problems.length > 0) {
      for (const p of problems) err(p);
      err(`${problems.length} problem${problems.length === 1 ? "" : "s"} found`);
      return 2;
    }
    // Two daemons on one data folder would both pulse the doors and fight over the status file.
    const other = readStatus(dataDir);
    if (other.running && other.status.pid !== process.pid) {
      err(
        `another accessgw daemon (pid ${other.status.pid}, gateway ${other.status.gatewayId}) is running on ${dataDir}; stop it first`,
      );
      return 1;
    }
    const logger =
      options.logger ??
      makeLogger(config.log.level, options.logFormat ?? defaultLogFormat(process.stderr.isTTY));
    const stopSignal = (options.stopSignal ?? waitForSignal)();
    stopHangups = keepRunningOnHangup(logger);
    const startedAt = Date.now();
    let state: StatusDocument["state"] = "running";
    const facts = {
      gatewayId,
      pid: process.pid,
      startedAt,
      config: resolve(file),
      dataDir: resolve(dataDir),
      zone: site?.site.timezone ?? null,
    };
    const gateway: Gateway = new Gateway({
      config,
      store,
      gatewayId,
      logger,
      clock: Date.now,
      onChange: () => writer.changed(),
      version: gatewayVersion(),
    });
    const writer = new StatusWriter({
      path: statusFilePath(dataDir),
      clock: Date.now,
      snapshot: () => toStatusDocument(gateway.status(), { ...facts, state, now: Date.now() }),
      onError: (err) => logger.warn({ err }, "could not write the status file"),
    });
    let stoppedInTime = true;
    controller = new FeatureController(
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
        {
          name: "gateway",
          start: () => gateway.start(), // logs "gateway started" with the reader and relay counts
          stop: async () => {
            stoppedInTime = await withTimeout(gateway.stop(), STOP_TIMEOUT_MS);
            state = "stopped";
          },
        },
      ],
      logger.child({ component: "daemon" }),
    );
    await controller.start();
    const signal = await stopSignal;
    logger.info({ signal }, "stopping");
    state = "stopping";
    writer.changed();
    await controller.stop();
    if (!stoppedInTime) {
      logger.error({ timeoutMs: STOP_TIMEOUT_MS }, "gateway did not stop in time");
      return 1;
    }
    return 0;
  } finally {
    await controller?.stop();
    store.close();
    stopHangups?.();
  }
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
