/**
 * `accessgw central`: the reference central server for one site, or for the sites of a chain
 * (`--chain FILE`, chainCli.ts), until SIGINT/SIGTERM (exit 0).
 * Bad flags or files are refused before anything connects (exit 2, every problem named); anything
 * else that stops it is exit 1. Logs on stderr (pretty on a terminal, else JSON lines); stdout has a
 * line when it is ready (JSON with --json) and, with --json, one when it stopped.
 */

import type { Logger } from "pino";
import { AccessGwError } from "../config/errors.js";
import type { Mqtt } from "../config/gateway.js";
import { type ListenAddress, parseListen } from "../config/http.js";
import { DEFAULT_TOPIC_PREFIX } from "../config/protocol/payloads.js";
import { Id } from "../config/site.js";
import { redactUrl } from "../drivers/mqtt/clientOptions.js";
import { defaultLogFormat, type LogFormat, type LogLevel, makeLogger } from "../runtime/logger.js";
import { Central } from "./central.js";
import { centralConsoleRouter } from "./centralConsole.js";
import { type Flags, parseFlags, positionalProblems, sharedFlags } from "./centralFlags.js";
import type { CentralOptions } from "./centralTypes.js";
import { CentralWeb, DEFAULT_CENTRAL_HTTP } from "./centralWeb.js";
import { DEFAULT_STALE_GATEWAY_DAYS } from "./gatewayStore.js";
import { DEFAULT_PART_BYTES, DEFAULT_PART_MEMBERS, DEFAULT_REPLAY_LIMIT } from "./messages.js";

export const USAGE = `usage: accessgw central --site S --site-config FILE [--members FILE] --broker URL [flags]
       accessgw central --chain FILE --broker URL [--data DIR] [flags]

The reference central server of docs/sync.md for one site (docs/central.md): publishes the site
configuration and the members of the files to the gateways, answers their hellos, stores and acks
their events. Edits of the files are picked up while it runs (and on SIGHUP).

  --site S                the site it serves (the site configuration's site.id)
  --site-config FILE      the site configuration, YAML or JSON (docs/rules.md); may hold members too
  --members FILE          the members, YAML or JSON (docs/rules.md)
  --chain FILE            serve the sites of a chain instead (docs/central.md "Chains"): the chain
                          file names each site's configuration and the members file they share;
                          each site keeps its state in DIR/<site>; not with --site, --site-config,
                          --members or --http
  --broker URL            mqtt://, mqtts://, ws:// or wss://; credentials only from
                          ACCESSGW_MQTT_USERNAME / ACCESSGW_MQTT_PASSWORD
  --ca FILE --cert FILE --key FILE
                          TLS files for mqtts:// and wss://
  --data DIR              where it keeps its state (default ./central-data)
  --topic-prefix P        docs/sync.md's P (default ${DEFAULT_TOPIC_PREFIX})
  --part-members N        members per sync part or changes message (default ${DEFAULT_PART_MEMBERS})
  --part-bytes N          bytes of JSON per sync part or changes message (default ${DEFAULT_PART_BYTES})
  --replay-limit N        a gateway more revisions behind than N gets a snapshot (default ${DEFAULT_REPLAY_LIMIT})
  --stale-gateway-days N  an offline gateway not heard from for N days stops holding back what the
                          site's documents and config may use (default ${DEFAULT_STALE_GATEWAY_DAYS}; 0: never)
  --http [HOST:]PORT      serve the facility manager's editor (e.g. ${DEFAULT_CENTRAL_HTTP}; port 0: any free
                          port); a bare port listens on 127.0.0.1 only
  --log-format json|pretty
                          logs on stderr (default: pretty on a terminal, else JSON lines)
  --log-level LEVEL       fatal, error, warn, info (default), debug, trace or silent
  --json                  a JSON line on stdout when ready and one when stopped
  --help                  this text

SIGINT/SIGTERM stop it; SIGHUP reads the files again.

accessgw central command --broker URL --gateway G --verb VERB --args JSON --operator NAME --reason WHY
sends one front-desk command to a gateway and prints its result (accessgw central command --help).
exit codes: 0 stopped cleanly, 2 bad input (flags, files), 1 anything else`;

