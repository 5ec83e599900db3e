/**
 * `accessgw backup --to FILE` and `accessgw restore --from FILE` (cli.md): the store does the work
 * (store/backupFile.ts, store/restoreFile.ts); this file refuses bad input, refuses a restore under a
 * running daemon, and says what was written in words or as JSON.
 */
import { existsSync, statSync } from "node:fs";
import { setPriority } from "node:os";
import { dirname, join, resolve } from "node:path";
import { usage } from "./cliParse.js";
import type { Flags, Io } from "./cliVerbs.js";
import { otherDaemonRefusal } from "./startChecks.js";
import { type BackupOutcome, takeBackup } from "./store/backupFile.js";
import { type RestoreOutcome, restoreBackup } from "./store/restoreFile.js";
import { gatewayVersion } from "./version.js";

/** What the backup verbs need from the command line around them. */
export interface BackupCli {
  io: Io;
  dataDir: string;
  /** The gateway id this box runs as (config, environment or host name). */
  gatewayId: () => string;
  now: () => number;
}

/** Runs `backup` or `restore`; resolves with the exit code. */
export async function runBackupVerb(verb: string, flags: Flags, cli: BackupCli): Promise<number> {
  return verb === "backup" ? runBackup(flags, cli) : runRestore(flags, cli);
}

async function runBackup(flags: Flags, cli: BackupCli): Promise<number> {
  if (!flags.to) throw usage("backup needs --to FILE (a file, or a folder to write a dated file in)");
  // The doors come first: the copy (and its integrity check) yields the CPU to the daemon's scans.
  lowerPriority();
  const now = cli.now();
  const out = await takeBackup({
    dataDir: cli.dataDir,
    to: backupTarget(flags.to, cli.gatewayId, now),
    version: gatewayVersion(),
    now,
  });
  cli.io.out(flags.json ? JSON.stringify(out) : formatBackup(out));
  return 0;
}

/** Runs this process at nice 10; a system that refuses (a container) just leaves it as it was. */
function lowerPriority(): void {
  try {
    setPriority(10);
  } catch {
    // Not allowed here: the backup runs at the normal priority.
  }
}

/** `--to` as given, or inside it when it is a folder: `accessgw-<gateway id>-<time>.db`. */
function backupTarget(to: string, gatewayId: () => string, now: number): string {
  let folder = false;
  try {
    folder = statSync(to).isDirectory();
  } catch {
    // Not there yet: a file to create.
  }
  if (!folder) {
    // cli.md: a --to that cannot be written is bad input (exit 2), said before anything is copied.
    if (!existsSync(dirname(resolve(to))))
      throw usage(`--to ${to}: the folder ${dirname(resolve(to))} does not exist (a mounted USB stick?)`);
    return to;
  }
  const stamp = new Date(now).toISOString().slice(0, 19).replace(/[:]/g, "-");
  return join(to, `accessgw-${gatewayId()}-${stamp}.db`);
}

function formatBackup(o: BackupOutcome): string {
  const mb = (o.bytes / 1_048_576).toFixed(1);
  return [
    `backed up ${o.dataDir} to ${o.file} (${mb} MiB in ${(o.ms / 1000).toFixed(2)} s, mode 0600)`,
    `  gateway ${o.gatewayId ?? "(no event recorded yet)"}, schema ${o.schemaVersion}, events up to seq ${o.highestSeq}, taken ${o.takenAt} by accessgw ${o.version}`,
  ].join("\n");
}

async function runRestore(flags: Flags, cli: BackupCli): Promise<number> {
  if (!flags.from) throw usage("restore needs --from FILE (a file written by accessgw backup)");
  // The daemon holds the cache open and would go on writing the file that is being replaced.
  const running = await otherDaemonRefusal(cli.dataDir);
  if (running) {
    for (const p of running.problems) cli.io.err(`accessgw restore: ${p}`);
    return running.code;
  }
  const out = restoreBackup({
    from: flags.from,
    dataDir: cli.dataDir,
    gatewayId: cli.gatewayId(),
    force: flags.force === true,
    now: cli.now(),
  });
  cli.io.out(flags.json ? JSON.stringify(out) : formatRestore(out));
  return 0;
}

function formatRestore(o: RestoreOutcome): string {
  const b = o.backup;
  return [
    `restored the backup of ${b.dataDir} taken ${b.takenAt} (gateway ${b.gatewayId ?? "(none yet)"}, events up to seq ${b.highestSeq}) into ${o.dataDir}`,
    o.keptAside === null
      ? "  the folder had no cache before"
      : `  the cache it replaced is kept as ${o.keptAside}`,
    b.schemaVersion === o.schemaVersion
      ? `  schema ${o.schemaVersion}`
      : `  schema ${b.schemaVersion} migrated to ${o.schemaVersion}`,
    "  event seq unconfirmed: the daemon decides and records scans at once, and publishes them once the",
    "  central has said which seqs it holds (they are renumbered past them)",
    ...(o.otherGateway === null
      ? []
      : [
          `  --force: this cache records events as gateway "${o.otherGateway}": set gateway.id to it before start`,
        ]),
  ].join("\n");
}
