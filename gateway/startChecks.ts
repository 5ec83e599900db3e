/**
 * What `start` checks before it runs (cli.md exit codes: 2 for a configuration that does not fit
 * the data folder, 1 for a folder it cannot run on). Every problem is a line for stderr.
 */
import { unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readerAreaProblems } from "../config/gateway.js";
import type { SiteConfig } from "../config/site.js";
import { currentStatus } from "./statusSocket.js";
import type { Store } from "./store/db.js";

/** Why `start` will not run, and its exit code. */
export interface Refusal {
  code: 1 | 2;
  problems: string[];
}

/** What the configuration checks need to know. */
export interface StartFacts {
  /** The configuration file as given. */
  file: string;
  /** The parsed configuration document (for the reader areas' paths). */
  raw: unknown;
  dataDir: string;
  gatewayId: string;
}

/** Thrown inside the probe's transaction so that it rolls back. */
const ROLLBACK = Symbol("rollback");

/**
 * R14: a daemon that cannot write its cache records no scan, and one that cannot write its folder
 * keeps no status file: refuse to start. SQLite opens a cache it cannot write read-only without a
 * word (after a crash its -wal and -shm files let it), so a row is written and rolled back.
 */
export function writeRefusal(store: Store, dataDir: string): Refusal | null {
  const problems: string[] = [];
  try {
    store.db
      .transaction(() => {
        store.prepare("INSERT INTO meta (key, value) VALUES ('write probe', '')").run();
        throw ROLLBACK;
      })
      .immediate();
  } catch (err) {
    if (err !== ROLLBACK)
      problems.push(
        `the cache in ${dataDir} cannot be written (${describe(err)}): is the data folder read-only?`,
      );
  }
  const probe = join(dataDir, `.write-probe-${process.pid}`);
  try {
    writeFileSync(probe, "", { mode: 0o600 });
    unlinkSync(probe);
  } catch (err) {
    problems.push(`the data folder ${dataDir} cannot be written (${describe(err)}): is it read-only?`);
  }
  return problems.length === 0 ? null : { code: 1, problems };
}

/**
 * The configuration against the data folder (exit 2): readers in areas the stored site lacks, a
 * gateway id the folder does not record under.
 */
export function configRefusal(store: Store, site: SiteConfig | null, f: StartFacts): Refusal | null {
  // With an empty cache there is no site to check the readers' areas against yet (sync.md: the
  // central's config comes after the start); scans are denied unknown_card until it has come.
  const problems = site
    ? readerAreaProblems(
        f.file,
        f.raw,
        site.areas.map((a) => a.id),
      )
    : [];
  const recordedAs = store.meta("gateway_id");
  if (recordedAs !== undefined && recordedAs !== f.gatewayId)
    problems.push(
      `${f.file}: gateway id "${f.gatewayId}", but the data folder ${f.dataDir} records events as gateway "${recordedAs}"`,
    );
  return problems.length > 0 ? { code: 2, problems } : null;
}

/**
 * Two daemons on one data folder would both pulse the doors and fight over the status file: one
 * that answers on the status socket, or whose status file says it runs, refuses the start (exit 1).
 */
export async function otherDaemonRefusal(dataDir: string): Promise<Refusal | null> {
  const other = await currentStatus(dataDir);
  if (!other.running || other.status.pid === process.pid) return null;
  return {
    code: 1,
    problems: [
      `another accessgw daemon (pid ${other.status.pid}, gateway ${other.status.gatewayId}) is running on ${dataDir}; stop it first`,
    ],
  };
}

/** An error's code and message, e.g. `SQLITE_READONLY: attempt to write a readonly database`. */
export function describe(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
}
