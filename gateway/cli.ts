import { once } from "node:events";
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { AccessGwError } from "../config/errors.js";
import { declaredGatewayId, type GatewayConfig, readerAreaProblems } from "../config/gateway.js";
import { readGatewayConfigFile } from "../config/gatewayFile.js";
import { resolveGatewayId } from "../config/gatewayId.js";
import type { LogFormat, LogLevel } from "../runtime/logger.js";
import { formatBalance, formatDecision, formatImport, formatStatus } from "./cliFormat.js";
import { type Command, parseCommandLine, seeHelp, usage } from "./cliParse.js";
import { timeFlag } from "./cliTime.js";
import { topUsage, verbUsage } from "./cliUsage.js";
import type { Flags, Io } from "./cliVerbs.js";
import { explain, memberBalance, scan, siteModel } from "./decisions.js";
import type { DecisionRequest } from "./engine/types.js";
import type { StatusReading } from "./statusFile.js";
import { DB_FILE, Store } from "./store/db.js";
import { gatewayVersion } from "./version.js";

// The verbs of cliFrontDesk.ts and cliBackup.ts: those modules (and what they import) load only
// when one of their verbs runs, so every other verb starts faster.
const FRONT_DESK_VERBS: ReadonlySet<string> = new Set(["open", "admit", "door", "emergency"]);
const BACKUP_VERBS: ReadonlySet<string> = new Set(["backup", "restore"]);

const processIo: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
  drain: () => (process.stdout.writableNeedDrain ? once(process.stdout, "drain") : null),
};

/** `accessgw events | head`: the reader went away early; that deserves no stack trace. */
function quietOnClosedPipe(): void {
  if (process.stdout.listenerCount("error") > 0) return;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
  });
}

/** Runs the command line; returns the exit code (0 done, 2 bad input, 1 anything else; status: 3, 4). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(argv);
  } catch (err) {
    if (!(err instanceof AccessGwError)) throw err;
    io.err(err.message);
    return err.exitCode;
  }
  if (command.kind === "version") {
    io.out(gatewayVersion());
    return 0;
  }
  // The simulator and the central have their own flags and usage; they are loaded only when asked for.
  if (command.kind === "help" && command.verb?.delegate) return (await command.verb.delegate())(["--help"]);
  if (command.kind === "help") {
    io.out(command.verb ? verbUsage(command.verb) : topUsage());
    return 0;
  }
  if (command.kind === "delegate") return (await command.load())(command.argv);
  if (io === processIo) quietOnClosedPipe();
  const { verb, flags, args } = command;
  try {
    if (verb.name === "start") return await runStartVerb(flags, io);
    if (verb.name === "events") return await runEventsVerb(flags, io);
    if (verb.name === "status") return await runStatus(flags, io);
    // The daemon and the service unit load what only they need (drivers, MQTT, HTTP) when asked:
    // every other verb starts faster without them.
    if (verb.name === "install-service")
      return (await import("./installService.js")).runInstallService(flags, io);
    if (verb.name === "reload")
      return await (await import("./cliReload.js")).runReload(flags, io, (data) =>
        dataDir({ ...flags, ...(data ? { data } : {}) }, null, io.env),
      );
    if (FRONT_DESK_VERBS.has(verb.name)) return await runFrontDeskVerb(verb.name, flags, io);
    if (verb.name === "log-level")
      return await (await import("./cliLogLevel.js")).runLogLevel(args, flags, {
        io,
        dataDir: dataDir(flags, optionalConfig(flags), io.env),
      });
    if (verb.name === "osdp") return await runOsdpVerb(args, flags, io);
    if (verb.name === "user")
      return await (await import("./cliUser.js")).runUser(args, flags, {
        io,
        dataDir: dataDir(flags, optionalConfig(flags), io.env),
        now: Date.now,
      });
    if (BACKUP_VERBS.has(verb.name)) {
      const config = optionalConfig(flags);
      const cli = { io, dataDir: dataDir(flags, config, io.env), gatewayId: () => gatewayId(config, io.env) };
      return await (await import("./cliBackup.js")).runBackupVerb(verb.name, flags, {
        ...cli,
        now: Date.now,
      });
    }
    if (verb.name === "import") return await runImport(args, flags, io);
    return run(verb.name, flags, io);
  } catch (err) {
    if (err instanceof AccessGwError) {
      // One line and where the usage is: the whole usage would scroll the problem out of sight.
      const help = err.code === "USAGE" ? `\n${seeHelp(verb)}` : "";
      io.err(`accessgw ${verb.name}: ${err.message}${help}`);
      return err.exitCode;
    }
    io.err(`accessgw ${verb.name}: unexpected error: ${(err as Error).stack ?? err}`);
    return 1;
  }
}

/** The configuration --config names, or null without one (verbs that need no hardware). */
function optionalConfig(flags: Flags): GatewayConfig | null {
  return flags.config ? readGatewayConfig(flags.config) : null;
}

