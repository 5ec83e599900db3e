/**
 * The flags of `accessgw central` (cli.ts) and of its chain form (chainCli.ts): parsed, and the ones
 * both forms take checked all at once, every problem named.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Mqtt } from "../config/gateway.js";
import { DEFAULT_TOPIC_PREFIX, TopicPrefix } from "../config/protocol/payloads.js";
import { redactUrl } from "../drivers/mqtt/clientOptions.js";
import { asLogLevel, LOG_LEVELS, type LogFormat, type LogLevel } from "../runtime/logger.js";
import { MIN_PART_BYTES } from "./messages.js";

/** The flags of `accessgw central`, both forms. */
export const FLAGS = {
  site: { type: "string" },
  chain: { type: "string" },
  "site-config": { type: "string" },
  members: { type: "string" },
  broker: { type: "string" },
  ca: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  data: { type: "string" },
  "topic-prefix": { type: "string" },
  "part-members": { type: "string" },
  "part-bytes": { type: "string" },
  "replay-limit": { type: "string" },
  "stale-gateway-days": { type: "string" },
  http: { type: "string" },
  "log-format": { type: "string" },
  "log-level": { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

export type Flags = ReturnType<typeof parseFlags>["values"];

/** Parses the flags (strict: an unknown flag throws). */
export function parseFlags(args: string[]) {
  return parseArgs({ args, options: FLAGS, allowPositionals: true, strict: true });
}

/** A whole number flag within bounds, or a problem. */
export function wholeNumber(flags: Flags, name: keyof Flags, min: number, max: number, problems: string[]) {
  const text = flags[name];
  if (text === undefined) return undefined;
  const n = typeof text === "string" && /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    problems.push(`--${name} must be a whole number from ${min} to ${max} (found "${text}")`);
    return undefined;
  }
  return n;
}

/** Every input is a flag: arguments without one are a problem. */
export function positionalProblems(positionals: string[]): string[] {
  return positionals.length > 0
    ? [`unexpected arguments "${positionals.join(" ")}" (every input is a flag)`]
    : [];
}

/** The flags a site's Central and a chain's Centrals both take, checked; null when one is bad. */
export interface SharedFlags {
  options: {
    mqtt: Mqtt;
    dataDir: string;
    topicPrefix: string;
    partMembers?: number;
    partBytes?: number;
    replayLimit?: number;
    staleGatewayDays?: number;
  };
  logFormat?: LogFormat;
  logLevel?: LogLevel;
}

/** Checks the flags every form takes (broker, data, prefix, limits, logs); problems are pushed. */
export function sharedFlags(flags: Flags, problems: string[]): SharedFlags | null {
  const before = problems.length;
  const prefix = flags["topic-prefix"] ?? DEFAULT_TOPIC_PREFIX;
  const prefixCheck = TopicPrefix.safeParse(prefix);
  if (!prefixCheck.success)
    problems.push(`--topic-prefix "${prefix}": ${prefixCheck.error.issues[0]?.message}`);
  const partMembers = wholeNumber(flags, "part-members", 1, 1_000_000, problems);
  const partBytes = wholeNumber(flags, "part-bytes", MIN_PART_BYTES, 268_435_455, problems);
  const replayLimit = wholeNumber(flags, "replay-limit", 0, Number.MAX_SAFE_INTEGER, problems);
  const staleGatewayDays = wholeNumber(flags, "stale-gateway-days", 0, 36_500, problems);
  const logFormat = flags["log-format"];
  if (logFormat !== undefined && logFormat !== "json" && logFormat !== "pretty")
    problems.push(`--log-format must be json or pretty (found "${logFormat}")`);
  const logLevel = flags["log-level"];
  if (logLevel !== undefined && asLogLevel(logLevel) === undefined)
    problems.push(`--log-level must be one of ${LOG_LEVELS.join(", ")} (found "${logLevel}")`);
  const mqtt = brokerFlags(flags, problems);
  if (problems.length > before || mqtt === null) return null;
  return {
    options: {
      mqtt,
      dataDir: flags.data ?? "./central-data",
      topicPrefix: prefix,
      ...(partMembers === undefined ? {} : { partMembers }),
      ...(partBytes === undefined ? {} : { partBytes }),
      ...(replayLimit === undefined ? {} : { replayLimit }),
      ...(staleGatewayDays === undefined ? {} : { staleGatewayDays }),
    },
    ...(logFormat === undefined ? {} : { logFormat: logFormat as LogFormat }),
    ...(logLevel === undefined ? {} : { logLevel: logLevel as LogLevel }),
  };
}

/** --broker and the TLS files: a valid URL without credentials (sync.md Security), readable files. */
export function brokerFlags(
  flags: Pick<Flags, "broker" | "ca" | "cert" | "key">,
  problems: string[],
): Mqtt | null {
  const url = flags.broker;
  if (url === undefined) {
    problems.push("--broker URL is required (e.g. mqtt://127.0.0.1:1883)");
    return null;
  }
  const before = problems.length;
  const parsed = Mqtt.safeParse({ url, ca: flags.ca, cert: flags.cert, key: flags.key });
  if (!parsed.success) for (const i of parsed.error.issues) problems.push(`--broker: ${i.message}`);
  else {
    const u = new URL(url);
    if (u.username !== "" || u.password !== "")
      problems.push(
        `--broker ${redactUrl(url)}: credentials are never taken from the command line; set ACCESSGW_MQTT_USERNAME and ACCESSGW_MQTT_PASSWORD`,
      );
  }
  for (const name of ["ca", "cert", "key"] as const) {
    const file = flags[name];
    if (file === undefined) continue;
    try {
      readFileSync(file);
    } catch (err) {
      problems.push(
        `--${name} ${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? err})`,
      );
    }
  }
  return problems.length > before || !parsed.success ? null : parsed.data;
}
