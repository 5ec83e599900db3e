/**
 * `accessgw central command`: the reference central sends one front-desk command (doors.md D5) to a
 * gateway on `P/gateways/G/commands` and prints the result the gateway publishes on
 * `P/gateways/G/command-results` (docs/sync.md, "Front-desk commands"). One shot: it connects,
 * subscribes to the results first, publishes, waits for the result with its id, and disconnects.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import type { Logger } from "pino";
import { CommandMessage, CommandResult } from "../config/protocol/commands.js";
import { DEFAULT_TOPIC_PREFIX, describeIssues, TopicPrefix } from "../config/protocol/payloads.js";
import { SYNC_QOS, syncTopic } from "../config/protocol/topics.js";
import { Id } from "../config/site.js";
import { mqttCredentials } from "../config/sync.js";
import { MqttConnection } from "../drivers/mqtt/connection.js";
import type { BackoffOptions } from "../drivers/transport/backoff.js";
import { defaultLogFormat, makeLogger } from "../runtime/logger.js";
import { brokerFlags } from "./centralFlags.js";
import type { CentralCliIo } from "./cli.js";

export const COMMAND_USAGE = `usage: accessgw central command --broker URL --gateway G --verb VERB --args JSON
                                --operator NAME --reason WHY [flags]

Sends one front-desk command to gateway G, as a central does (docs/sync.md, "Front-desk commands";
docs/doors.md, "Front desk"), and prints the result the gateway answers with.

  --broker URL            mqtt://, mqtts://, ws:// or wss://; credentials only from
                          ACCESSGW_MQTT_USERNAME / ACCESSGW_MQTT_PASSWORD
  --ca FILE --cert FILE --key FILE
                          TLS files for mqtts:// and wss://
  --gateway G             the gateway's id (its gateway.id)
  --verb VERB             open, admit, door or emergency
  --args JSON             the verb's args, e.g. '{"door": "pool-gate"}' (docs/sync.md lists them)
  --operator NAME         who acts (recorded with the command)
  --reason WHY            why (recorded with the command)
  --id ID                 the command's id (default: a new UUID); a command sent again with the
                          same id is not carried out again: the gateway answers its first result
  --topic-prefix P        docs/sync.md's P (default ${DEFAULT_TOPIC_PREFIX})
  --timeout S             how long to wait for the result, in seconds (default 10)
  --json                  the result as JSON on stdout
  --help                  this text

A command the gateway receives more than 60 s after it was sent is refused as stale: a gateway
that is offline now will not act on it later.
exit codes: 0 done, 1 refused (the error printed) or no result in time, 2 bad input`;

const FLAGS = {
  broker: { type: "string" },
  ca: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  gateway: { type: "string" },
  verb: { type: "string" },
  args: { type: "string" },
  operator: { type: "string" },
  reason: { type: "string" },
  id: { type: "string" },
  "topic-prefix": { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof FLAGS; strict: true }>>["values"];

/** What the command sender is handed besides the central's io. */
export interface CommandCliOptions {
  now?: () => number;
  backoff?: BackoffOptions;
}