/** `osdp keyset` (cliOsdp.ts): warnings of the port it opens go to stderr as the daemon's would. */
async function runOsdpVerb(args: string[], flags: Flags, io: Io): Promise<number> {
  const config = optionalConfig(flags);
  const { runOsdp } = await import("./cliOsdp.js");
  const { makeLogger, defaultLogFormat } = await import("../runtime/logger.js");
  const logger = makeLogger("warn", defaultLogFormat(process.stderr.isTTY));
  return runOsdp(args, flags, { io, config, dataDir: dataDir(flags, config, io.env), logger });
}

/** `events`: filters and --follow (cliEvents.ts); SIGINT and SIGTERM end --follow with exit 0. */
async function runEventsVerb(flags: Flags, io: Io): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  if (flags.follow) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  try {
    const config = optionalConfig(flags);
    const openStore = () => Store.open(dataDir(flags, config, io.env));
    const { runEvents } = await import("./cliEvents.js");
    return await runEvents(flags, { io, openStore, time: timeFlag, signal: stop.signal });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** `accessgw import FILE…`: checked on a worker thread while this one writes, all or nothing. */
async function runImport(files: string[], flags: Flags, io: Io): Promise<number> {
  if (files.length === 0) throw usage("import needs at least one FILE");
  const store = Store.open(dataDir(flags, optionalConfig(flags), io.env));
  try {
    const { importDataFiles } = await import("./store/fileImport.js");
    const summary = await importDataFiles(
      store,
      files.map((name) => ({ name })),
    );
    io.out(flags.json ? JSON.stringify(summary) : formatImport(files, summary));
    return 0;
  } finally {
    store.close();
  }
}

function run(verb: string, flags: Flags, io: Io): number {
  if (verb === "check") return runCheck(flags, io);
  const config = optionalConfig(flags);
  const withStore = <T>(fn: (store: Store) => T): T => {
    const store = Store.open(dataDir(flags, config, io.env));
    try {
      return fn(store);
    } finally {
      store.close();
    }
  };
  switch (verb) {
    case "explain":
    case "scan": {
      // Bad flags are refused before the data folder is touched.
      const req = scanRequest(flags, config);
      const at = timeFlag(flags.at, "--at");
      return withStore((store) => {
        const site = siteModel(store);
        const now = at(site.zone);
        // A gateway that syncs judges its cache by sync.offline, on the command line as in the daemon.
        const options = { offline: config?.sync.enabled ? config.sync.offline : null };
        const d =
          verb === "scan"
            ? scan(store, req, now, gatewayId(config, io.env), options)
            : explain(store, req, now, options);
        io.out(flags.json ? JSON.stringify(d) : formatDecision(d, site, verb));
        return 0;
      });
    }
    case "balance": {
      if ((flags.card === undefined) === (flags.member === undefined))
        throw usage("balance needs --card N or --member ID (one of them)");
      const at = timeFlag(flags.at, "--at");
      return withStore((store) => {
        const site = siteModel(store);
        const b = memberBalance(store, { card: flags.card, member: flags.member }, at(site.zone));
        io.out(flags.json ? JSON.stringify(b) : formatBalance(b));
        return 0;
      });
    }
    default:
      throw usage(`unknown verb "${verb}"`);
  }
}

/**
 * `check --config FILE`: every problem at once — syntax, schema, duplicate reader ids, and, when the
 * data folder already holds a cache, reader areas unknown to the stored site and a gateway id that
 * the folder would refuse. Never creates a data folder.
 */
function runCheck(flags: Flags, io: Io): number {
  const file = flags.config;
  if (!file) throw usage("check needs --config FILE");
  const checked = readGatewayConfigFile(file);
  const problems = [...checked.problems];
  const dir = dataDir(flags, checked.config, io.env);
  let areasChecked = false;
  if (existsSync(join(dir, DB_FILE))) {
    const store = Store.open(dir);
    try {
      const site = store.siteConfig();
      if (site) {
        areasChecked = true;
        problems.push(
          ...readerAreaProblems(
            file,
            checked.raw,
            site.areas.map((a) => a.id),
          ),
        );
      }
      const recordedAs = store.meta("gateway_id");
      const id = declaredGatewayId(checked.raw);
      if (recordedAs !== undefined && id !== undefined && id !== recordedAs)
        problems.push(
          `${file}: gateway.id: "${id}", but the data folder ${dir} records events as gateway "${recordedAs}"`,
        );
    } finally {
      store.close();
    }
  }
  const { warnings } = checked;
  if (flags.json) io.out(JSON.stringify({ ok: problems.length === 0, problems, warnings, areasChecked }));
  else {
    // Warnings print but never make the exit code 2: the configuration works as it is.
    for (const w of warnings) io.err(`warning: ${w}`);
    if (problems.length > 0) {
      for (const p of problems) io.err(p);
      io.err(`${problems.length} problem${problems.length === 1 ? "" : "s"} found`);
    } else {
      io.out(`${file}: no problems found`);
      if (!areasChecked) io.err(`(reader areas not checked: no site imported in ${dir})`);
    }
  }
  return problems.length > 0 ? 2 : 0;
}

/** cli.md: `status` exits 0 when the daemon runs with no problem, 3 with problems, 4 when it does not run. */
export function statusExitCode(reading: StatusReading): 0 | 3 | 4 {
  if (!reading.running) return 4;
  return reading.status.problems.length > 0 ? 3 : 0;
}

/**
 * `status --config FILE`: asks the running daemon of the data folder (found as `start` finds it) on
 * its status socket, else reads the status file it keeps there; the exit code says running,
 * running with problems, or not running.
 */
async function runStatus(flags: Flags, io: Io): Promise<number> {
  // Without either, ./data would be guessed, and "not running" there could mislead a technician.
  if (flags.config === undefined && flags.data === undefined) throw usage("status needs --config FILE");
  const config = flags.config === undefined ? null : readGatewayConfig(flags.config);
  const { currentStatus } = await import("./statusSocket.js");
  const reading = await currentStatus(dataDir(flags, config, io.env));
  io.out(flags.json ? JSON.stringify(reading) : formatStatus(reading, Date.now()));
  return statusExitCode(reading);
}

/** `open`, `admit`, `door`, `emergency` (doors.md D5): the daemon of the data folder acts (cliFrontDesk.ts). */
async function runFrontDeskVerb(verb: string, flags: Flags, io: Io): Promise<number> {
  const config = optionalConfig(flags);
  const dir = dataDir(flags, config, io.env);
  const zone = () => {
    const store = Store.open(dir);
    try {
      return store.siteConfig()?.site.timezone ?? "UTC";
    } finally {
      store.close();
    }
  };
  const { runFrontDesk } = await import("./cliFrontDesk.js");
  return runFrontDesk(verb, flags, { io, dataDir: dir, time: timeFlag, zone, now: Date.now });
}

/**
 * `start --config FILE`: a bad configuration is refused (exit 2, every problem as `check` prints
 * it) before the data folder is opened; then the daemon runs until SIGINT/SIGTERM.
 */
async function runStartVerb(flags: Flags, io: Io): Promise<number> {
  const file = flags.config;
  if (!file) throw usage("start needs --config FILE");
  const logFormat = flags["log-format"];
  if (logFormat !== undefined && logFormat !== "json" && logFormat !== "pretty")
    throw usage(`--log-format must be json or pretty (found "${logFormat}")`);
  const checked = readGatewayConfigFile(file);
  if (!checked.config) {
    for (const p of checked.problems) io.err(p);
    const n = checked.problems.length;
    io.err(`${n} problem${n === 1 ? "" : "s"} found`);
    return 2;
  }
  const config = checked.config;
  const { runStart } = await import("./startCommand.js");
  const code = await runStart({
    file,
    config,
    raw: checked.raw,
    dataDir: dataDir(flags, config, io.env),
    gatewayId: gatewayId(config, io.env),
    err: io.err,
    ...(logFormat === undefined ? {} : { logFormat: logFormat as LogFormat }),
    ...(flags["log-level"] === undefined ? {} : { logLevel: flags["log-level"] as LogLevel }),
  });
  // The daemon is stopped and the store closed; should a stray handle remain, do not hang.
  if (io === processIo) setTimeout(() => process.exit(code), 2000).unref();
  return code;
}

/** An environment variable, treating an empty value as unset. */
function envVar(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === "" ? undefined : v;
}

/** cli.md: --data, else (our addition) the config's gateway.data, else $ACCESSGW_DATA, else ./data. */
function dataDir(flags: Flags, config: GatewayConfig | null, env: NodeJS.ProcessEnv): string {
  return flags.data ?? config?.gateway.data ?? envVar(env, "ACCESSGW_DATA") ?? "./data";
}

function readGatewayConfig(file: string): GatewayConfig {
  const { config, problems } = readGatewayConfigFile(file);
  if (config) return config;
  throw new AccessGwError("CONFIG_INVALID", `invalid gateway configuration:\n  ${problems.join("\n  ")}`, {
    problems,
  });
}

/** cli.md: the config's gateway.id, else $ACCESSGW_GATEWAY_ID, else the host name (each checked). */
function gatewayId(config: GatewayConfig | null, env: NodeJS.ProcessEnv): string {
  return resolveGatewayId(config?.gateway.id, env.ACCESSGW_GATEWAY_ID, hostname());
}

function scanRequest(flags: Flags, config: GatewayConfig | null): DecisionRequest {
  if (flags.card === undefined || flags.card.trim() === "") throw usage("--card N is required");
  if ((flags.reader === undefined) === (flags.area === undefined))
    throw usage("give either --reader ID or --area A (one of them)");
  if (flags.reader !== undefined) {
    if (flags.direction !== undefined)
      throw usage("--direction goes with --area; a reader has its own direction");
    if (!config)
      throw new AccessGwError(
        "UNKNOWN_READER",
        `unknown reader "${flags.reader}": readers are defined in --config FILE`,
      );
    const reader = config.readers.find((r) => r.id === flags.reader);
    if (!reader)
      throw new AccessGwError(
        "UNKNOWN_READER",
        `unknown reader "${flags.reader}" (the config has: ${config.readers.map((r) => r.id).join(", ") || "no readers"})`,
      );
    return { card: flags.card, area: reader.area, direction: reader.direction, readerId: reader.id };
  }
  const direction = flags.direction ?? "in";
  if (direction !== "in" && direction !== "out")
    throw usage(`--direction must be in or out (found "${direction}")`);
  return { card: flags.card, area: flags.area as string, direction, readerId: null };
}
