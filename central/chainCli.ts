/**
 * `accessgw central --chain FILE`: the reference central for every site of a chain, from one process
 * (chain.ts), until SIGINT/SIGTERM (exit 0). Bad flags, a bad chain file or bad site files are refused
 * before anything connects (exit 2, every problem named, cli.md); anything else that stops it is exit 1.
 * One ready line per site once all are served (JSON with --json), and with --json one stopped line per site.
 */
import { join } from "node:path";
import { readChainFile } from "../config/chain.js";
import { redactUrl } from "../drivers/mqtt/clientOptions.js";
import { defaultLogFormat, makeLogger } from "../runtime/logger.js";
import { type Flags, positionalProblems, sharedFlags } from "./centralFlags.js";
import { Chain } from "./chain.js";
import {
  type CentralCliIo,
  readyLine,
  reportStartFailure,
  STOP_TIMEOUT_MS,
  USAGE,
  withTimeout,
} from "./cli.js";

/** The single-site flags a chain takes from its file instead, and --http (the editor serves one site). */
const NOT_WITH_CHAIN = {
  site: "the chain file names the sites",
  "site-config": "the chain file names each site's configuration",
  members: "the chain file names the members file",
  http: "the editor serves one site: run it with --site for the site to edit",
} as const;

/** Runs `accessgw central --chain FILE …`; resolves with the exit code. */
export async function runChain(flags: Flags, positionals: string[], io: CentralCliIo): Promise<number> {
  const problems = positionalProblems(positionals);
  for (const [name, why] of Object.entries(NOT_WITH_CHAIN))
    if (flags[name as keyof typeof NOT_WITH_CHAIN] !== undefined)
      problems.push(`--${name} cannot be used with --chain (${why})`);
  const shared = sharedFlags(flags, problems);
  if (problems.length > 0 || shared === null) {
    for (const p of problems) io.err(`accessgw central: ${p}`);
    io.err(`\n${USAGE}`);
    return 2;
  }
  const read = readChainFile(flags.chain as string);
  if (read.chain === null) {
    for (const p of read.problems) io.err(p);
    io.err(
      `${read.problems.length} problem${read.problems.length === 1 ? "" : "s"} found, the central did not start`,
    );
    return 2;
  }
  const logger =
    io.logger ?? makeLogger(shared.logLevel ?? "info", shared.logFormat ?? defaultLogFormat(io.stderrIsTty));
  const { dataDir, ...options } = shared.options;
  const membersFile = read.chain.membersFile;
  const chain = new Chain({
    sites: read.chain.sites.map((s) => ({ siteId: s.id, siteConfigFile: s.siteConfigFile, membersFile })),
    dataDir,
    shared: { ...options, env: io.env },
    logger,
  });

  // Signals are taken before start so a Ctrl-C during start still stops cleanly.
  let stop: (signal: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const offSignal = io.onSignal((signal) => {
    if (signal === "SIGHUP") for (const central of chain.centrals().values()) void central.reload();
    else stop(signal);
  });
  try {
    try {
      await chain.start();
    } catch (err) {
      return reportStartFailure(err, io);
    }
    for (const [siteId, central] of chain.centrals())
      io.out(
        readyLine(
          {
            siteId,
            configRev: central.configRev(),
            siteRev: central.siteRev(),
            members: central.memberCount(),
            broker: redactUrl(options.mqtt.url),
            topicPrefix: options.topicPrefix,
            dataDir: join(dataDir, siteId),
          },
          flags.json,
        ),
      );
    const signal = await stopped;
    logger.info({ signal }, "stopping");
    const served = [...chain.centrals()].map(([siteId, c]) => ({ siteId, central: c }));
    if (!(await withTimeout(chain.stop(), STOP_TIMEOUT_MS))) {
      logger.error({ timeoutMs: STOP_TIMEOUT_MS }, "the chain's centrals did not stop in time");
      return 1;
    }
    if (flags.json)
      for (const { siteId, central } of served)
        io.out(JSON.stringify({ stopped: true, siteId, signal, counters: central.counters() }));
    return 0;
  } catch (err) {
    io.err(`accessgw central: unexpected error: ${(err as Error).stack ?? err}`);
    await chain.stop().catch(() => undefined);
    return 1;
  } finally {
    offSignal();
  }
}
