import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadDataFiles } from "../config/dataFile.js";
import { AccessGwError } from "../config/errors.js";
import {
  checkGatewayConfig,
  declaredGatewayId,
  type GatewayConfig,
  type GatewayConfigCheck,
  readerAreaProblems,
} from "../config/gateway.js";
import { formatBalance, formatDecision, formatEvent, formatImport, formatStatus } from "./cliFormat.js";
import { explain, memberBalance, scan, siteModel } from "./decisions.js";
import { parseAt } from "./engine/clock.js";
import type { DecisionRequest } from "./engine/types.js";
import { type LogFormat, runStart } from "./startCommand.js";
import { readStatus } from "./statusFile.js";
import { DB_FILE, Store } from "./store/db.js";
import { listEvents } from "./store/events.js";
import { multipackOwner } from "./store/facts.js";
import { importFiles } from "./store/importer.js";

const USAGE = `usage: accessgw <verb> [flags]

verbs:
  import FILE...                                   load site configuration and/or member data
  explain --card N (--reader ID | --area A [--direction in|out]) [--at T]
                                                   what would happen if card N were scanned (changes nothing)
  scan    (same flags as explain)                  decide and record, as a real reader would
  balance (--card N | --member ID) [--at T]        the member's multipacks and credits
  events  [--since T] [--limit N]                  recorded decisions, oldest first
  check   --config FILE                            validate a gateway configuration (and its readers'
                                                   areas against the site stored in --data, if any)
  start   --config FILE [--log-format json|pretty]
                                                   run the gateway daemon until SIGINT/SIGTERM (logs on
                                                   stderr: pretty on a terminal, else JSON lines)
  status  --config FILE                            is the daemon running? each reader's and relay's
                                                   state, last scan and counters (exit 1: not running)
  sim     --config sim.yaml [--scenario FILE]      the hardware simulator (docs/simulator.md; also
                                                   installed as accessgw-sim)
  central --site S --site-config FILE [--members FILE] --broker URL
                                                   the reference central server of sync.md, until
                                                   SIGINT/SIGTERM (docs/central.md; central --help)
  help                                             this text (also --help, -h)

common flags: --data DIR (default $ACCESSGW_DATA, else ./data), --config FILE, --json
times (--at, --since): ISO 8601; with an offset or Z an instant, without one local time at the site
exit codes: 0 done (a deny is an answer), 2 bad input, 1 anything else`;

const VERBS = new Set(["import", "explain", "scan", "balance", "events", "check", "start", "status"]);

const FLAGS = {
  data: { type: "string" },
  config: { type: "string" },
  json: { type: "boolean", default: false },
  card: { type: "string" },
  reader: { type: "string" },
  area: { type: "string" },
  direction: { type: "string" },
  at: { type: "string" },
  member: { type: "string" },
  since: { type: "string" },
  limit: { type: "string" },
  "log-format": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

type Flags = ReturnType<typeof parse>["values"];

function parse(args: string[]) {
  return parseArgs({ args, options: FLAGS, allowPositionals: true, strict: true });
}

/** Output streams, handed in so tests can run the command line in-process. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const processIo: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
};

/** `accessgw events | head`: the reader went away early; that deserves no stack trace. */
function quietOnClosedPipe(): void {
  if (process.stdout.listenerCount("error") > 0) return;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
  });
}

/** Runs the command line; returns the exit code (0 done, 2 bad input, 1 anything else). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  // The simulator has its own flags and prompt; it is loaded only when asked for.
  if (argv[0] === "sim") return (await import("../firmware-sim/cli.js")).main(argv.slice(1));
  if (argv[0] === "central") return (await import("../firmware-sim/central/cli.js")).main(argv.slice(1));
  if (io === processIo) quietOnClosedPipe();
  let flags: Flags;
  let positionals: string[];
  try {
    ({ values: flags, positionals } = parse(argv));
  } catch (err) {
    io.err(`accessgw: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [verb, ...rest] = positionals;
  if (flags.help || verb === "help") {
    io.out(USAGE);
    return 0;
  }
  if (!verb || !VERBS.has(verb)) {
    io.err(`accessgw: ${verb ? `unknown verb "${verb}"` : "no verb given"}\n\n${USAGE}`);
    return 2;
  }
  try {
    if (verb === "start") return await runStartVerb(rest, flags, io);
    return run(verb, rest, flags, io);
  } catch (err) {
    if (err instanceof AccessGwError) {
      io.err(`accessgw ${verb}: ${err.message}`);
      return err.exitCode;
    }
    io.err(`accessgw ${verb}: unexpected error: ${(err as Error).stack ?? err}`);
    return 1;
  }
}

function run(verb: string, rest: string[], flags: Flags, io: Io): number {
  if (verb === "check") return runCheck(rest, flags, io);
  if (verb === "status") return runStatus(rest, flags, io);
  const config = flags.config ? readGatewayConfig(flags.config) : null;
  const withStore = <T>(fn: (store: Store) => T): T => {
    const store = Store.open(dataDir(flags, config, io.env));
    try {
      return fn(store);
    } finally {
      store.close();
    }
  };
  switch (verb) {
    case "import": {
      if (rest.length === 0) throw usage("import needs at least one FILE");
      return withStore((store) => {
        const files = loadDataFiles(
          rest.map((name) => ({ name })),
          store.siteConfig(),
          (id) => multipackOwner(store, id),
        );
        const summary = importFiles(store, files);
        io.out(flags.json ? JSON.stringify(summary) : formatImport(rest, summary));
        return 0;
      });
    }
    case "explain":
    case "scan": {
      noPositionals(verb, rest);
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
      noPositionals(verb, rest);
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
    case "events": {
      noPositionals(verb, rest);
      if (flags.limit !== undefined && !/^\d+$/.test(flags.limit))
        throw usage(`--limit must be a whole number ≥ 0 (found "${flags.limit}")`);
      const limit = flags.limit === undefined ? undefined : Number(flags.limit);
      const since = flags.since === undefined ? undefined : timeFlag(flags.since, "--since");
      return withStore((store) => {
        const zone = store.siteConfig()?.site.timezone ?? "UTC";
        const events = listEvents(store, { since: since?.(zone), limit });
        if (flags.json) for (const e of events) io.out(JSON.stringify(e));
        else if (events.length === 0) io.out("no events recorded");
        else for (const e of events) io.out(formatEvent(e, zone));
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
function runCheck(rest: string[], flags: Flags, io: Io): number {
  noPositionals("check", rest);
  const file = flags.config;
  if (!file) throw usage("check needs --config FILE");
  const checked = readConfigText(file);
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

/**
 * `status --config FILE`: reads the status file the running daemon keeps in its data folder (found
 * as `start` finds it). Exit 0 when the daemon runs, 1 when it does not (cli.md: "anything else").
 */
