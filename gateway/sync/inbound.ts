/**
 * Applying a `config` message whole (sync.md "Config"): checked against the gateway's site, then
 * stored the way `accessgw import` stores a site configuration, except that records the new config
 * no longer names are removed (whole, not upserted).
 */
import type { ConfigMessage } from "../../config/protocol/payloads.js";
import { type ChangeReport, ChangeSet } from "../store/changeSet.js";
import { type Store, setConfigRejected, setConfigRev, syncState } from "../store/db.js";
import { importFiles } from "../store/importer.js";
import { diffSiteConfig } from "../store/recordDiff.js";
import { SITE_TABLES } from "../store/siteTables.js";

/**
 * What became of a config message; `stranded`: products it dropped that stored multipacks use;
 * `changes`: what an applied one changed, by id (issue 10 §7).
 */
export interface ConfigOutcome {
  status: "applied" | "old" | "rejected";
  problems: string[];
  stranded: string[];
  changes?: ChangeReport;
}

/** Problems that refuse a config whole: it is for another site. */
export function configProblems(config: ConfigMessage["config"], siteId: string): string[] {
  return config.site.id === siteId
    ? []
    : [`site.id: "${config.site.id}" is not this gateway's site "${siteId}" (gateway.site)`];
}

/** Of `products`, those some stored multipack still uses (one indexed probe each). */
export function productsInUse(store: Store, products: Iterable<string>): string[] {
  const used = store.prepare("SELECT 1 FROM multipacks WHERE product_id = ? LIMIT 1").pluck();
  return [...products].filter((id) => used.get(id) !== undefined);
}

/**
 * sync.md: a config is applied whole when its `rev` is higher than the applied one; one for another
 * site is refused and recorded (status `configRejected`), the previous one staying in force. A config
 * that drops products stored multipacks still use is applied all the same: those multipacks are
 * then unusable (the engine traces the unknown product) until the central sends their members again
 * — refusing it instead would leave a gateway that was offline during a rename unable to take
 * either the config or the members that follow it.
 */
export function applyConfig(store: Store, msg: ConfigMessage, siteId: string, now: number): ConfigOutcome {
  const state = syncState(store);
  if (msg.rev <= state.configRev) return { status: "old", problems: [], stranded: [] };
  const problems = configProblems(msg.config, siteId);
  if (problems.length > 0) {
    setConfigRejected(store, msg.rev, problems);
    return { status: "rejected", problems, stranded: [] };
  }
  const kept = new Set(msg.config.products.map((p) => p.id));
  const before = store.siteConfig();
  const dropped = (before?.products ?? []).map((p) => p.id).filter((id) => !kept.has(id));
  // Compared before the write: the config replaces the stored one whole, so what it leaves out goes.
  const changes = new ChangeSet();
  diffSiteConfig(before, msg.config, changes);
  store.db
    .transaction(() => {
      for (const [, table] of SITE_TABLES) store.prepare(`DELETE FROM ${table}`).run();
      // Nested: better-sqlite3 runs importFiles' transaction as a savepoint of this one.
      importFiles(store, [{ name: `config rev ${msg.rev}`, data: msg.config }], "sync");
      setConfigRev(store, msg.rev, now);
    })
    .immediate();
  return {
    status: "applied",
    problems: [],
    stranded: productsInUse(store, dropped),
    changes: changes.report(),
  };
}

/** The `rev` of a config payload that failed validation, if it has a usable one (for the rejection). */
export function rawConfigRev(bytes: Uint8Array): number | undefined {
  try {
    const value = JSON.parse(Buffer.from(bytes).toString("utf8")) as { rev?: unknown };
    const rev = value?.rev;
    return typeof rev === "number" && Number.isSafeInteger(rev) && rev > 0 ? rev : undefined;
  } catch {
    return undefined;
  }
}

/** Records a config that failed validation as rejected, when its rev is newer than the applied one. */
export function rejectInvalidConfig(store: Store, bytes: Uint8Array, problem: string): boolean {
  const rev = rawConfigRev(bytes);
  if (rev === undefined || rev <= syncState(store).configRev) return false;
  setConfigRejected(store, rev, [problem]);
  return true;
}
