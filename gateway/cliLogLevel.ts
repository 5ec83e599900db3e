/**
 * `accessgw log-level LEVEL [--for 10m] [--why TEXT]`: the running daemon's log level, changed
 * without a restart (gateway/logLevelControl.ts), as the OS user who typed it. Exit 0 done, 1
 * refused, 2 bad input, 4 the daemon is not running (as the front desk's verbs).
 */
import { userInfo } from "node:os";
import { asLogLevel, LOG_LEVELS } from "../runtime/logger.js";
import { usage } from "./cliParse.js";
import type { Flags, Io } from "./cliVerbs.js";
import type { DaemonRequest } from "./daemonRequests.js";
import { type ControlOutcome, sendCommand } from "./frontDesk/controlClient.js";
import { type LogLevelReply, MAX_FOR_MS, parseDuration } from "./logLevelControl.js";

/** What the verb needs from the command line around it. */
export interface LogLevelCli {
  io: Io;
  dataDir: string;
  /** Sends the request to the daemon (sendCommand; tests hand in their own). */
  send?: (dataDir: string, request: DaemonRequest) => Promise<ControlOutcome>;
  /** Who asks: the OS user (tests hand one in). */
  who?: () => string;
}

/** The OS user running the command line: the staff member the log names. */
function osUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    // A uid without a passwd entry (a container): the shell's word for it, else the uid.
    return env.USER ?? env.LOGNAME ?? `uid ${process.getuid?.() ?? "?"}`;
  }
}

/** The request for the daemon from the verb's argument and flags; bad input is a usage error. */
export function logLevelRequest(args: string[], flags: Flags, who: string): DaemonRequest {
  const [word, ...more] = args;
  if (word === undefined || more.length > 0)
    throw usage(`log-level takes one LEVEL: ${LOG_LEVELS.join(", ")} or reset`);
  const level = word === "reset" ? "reset" : asLogLevel(word);
  if (level === undefined) throw usage(`"${word}" is not a level (${LOG_LEVELS.join(", ")} or reset)`);
  let forMs: number | null = null;
  if (flags.for !== undefined) {
    if (level === "reset") throw usage("--for goes with a LEVEL; reset is back to the configured level now");
    forMs = parseDuration(flags.for);
    if (forMs === null) throw usage(`--for "${flags.for}" is not a duration (e.g. 90s, 10m, 2h)`);
    if (forMs > MAX_FOR_MS) throw usage(`--for "${flags.for}" is longer than 24h`);
  }
  const why = flags.why?.trim();
  return { daemon: "log-level", level, forMs, who, why: why === undefined || why === "" ? null : why };
}

/** Runs `log-level`; resolves with the exit code. */
export async function runLogLevel(args: string[], flags: Flags, cli: LogLevelCli): Promise<number> {
  const { io } = cli;
  const request = logLevelRequest(args, flags, (cli.who ?? (() => osUser(io.env)))());
  const outcome = await (cli.send ?? sendCommand)(cli.dataDir, request);
  if (outcome.kind === "notRunning") {
    io.err(`accessgw log-level: the daemon is not running (${outcome.why}); start it with accessgw start`);
    return 4;
  }
  if (outcome.kind !== "answer") {
    io.err(`accessgw log-level: ${outcome.why}`);
    return 1;
  }
  const reply = outcome.reply as unknown as LogLevelReply;
  if (flags.json) io.out(JSON.stringify(reply));
  if (!reply.ok) {
    if (!flags.json) io.err(`accessgw log-level: refused: ${reply.error}`);
    return reply.error.startsWith("invalid: ") ? 2 : 1;
  }
  if (!flags.json) {
    const until = reply.until === null ? "" : ` until ${reply.until}, then ${reply.configured}`;
    const configured =
      reply.until === null && reply.level === reply.configured ? " (the configured level)" : "";
    io.out(`log level ${reply.level}${until}${configured}`);
  }
  return 0;
}