function runStatus(rest: string[], flags: Flags, io: Io): number {
  noPositionals("status", rest);
  // Without either, ./data would be guessed, and "not running" there could mislead a technician.
  if (flags.config === undefined && flags.data === undefined) throw usage("status needs --config FILE");
  const config = flags.config === undefined ? null : readGatewayConfig(flags.config);
  const reading = readStatus(dataDir(flags, config, io.env));
  io.out(flags.json ? JSON.stringify(reading) : formatStatus(reading, Date.now()));
  return reading.running ? 0 : 1;
}

/**
 * `start --config FILE`: a bad configuration is refused (exit 2, every problem as `check` prints
 * it) before the data folder is opened; then the daemon runs until SIGINT/SIGTERM.
 */
async function runStartVerb(rest: string[], flags: Flags, io: Io): Promise<number> {
  noPositionals("start", rest);
  const file = flags.config;
  if (!file) throw usage("start needs --config FILE");
  const logFormat = flags["log-format"];
  if (logFormat !== undefined && logFormat !== "json" && logFormat !== "pretty")
    throw usage(`--log-format must be json or pretty (found "${logFormat}")`);
  const checked = readConfigText(file);
  if (!checked.config) {
    for (const p of checked.problems) io.err(p);
    const n = checked.problems.length;
    io.err(`${n} problem${n === 1 ? "" : "s"} found`);
    return 2;
  }
  const config = checked.config;
  const code = await runStart({
    file,
    config,
    raw: checked.raw,
    dataDir: dataDir(flags, config, io.env),
    gatewayId: gatewayId(config, io.env),
    err: io.err,
    ...(logFormat === undefined ? {} : { logFormat: logFormat as LogFormat }),
  });
  // The daemon is stopped and the store closed; should a stray handle remain, do not hang.
  if (io === processIo) setTimeout(() => process.exit(code), 2000).unref();
  return code;
}

function usage(message: string): AccessGwError {
  return new AccessGwError("USAGE", `${message}\n\n${USAGE}`);
}

function noPositionals(verb: string, rest: string[]): void {
  if (rest.length > 0) throw usage(`${verb} takes no arguments besides flags (found "${rest.join(" ")}")`);
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

function readConfigText(file: string): GatewayConfigCheck {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return {
      config: null,
      raw: undefined,
      problems: [`${file}: cannot read the file (${code})`],
      warnings: [],
    };
  }
  return checkGatewayConfig(file, text);
}

function readGatewayConfig(file: string): GatewayConfig {
  const { config, problems } = readConfigText(file);
  if (config) return config;
  throw new AccessGwError("CONFIG_INVALID", `invalid gateway configuration:\n  ${problems.join("\n  ")}`, {
    problems,
  });
}

/** cli.md: the config's gateway.id, else $ACCESSGW_GATEWAY_ID, else the host name. */
function gatewayId(config: GatewayConfig | null, env: NodeJS.ProcessEnv): string {
  return config?.gateway.id ?? envVar(env, "ACCESSGW_GATEWAY_ID") ?? hostname();
}

/**
 * Checks a time flag's syntax now (bad input before anything is opened) and returns how to read
 * it once the site's zone is known; absent means now.
 */
function timeFlag(text: string | undefined, flag: string): (zone: string) => number {
  if (text === undefined) return () => Date.now();
  if (parseAt(text, "UTC") === null)
    throw usage(`${flag} "${text}" is not an ISO 8601 time (e.g. 2026-11-23T18:05 or 2026-11-23T17:05:00Z)`);
  return (zone) => {
    const ms = parseAt(text, zone);
    if (ms === null) throw usage(`${flag} "${text}" is not a valid time in ${zone}`);
    return ms;
  };
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
