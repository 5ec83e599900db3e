/**
 * `accessgw user add|list|remove|passwd` (issue 11 §3): the consoles' logins, kept in the data
 * folder's users.json (web/users.ts). The gateway's console reads the gateway's data folder, the
 * central's editor the central's: the same verb with `--data <central data dir>` serves both. The
 * password comes on stdin (one line), never on the command line where `ps` and the shell's history
 * would show it; it is never printed nor logged.
 */
import type { Readable } from "node:stream";
import { AccessGwError } from "../config/errors.js";
import { asRole, type UserInfo, UsersFile } from "../web/users.js";
import { usage } from "./cliParse.js";
import type { Flags, Io } from "./cliVerbs.js";

/** What the verb needs from the command line around it. */
export interface UserCli {
  io: Io;
  dataDir: string;
  now: () => number;
  /** The password line (process stdin by default; tests hand theirs in). */
  readPassword?: () => Promise<string>;
}

const SUBVERBS = ["add", "list", "remove", "passwd"] as const;
type Subverb = (typeof SUBVERBS)[number];
/** `done` of the JSON answer. */
const DONE = { add: "added", passwd: "password changed", remove: "removed", list: "listed" } as const;

/** Runs `user SUBVERB [NAME]`; resolves with the exit code. */
export async function runUser(args: string[], flags: Flags, cli: UserCli): Promise<number> {
  const { sub, name } = subcommand(args, flags);
  const users = new UsersFile(cli.dataDir, cli.now);
  const password = () => (cli.readPassword ?? (() => readPasswordLine(process.stdin, cli.io)))();
  const { io } = cli;
  if (sub === "list") {
    const list = users.list();
    io.out(flags.json ? JSON.stringify({ file: users.path, users: list }) : formatList(users.path, list));
    return 0;
  }
  let done: UserInfo;
  let said: string;
  if (sub === "add") {
    const role = asRole(flags.role);
    done = await users.add(name, role, await password());
    said = `added ${name} (${role}) to ${users.path}: ${name} can log in now, also while the daemon runs`;
  } else if (sub === "passwd") {
    done = await users.passwd(name, await password());
    said = `new password for ${name}: their open sessions end at their next request`;
  } else {
    done = users.remove(name);
    said = `removed ${name} (${done.role}): their open sessions end at their next request`;
  }
  io.out(flags.json ? JSON.stringify({ done: DONE[sub], user: done }) : said);
  return 0;
}

/** The subverb and its NAME; flags a subverb does not take are refused, naming it. */
function subcommand(args: string[], flags: Flags): { sub: Subverb; name: string } {
  const [word, name, ...more] = args;
  const sub = SUBVERBS.find((s) => s === word);
  if (!sub)
    throw usage(
      word === undefined
        ? `user needs what to do: ${SUBVERBS.join(", ")}`
        : `"${word}" is not a user subcommand (${SUBVERBS.join(", ")})`,
    );
  if (sub === "list") {
    if (name !== undefined) throw usage(`user list takes no NAME (found "${name}")`);
  } else if (name === undefined) throw usage(`user ${sub} needs a NAME`);
  if (more.length > 0) throw usage(`user ${sub} takes one NAME (found "${args.slice(1).join(" ")}")`);
  if (flags.role !== undefined && sub !== "add") throw usage(`--role goes with user add (not ${sub})`);
  if (sub === "add" && flags.role === undefined)
    throw usage("user add needs --role viewer|desk|technician|manager");
  const needsPassword = sub === "add" || sub === "passwd";
  if (flags["password-stdin"] && !needsPassword) throw usage(`user ${sub} takes no password`);
  if (needsPassword && !flags["password-stdin"])
    throw usage(
      `user ${sub} needs --password-stdin (a password on the command line would show in ps and the shell's history)`,
    );
  return { sub, name: name ?? "" };
}

function formatList(file: string, users: UserInfo[]): string {
  if (users.length === 0)
    return `no users in ${file}: add one with accessgw user add NAME --role desk --password-stdin`;
  const width = Math.max(4, ...users.map((u) => u.name.length));
  return [
    `${"NAME".padEnd(width)}  ROLE        CREATED                   PASSWORD CHANGED`,
    ...users.map((u) => `${u.name.padEnd(width)}  ${u.role.padEnd(10)}  ${u.created}  ${u.changed}`),
  ].join("\n");
}

/**
 * One line of stdin: the password. From a pipe it is the first line (its line end dropped, nothing
 * else trimmed: spaces may be part of a password); on a terminal it is asked for without echo.
 */
export async function readPasswordLine(
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => void },
  io: Io,
): Promise<string> {
  if (stdin.isTTY && stdin.setRawMode)
    return askHidden(stdin as Readable & { setRawMode: (raw: boolean) => void }, io);
  let text = "";
  for await (const chunk of stdin) {
    text += String(chunk);
    if (text.includes("\n")) break;
  }
  const line = text.split("\n")[0] ?? "";
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** Asks on the terminal with echo off; Ctrl-C or Ctrl-D gives up. */
function askHidden(stdin: Readable & { setRawMode: (raw: boolean) => void }, io: Io): Promise<string> {
  io.err("password (not shown): ");
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    let typed = "";
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.off("data", onData);
      stdin.pause();
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const c of chunk) {
        if (c === "\r" || c === "\n") return done();
        if (c === "\u0003" || c === "\u0004") return done(new AccessGwError("USAGE", "no password given"));
        typed = c === "\u007f" || c === "\b" ? typed.slice(0, -1) : typed + c;
      }
    };
    stdin.on("data", onData);
    stdin.resume();
  });
}
