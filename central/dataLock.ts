/**
 * One central per data folder: a second one would publish the same revisions twice and, with the
 * same client id, throw the first off the broker in a loop. `central.pid` names the running one.
 */
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AccessGwError } from "../config/errors.js";

/** The lock file's name inside the data folder. */
export const LOCK_FILE = "central.pid";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the data folder for this process; throws AccessGwError STORE when another live process holds
 * it (a lock left by a process that died is taken over). Returns the function that releases it.
 */
export function acquireLock(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  let holder = Number.NaN;
  try {
    holder = Number(readFileSync(path, "utf8").trim());
  } catch {
    // No lock yet.
  }
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder))
    throw new AccessGwError(
      "STORE",
      `another accessgw central (pid ${holder}) runs on ${dir}; stop it first`,
    );
  writeFileSync(path, `${process.pid}\n`, { mode: 0o600 });
  return () => {
    try {
      if (Number(readFileSync(path, "utf8").trim()) === process.pid) unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
}
