/**
 * `accessgw reload` (cli.md): asks the running daemon of the data folder, over its control socket,
 * to read its configuration file again (the same as SIGHUP), and prints what changed or why the
 * file was refused. Exit 0 reloaded, 2 refused, 4 no daemon, 1 anything else.
 */
import { readGatewayConfigFile } from "../config/gatewayFile.js";
import { usage } from "./cliParse.js";
import type { Flags, Io } from "./cliVerbs.js";
import type { DaemonReply } from "./daemonRequests.js";
import { type ControlOutcome, sendDaemonRequest } from "./frontDesk/controlClient.js";

/** How `reload` reaches the daemon (sendDaemonRequest; tests may hand in another). */
export type ReloadSender = (dataDir: string) => Promise<ControlOutcome<DaemonReply>>;

/**
 * Runs `reload` against the daemon of the data folder; resolves with the exit code. The file may
 * be the one just broken: its `gateway.data` is read even when it has problems (the daemon says
 * what they are); `dataDir(data)` applies the usual defaults (cli.md) to what was found.
 */
export async function runReload(
  flags: Flags,
  io: Io,
  dataDir: (fromFile: string | undefined) => string,
  send: ReloadSender = (dir) => sendDaemonRequest(dir, { daemon: "reload" }),
): Promise<number> {
  // Without either, ./data would be guessed, and "not running" there could mislead a technician.
  if (flags.config === undefined && flags.data === undefined) throw usage("reload needs --config FILE");
  const fromFile = flags.data ?? (flags.config === undefined ? undefined : declaredDataDir(flags.config));
  const outcome = await send(dataDir(fromFile));
  if (outcome.kind === "notRunning") {
    io.err(`accessgw reload: the daemon is not running (${outcome.why}); nothing to reload`);
    return 4;
  }
  if (outcome.kind !== "answer") {
    io.err(`accessgw reload: ${outcome.why}`);
    return 1;
  }
  const reply = outcome.reply;
  if (flags.json === true) io.out(JSON.stringify(reply));
  else printReload(reply, io);
  if (reply.ok) return 0;
  // A refused file is bad input (exit 2); a daemon that does not know the verb is an older one (1).
  return Array.isArray(reply.problems) ? 2 : 1;
}

/** The reload's answer for a person: each change on its own line, or each problem on stderr. */
function printReload(reply: DaemonReply, io: Io): void {
  const file = typeof reply.file === "string" ? reply.file : "the configuration";
  const lines = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  if (!reply.ok) {
    const problems = lines(reply.problems);
    if (problems.length === 0) io.err(`accessgw reload: refused: ${reply.error ?? "no reason given"}`);
    for (const p of problems) io.err(p);
    if (problems.length > 0)
      io.err(
        `accessgw reload: ${file} refused (${problems.length} problem${problems.length === 1 ? "" : "s"}); the daemon runs on with its previous configuration`,
      );
    return;
  }
  const changes = lines(reply.changes);
  if (changes.length === 0) {
    io.out(`reloaded ${file}: nothing changed`);
    return;
  }
  io.out(`reloaded ${file}: ${changes.length} change${changes.length === 1 ? "" : "s"}`);
  for (const c of changes) io.out(`  ${c}`);
}

/** The file's `gateway.data`, valid file or not (undefined when it cannot be read or names none). */
function declaredDataDir(file: string): string | undefined {
  const checked = readGatewayConfigFile(file);
  const raw = checked.raw as { gateway?: { data?: unknown } } | undefined;
  const data = checked.config?.gateway.data ?? raw?.gateway?.data;
  return typeof data === "string" && data !== "" ? data : undefined;
}