/** The process parts the command uses, handed in so tests can run it in-process. */
export interface CentralCliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** Calls `listener` on SIGINT, SIGTERM or SIGHUP; returns a function that unsubscribes. */
  onSignal(listener: (signal: NodeJS.Signals) => void): () => void;
  stderrIsTty: boolean;
  /** Overrides the logger made from --log-format (tests). */
  logger?: Logger;
  /** Called with the exit code once stopped: the process's own io ends the process soon after. */
  exited?: (code: number) => void;
}

/** How long a stop may take (finishing queued work, disconnecting) before the command gives up. */
export const STOP_TIMEOUT_MS = 5000;

function processIo(): CentralCliIo {
  return {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    env: process.env,
    onSignal(listener) {
      const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
      for (const s of signals) process.on(s, listener);
      return () => {
        for (const s of signals) process.off(s, listener);
      };
    },
    stderrIsTty: process.stderr.isTTY === true,
    // Stopped and closed; should a stray handle remain, do not hang (as `accessgw start`).
    exited: (code) => setTimeout(() => process.exit(code), 2000).unref(),
  };
}

/** Runs `accessgw central`; resolves with the exit code. */
export async function main(argv: string[], io: CentralCliIo = processIo()): Promise<number> {
  const code = await run(argv, io);
  io.exited?.(code);
  return code;
}

