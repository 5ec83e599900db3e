/**
 * The front desk's verbs of doors.md D5 on the command line: `open`, `admit`, `door`, `emergency`.
 * Each builds a command (config/protocol/commands.ts) from its flags, refusing bad input (exit 2)
 * before anything is sent, hands it to the running daemon over `<data>/control.sock`, and prints
 * what the daemon answered: done (exit 0), refused with why (exit 1), or no daemon (exit 4).
 */
import { randomUUID } from "node:crypto";
import { statSync } from "node:fs";
import { CommandMessage } from "../config/protocol/commands.js";
import { describeIssues } from "../config/protocol/payloads.js";
import { usage } from "./cliParse.js";
import type { Flags, Io } from "./cliVerbs.js";
import type { CommandReply } from "./frontDesk/commandService.js";
import { type ControlOutcome, sendCommand } from "./frontDesk/controlClient.js";
import { controlSocketPath } from "./frontDesk/controlSocket.js";

/** What a front-desk verb needs from the command line around it. */
export interface FrontDeskCli {
  io: Io;
  dataDir: string;
  /** Checks a time flag's syntax now and reads it in the site's zone later (cli.ts timeFlag). */
  time: (text: string | undefined, flag: string) => (zone: string) => number;
  /** The site's time zone as stored in the data folder. */
  zone: () => string;
  now: () => number;
  /** Sends the command to the daemon (sendCommand; tests may wait less). */
  send?: (dataDir: string, command: CommandMessage) => Promise<ControlOutcome>;
}

/** Runs one front-desk verb; resolves with its exit code. */
export async function runFrontDesk(verb: string, flags: Flags, cli: FrontDeskCli): Promise<number> {
  const { io, dataDir } = cli;
  const operator = required(flags.operator, "--operator NAME", "who acts");
  const reason = required(flags.reason, "--reason WHY", "why");
  const args = verbArgs(verb, flags);
  const until = verb === "door" && flags.until !== undefined ? cli.time(flags.until, "--until") : undefined;
  // Nothing is opened in a data folder whose daemon is not running (no socket): exit 4 at once.
  const path = controlSocketPath(dataDir);
  const reach = socketReach(path);
  if (reach === "missing") return notRunning(verb, io, `no ${path}`);
  if (reach === "denied") {
    io.err(
      `accessgw ${verb}: ${path}: permission denied (only the daemon's user and the members of gateway.dataGroup may use the front desk)`,
    );
    return 1;
  }
  if (until !== undefined) args.until = new Date(until(cli.zone())).toISOString();
  const now = cli.now();
  const parsed = CommandMessage.safeParse({
    id: randomUUID(),
    at: new Date(now).toISOString(),
    verb,
    args,
    operator,
    reason,
  });
  if (!parsed.success) throw usage(describeIssues(parsed.error.issues).replaceAll("args.", "--"));
  const outcome = await (cli.send ?? sendCommand)(dataDir, parsed.data);
  if (outcome.kind === "notRunning") return notRunning(verb, io, outcome.why);
  if (outcome.kind !== "answer") {
    io.err(`accessgw ${verb}: ${outcome.why}`);
    return 1;
  }
  return printReply(verb, parsed.data, outcome.reply, flags.json === true, io);
}

/**
 * Whether the socket is there for this user: a folder this user may not enter hides it, and must
 * not read as "not running" to a reception account that is not in the daemon's group.
 */
function socketReach(path: string): "there" | "missing" | "denied" {
  try {
    statSync(path);
    return "there";
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "EACCES" || code === "EPERM" ? "denied" : "missing";
  }
}

/** A required text flag, trimmed. */
function required(value: string | undefined, flag: string, what: string): string {
  if (value === undefined || value.trim() === "")
    throw usage(`${flag} is required: every front-desk action is recorded with ${what} (doors.md D5)`);
  return value.trim();
}

/** The single value of a repeatable flag a verb takes once. */
function single(values: string[] | undefined, flag: string): string | undefined {
  if (values !== undefined && values.length > 1) throw usage(`${flag} given more than once`);
  return values?.[0];
}