/** Runs `accessgw central command ARGV`; resolves with the exit code. */
export async function runCommandCli(
  argv: string[],
  io: CentralCliIo,
  options: CommandCliOptions = {},
): Promise<number> {
  let flags: Flags;
  try {
    flags = parseArgs({ args: argv, options: FLAGS, strict: true }).values;
  } catch (err) {
    io.err(`accessgw central command: ${(err as Error).message}\n\n${COMMAND_USAGE}`);
    return 2;
  }
  if (flags.help) {
    io.out(COMMAND_USAGE);
    return 0;
  }
  const problems: string[] = [];
  const checked = checkCommandFlags(flags, (options.now ?? Date.now)(), problems);
  const mqtt = brokerFlags(flags, problems);
  if (checked === null || mqtt === null || problems.length > 0) {
    for (const p of problems) io.err(`accessgw central command: ${p}`);
    io.err(`\n${COMMAND_USAGE}`);
    return 2;
  }
  const logger = io.logger ?? makeLogger("warn", defaultLogFormat(io.stderrIsTty));
  const link = new MqttConnection({
    config: { ...mqtt, ...mqttCredentials(mqtt, io.env) },
    gatewayId: "central-command",
    clientId: `accessgw-central-command-${randomUUID().slice(0, 8)}`,
    logger,
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  try {
    const result = await exchange(link, checked, logger);
    return printResult(checked, result, flags.json, io);
  } finally {
    await link.stop();
  }
}

interface Checked {
  command: CommandMessage;
  gatewayId: string;
  prefix: string;
  timeoutMs: number;
}

/** The flags as a command, or null with the problems added. */
function checkCommandFlags(flags: Flags, now: number, problems: string[]): Checked | null {
  const gatewayId = flags.gateway;
  if (gatewayId === undefined) problems.push("--gateway G is required (the gateway's id)");
  else if (!Id.safeParse(gatewayId).success) problems.push(`--gateway "${gatewayId}" is not an id`);
  const prefix = flags["topic-prefix"] ?? DEFAULT_TOPIC_PREFIX;
  const prefixCheck = TopicPrefix.safeParse(prefix);
  if (!prefixCheck.success)
    problems.push(`--topic-prefix "${prefix}": ${prefixCheck.error.issues[0]?.message}`);
  const seconds = flags.timeout === undefined ? 10 : Number(flags.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600)
    problems.push(`--timeout must be a number of seconds from 0 to 3600 (found "${flags.timeout}")`);
  let args: unknown;
  try {
    args = JSON.parse(flags.args ?? "{}");
  } catch (err) {
    problems.push(`--args is not JSON (${(err as Error).message})`);
  }
  const parsed = CommandMessage.safeParse({
    id: flags.id ?? randomUUID(),
    at: new Date(now).toISOString(),
    verb: flags.verb,
    args,
    operator: flags.operator,
    reason: flags.reason,
  });
  if (!parsed.success) problems.push(`the command: ${describeIssues(parsed.error.issues)}`);
  if (!parsed.success || gatewayId === undefined || problems.length > 0) return null;
  return { command: parsed.data, gatewayId, prefix, timeoutMs: seconds * 1000 };
}

/** Subscribes to the results, publishes the command, resolves with its result (null: none in time). */
async function exchange(link: MqttConnection, c: Checked, log: Logger): Promise<CommandResult | string> {
  const topic = (kind: "commands" | "command-results") => syncTopic(kind, c.prefix, "", c.gatewayId);
  let deliver: (r: CommandResult | string) => void = () => {};
  const answered = new Promise<CommandResult | string>((resolve) => {
    deliver = resolve;
  });
  const timer = setTimeout(
    () => deliver(`no result from gateway ${c.gatewayId} within ${c.timeoutMs / 1000} s`),
    c.timeoutMs,
  );
  link.subscribe(topic("command-results"), (m) => {
    try {
      const result = CommandResult.safeParse(JSON.parse(Buffer.from(m.payload).toString("utf8")));
      if (result.success && result.data.id === c.command.id) deliver(result.data);
    } catch {
      log.warn({ topic: m.topic }, "a command result that is not JSON: ignored");
    }
  });
  link.start();
  try {
    await Promise.race([link.whenSubscribed(), answered]);
    await Promise.race([
      link.publish(topic("commands"), JSON.stringify(c.command), { qos: SYNC_QOS }),
      answered,
    ]);
    return await answered;
  } catch (err) {
    return `could not send the command: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

/** Prints the result; the exit code. */
function printResult(c: Checked, result: CommandResult | string, json: boolean, io: CentralCliIo): number {
  const what = `gateway ${c.gatewayId}: ${c.command.verb} ${JSON.stringify(c.command.args)} (id ${c.command.id})`;
  if (typeof result === "string") {
    io.err(`accessgw central command: ${what}: ${result}`);
    return 1;
  }
  if (json) io.out(JSON.stringify(result));
  else if (result.ok) io.out(`${what}: done${result.eventId ? ` (event ${result.eventId})` : ""}`);
  else
    io.err(
      `accessgw central command: ${what}: refused: ${result.error}${result.eventId ? ` (event ${result.eventId})` : ""}`,
    );
  return result.ok ? 0 : 1;
}