async function run(argv: string[], io: CentralCliIo): Promise<number> {
  // doors.md D5: `accessgw central command …` sends one front-desk command and prints its result.
  if (argv[0] === "command") return (await import("./commandCli.js")).runCommandCli(argv.slice(1), io);
  let flags: Flags;
  let positionals: string[];
  try {
    ({ values: flags, positionals } = parseFlags(argv));
  } catch (err) {
    io.err(`accessgw central: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    io.out(USAGE);
    return 0;
  }
  if (flags.chain !== undefined) return (await import("./chainCli.js")).runChain(flags, positionals, io);
  const checked = checkFlags(flags, positionals);
  if (checked.options === null) {
    for (const p of checked.problems) io.err(`accessgw central: ${p}`);
    io.err(`\n${USAGE}`);
    return 2;
  }
  const logger =
    io.logger ??
    makeLogger(checked.logLevel ?? "info", checked.logFormat ?? defaultLogFormat(io.stderrIsTty));
  const central = new Central({ ...checked.options, logger, env: io.env });
  let web: CentralWeb | undefined;

  // Signals are taken before start so a Ctrl-C during start still stops cleanly.
  let stop: (signal: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const offSignal = io.onSignal((signal) => {
    if (signal === "SIGHUP") void central.reload();
    else stop(signal);
  });
  try {
    try {
      await central.start();
      if (checked.http) web = await startWeb(checked.http, central, checked.options, logger);
    } catch (err) {
      await central.stop().catch(() => undefined);
      return reportStartFailure(err, io);
    }
    const ready = {
      siteId: checked.options.siteId,
      configRev: central.configRev(),
      siteRev: central.siteRev(),
      members: central.memberCount(),
      broker: redactUrl(checked.options.mqtt?.url ?? ""),
      topicPrefix: checked.options.topicPrefix,
      dataDir: checked.options.dataDir,
      ...(web ? { http: webAddress(web) } : {}),
    };
    io.out(readyLine(ready, flags.json));
    const signal = await stopped;
    logger.info({ signal }, "stopping");
    await web?.stop();
    if (!(await withTimeout(central.stop(), STOP_TIMEOUT_MS))) {
      logger.error({ timeoutMs: STOP_TIMEOUT_MS }, "the central did not stop in time");
      return 1;
    }
    if (flags.json) io.out(JSON.stringify({ stopped: true, signal, counters: central.counters() }));
    return 0;
  } catch (err) {
    io.err(`accessgw central: unexpected error: ${(err as Error).stack ?? err}`);
    await web?.stop().catch(() => undefined);
    await central.stop().catch(() => undefined);
    return 1;
  } finally {
    offSignal();
  }
}

/** What the ready line says of one site. */
export interface Ready {
  siteId: string;
  configRev: number;
  siteRev: number;
  members: number;
  broker: string;
  topicPrefix: string;
  dataDir: string;
  http?: string;
}

/** The line printed when a site is served: JSON with --json, else for people. */
export function readyLine(ready: Ready, json: boolean): string {
  if (json) return JSON.stringify({ ready: true, ...ready });
  return (
    `accessgw central: site ${ready.siteId}, config rev ${ready.configRev}, site rev ${ready.siteRev}, ` +
    `${ready.members} member${ready.members === 1 ? "" : "s"}; broker ${ready.broker} (${ready.topicPrefix}); data ${ready.dataDir}` +
    (ready.http ? `; editor http://${ready.http}/editor` : "")
  );
}

/** The editor's web server, listening: the logins of the central's data folder and the editor. */
async function startWeb(
  listen: ListenAddress,
  central: Central,
  options: Omit<CentralOptions, "logger">,
  logger: Logger,
): Promise<CentralWeb> {
  const router = centralConsoleRouter({
    siteId: options.siteId,
    siteConfigFile: options.siteConfigFile,
    ...(options.membersFile === undefined ? {} : { membersFile: options.membersFile }),
    dataDir: options.dataDir,
    source: central,
    clock: options.clock ?? Date.now,
    logger,
  });
  const web = new CentralWeb({ listen, router, logger });
  await web.start();
  return web;
}

/** host:port of a listening server, as a URL prints it ([::1]:9280 for IPv6). */
function webAddress(web: CentralWeb): string {
  const at = web.address();
  if (at === undefined) return "";
  return at.host.includes(":") ? `[${at.host}]:${at.port}` : `${at.host}:${at.port}`;
}

/** True when `p` settled within `ms`; the timer never keeps the process alive. */
export async function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([p.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every problem of a start that failed, like `accessgw import` prints them; the exit code. */
export function reportStartFailure(err: unknown, io: CentralCliIo): number {
  if (err instanceof AccessGwError) {
    if (err.code === "DATA_INVALID" && err.problems.length > 0 && err.problems[0] !== err.message) {
      for (const p of err.problems) io.err(p);
      io.err(
        `${err.problems.length} problem${err.problems.length === 1 ? "" : "s"} found, the central did not start`,
      );
    } else io.err(`accessgw central: ${err.message}`);
    return err.exitCode;
  }
  io.err(`accessgw central: cannot start: ${(err as Error).stack ?? err}`);
  return 1;
}

/** The flags checked all at once: the Central's options, or every problem. */
export function checkFlags(
  flags: Flags,
  positionals: string[],
): {
  options: (Omit<CentralOptions, "logger"> & { mqtt: Mqtt; topicPrefix: string }) | null;
  logFormat?: LogFormat;
  logLevel?: LogLevel;
  http?: ListenAddress;
  problems: string[];
} {
  const problems = positionalProblems(positionals);
  const site = flags.site;
  if (site === undefined) problems.push("--site S is required (the site this central serves)");
  else if (!Id.safeParse(site).success)
    problems.push(`--site "${site}" is not an id (letters, digits and . _ : @ -)`);
  if (flags["site-config"] === undefined) problems.push("--site-config FILE is required");
  const shared = sharedFlags(flags, problems);
  const http = flags.http === undefined ? undefined : parseListen(flags.http);
  if (typeof http === "string") problems.push(`--http: ${http}`);
  if (problems.length > 0 || shared === null || site === undefined) return { options: null, problems };
  return {
    ...shared,
    options: {
      siteId: site,
      siteConfigFile: flags["site-config"] as string,
      ...(flags.members === undefined ? {} : { membersFile: flags.members }),
      ...shared.options,
    },
    ...(typeof http === "object" ? { http } : {}),
    problems,
  };
}