/** The command's args from the verb's flags; only what the verb's synopsis allows. */
function verbArgs(verb: string, flags: Flags): Record<string, unknown> {
  const door = () => {
    const d = single(flags.door, "--door");
    if (d === undefined) throw usage("--door D is required");
    return d;
  };
  switch (verb) {
    case "open": {
      const direction = flags.direction;
      if (direction !== undefined && direction !== "in" && direction !== "out")
        throw usage(`--direction must be in or out (found "${direction}")`);
      return { door: door(), ...(direction === undefined ? {} : { direction }) };
    }
    case "admit": {
      if (flags.card === undefined || flags.card.trim() === "") throw usage("--card N is required");
      if ((flags.reader === undefined) === (flags.area === undefined))
        throw usage("give either --reader ID or --area A (one of them)");
      if (flags.multipack !== undefined && flags.free) throw usage("give --multipack ID or --free, not both");
      return {
        card: flags.card,
        ...(flags.reader === undefined ? {} : { reader: flags.reader }),
        ...(flags.area === undefined ? {} : { area: flags.area }),
        ...(flags.multipack === undefined ? {} : { multipack: flags.multipack }),
        ...(flags.free ? { free: true } : {}),
      };
    }
    case "door": {
      const mode = flags.mode;
      if (mode === undefined) throw usage("--mode normal|unlocked|locked is required");
      if (mode !== "normal" && mode !== "unlocked" && mode !== "locked")
        throw usage(
          `--mode must be normal, unlocked or locked (found "${mode}"); emergency has its own verb`,
        );
      return { door: door(), mode };
    }
    case "emergency":
      if (flags.on && flags.off) throw usage("give --on or --off, not both");
      if (!flags.on && !flags.off) throw usage("give --on (release) or --off (reset)");
      return { on: flags.on === true, ...(flags.door === undefined ? {} : { doors: flags.door }) };
    default:
      throw usage(`unknown verb "${verb}"`);
  }
}

function notRunning(verb: string, io: Io, why: string): number {
  io.err(`accessgw ${verb}: the daemon is not running (${why}); start it with accessgw start`);
  return 4;
}

/** What the command asked, in words: `door pool-gate locked until …`. */
export function describeCommand(c: CommandMessage): string {
  switch (c.verb) {
    case "open":
      return `open ${c.args.door}${c.args.direction ? ` (${c.args.direction})` : ""}`;
    case "admit": {
      const where = c.args.reader ? `reader ${c.args.reader}` : `area ${c.args.area}`;
      const pays = c.args.multipack ? ` on ${c.args.multipack}` : c.args.free ? " free" : "";
      return `admit card ${c.args.card} at ${where}${pays}`;
    }
    case "door":
      return `door ${c.args.door} ${c.args.mode}${c.args.until ? ` until ${c.args.until}` : ""}`;
    case "emergency":
      return `emergency ${c.args.on ? "on" : "off"} (${c.args.doors?.join(", ") ?? "every door"})`;
  }
}

/** Prints the daemon's answer; the exit code: 0 done, 2 the daemon found the command invalid, 1 refused. */
function printReply(verb: string, c: CommandMessage, reply: CommandReply, json: boolean, io: Io): number {
  const code = reply.ok ? 0 : reply.error?.startsWith("invalid: ") ? 2 : 1;
  if (json) {
    io.out(JSON.stringify(reply));
    return code;
  }
  const d = reply.decision;
  const decision = d ? ` — ${d.decision} ${d.reason}: ${d.message}` : "";
  const events = [reply.eventId, ...reply.doorEventIds].filter((e): e is string => e !== null);
  const recorded = events.length > 0 ? ` (event ${events.join(", ")})` : "";
  if (reply.ok) io.out(`${describeCommand(c)}: done${decision}${recorded}`);
  else io.err(`accessgw ${verb}: ${describeCommand(c)}: refused: ${reply.error}${recorded}`);
  return code;
}
