/**
 * `start --config FILE`: runs the gateway daemon until SIGINT/SIGTERM, then stops cleanly (cli.md).
 * Logs are JSON lines on stderr; stdout stays empty.
 */
import { type Logger, pino } from "pino";
import { type GatewayConfig, readerAreaProblems } from "../config/gateway.js";
import { Gateway } from "./daemon.js";
import { siteModel } from "./decisions.js";
import { Store } from "./store/db.js";

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
  /** Defaults to JSON lines on stderr at config.log.level. */
  logger?: Logger;
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

/** Starts the daemon and runs it until the stop signal; returns the exit code. */
export async function runStart(options: StartOptions): Promise<number> {
  const { file, config, raw, dataDir, gatewayId, err } = options;
  const store = Store.open(dataDir);
  let gateway: Gateway | undefined;
  try {
    const site = store.siteConfig();
    if (!site) siteModel(store); // throws NO_SITE with the usual message
    const problems = readerAreaProblems(
      file,
      raw,
      (site?.areas ?? []).map((a) => a.id),
    );
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
    const logger =
      options.logger ?? pino({ level: config.log.level }, pino.destination({ fd: 2, sync: true }));
    const stopSignal = (options.stopSignal ?? waitForSignal)();
    gateway = new Gateway({ config, store, gatewayId, logger, clock: Date.now });
    gateway.start(); // logs "gateway started" with the reader and relay counts
    const signal = await stopSignal;
    logger.info({ signal }, "stopping");
    const stopped = await withTimeout(gateway.stop(), STOP_TIMEOUT_MS);
    gateway = undefined;
    if (!stopped) {
      logger.error({ timeoutMs: STOP_TIMEOUT_MS }, "gateway did not stop in time");
      return 1;
    }
    return 0;
  } catch (e) {
    if (gateway) await withTimeout(gateway.stop(), STOP_TIMEOUT_MS);
    throw e;
  } finally {
    store.close();
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
