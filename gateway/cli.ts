import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { loadDataFiles } from "../config/dataFile.js";
import { AccessGwError } from "../config/errors.js";
import { type GatewayConfig, loadGatewayConfig } from "../config/gateway.js";
import { formatBalance, formatDecision, formatEvent, formatImport } from "./cliFormat.js";
import { explain, memberBalance, scan, siteModel } from "./decisions.js";
import { parseAt } from "./engine/clock.js";
import type { DecisionRequest } from "./engine/types.js";
import { Store } from "./store/db.js";
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
  check   --config FILE                            validate a gateway configuration

common flags: --data DIR (default $ACCESSGW_DATA, else ./data), --config FILE, --json
times (--at, --since): ISO 8601; with an offset or Z an instant, without one local time at the site`;

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

/** Runs the command line; returns the exit code (0 done, 2 bad input, 1 anything else). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let flags: Flags;
  let positionals: string[];
  try {
    ({ values: flags, positionals } = parse(argv));
  } catch (err) {
    io.err(`accessgw: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [verb, ...rest] = positionals;
  if (flags.help || !verb) {
    (flags.help ? io.out : io.err)(USAGE);
    return flags.help ? 0 : 2;
  }
  try {
    return run(verb, rest, flags, io);
  } catch (err) {
    if (err instanceof AccessGwError) {
      io.err(`accessgw ${verb}: ${err.message}`);
      return err.isBadInput ? 2 : 1;
    }
    io.err(`accessgw ${verb}: unexpected error: ${(err as Error).stack ?? err}`);
    return 1;
  }
}

function run(verb: string, rest: string[], flags: Flags, io: Io): number {
  const config = flags.config ? readGatewayConfig(flags.config) : null;
  const dataDir = flags.data ?? config?.gateway.data ?? io.env.ACCESSGW_DATA ?? "./data";
  const withStore = <T>(fn: (store: Store) => T): T => {
    const store = Store.open(dataDir);
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
      return withStore((store) => {
        const site = siteModel(store);
        const req = scanRequest(flags, config);
        const now = atFlag(flags.at, site.zone, "--at");
        const d =
          verb === "scan" ? scan(store, req, now, gatewayId(config, io.env)) : explain(store, req, now);
        io.out(flags.json ? JSON.stringify(d) : formatDecision(d, site, verb));
        return 0;
      });
    }
    case "balance": {
      noPositionals(verb, rest);
      if ((flags.card === undefined) === (flags.member === undefined))
        throw usage("balance needs --card N or --member ID");
      return withStore((store) => {
        const site = siteModel(store);
        const now = atFlag(flags.at, site.zone, "--at");
        const b = memberBalance(store, { card: flags.card, member: flags.member }, now);
        io.out(flags.json ? JSON.stringify(b) : formatBalance(b));
        return 0;
      });
    }
    case "events": {
      noPositionals(verb, rest);
      const limit = flags.limit === undefined ? undefined : Number(flags.limit);
      if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0))
        throw usage(`--limit must be a whole number ≥ 0 (found "${flags.limit}")`);
      return withStore((store) => {
        const zone = store.siteConfig()?.site.timezone ?? "UTC";
        const since = flags.since === undefined ? undefined : atFlag(flags.since, zone, "--since");
        const events = listEvents(store, { since, limit });
        if (flags.json) for (const e of events) io.out(JSON.stringify(e));
        else if (events.length === 0) io.out("no events recorded");
        else for (const e of events) io.out(formatEvent(e, zone));
        return 0;
      });
    }
    case "check": {
      noPositionals(verb, rest);
      if (!flags.config) throw usage("check needs --config FILE");
      io.out(flags.json ? JSON.stringify({ ok: true, problems: [] }) : `${flags.config}: no problems found`);
      return 0;
    }
    default:
      throw usage(`unknown verb "${verb}"`);
  }
}

function usage(message: string): AccessGwError {
  return new AccessGwError("USAGE", `${message}\n\n${USAGE}`);
}

function noPositionals(verb: string, rest: string[]): void {
  if (rest.length > 0) throw usage(`${verb} takes no arguments besides flags (found "${rest.join(" ")}")`);
}

function readGatewayConfig(file: string): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new AccessGwError(
      "CONFIG_INVALID",
      `${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  return loadGatewayConfig(file, text);
}

/** cli.md: the config's gateway.id, else $ACCESSGW_GATEWAY_ID, else the host name. */
function gatewayId(config: GatewayConfig | null, env: NodeJS.ProcessEnv): string {
  return config?.gateway.id ?? env.ACCESSGW_GATEWAY_ID ?? hostname();
}

function atFlag(text: string | undefined, zone: string, flag: string): number {
  if (text === undefined) return Date.now();
  const ms = parseAt(text, zone);
  if (ms === null)
    throw usage(`${flag} "${text}" is not an ISO 8601 time (e.g. 2026-11-23T18:05 or 2026-11-23T17:05:00Z)`);
  return ms;
}

function scanRequest(flags: Flags, config: GatewayConfig | null): DecisionRequest {
  if (flags.card === undefined || flags.card.trim() === "") throw usage("--card N is required");
  if ((flags.reader === undefined) === (flags.area === undefined))
    throw usage("give either --reader ID or --area A");
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
