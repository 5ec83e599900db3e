/**
 * Applying a `config` message whole (sync.md "Config"): checked against the gateway's site and the
 * stored members, then stored the way `accessgw import` stores a site configuration, except that
 * records the new config no longer names are removed (whole, not upserted).
 */
import type { ConfigMessage } from "../../config/sync.js";
import { type Store, setConfigRejected, setConfigRev, syncState } from "../store/db.js";
import { importFiles } from "../store/importer.js";

/** What became of a config message. */
export interface ConfigOutcome {
  status: "applied" | "old" | "rejected";
  problems: string[];
}

const CONFIG_TABLES = ["areas", "access_types", "products", "limits", "card_models"] as const;

/**
 * Problems of `config` against what the gateway holds: the site id it syncs, and the products and
 * card models its stored members refer to (a config that strands a member's multipack is refused).
 */
export function configProblems(store: Store, config: ConfigMessage["config"], siteId: string): string[] {
  const problems: string[] = [];
  if (config.site.id !== siteId)
    problems.push(`site.id: "${config.site.id}" is not this gateway's site "${siteId}" (gateway.site)`);
  const products = new Set(config.products.map((p) => p.id));
  const models = new Set([
    ...config.cardModels.map((m) => m.id),
    ...config.products.flatMap((p) => p.cardModels),
  ]);
  const usedProducts = store.prepare("SELECT DISTINCT product_id FROM multipacks").pluck().all() as string[];
  for (const id of usedProducts)
    if (!products.has(id)) problems.push(`products: product "${id}" is gone but stored multipacks use it`);
  const usedModels = store
    .prepare("SELECT DISTINCT j.value FROM members m, json_each(m.card_models) j")
    .pluck()
    .all() as string[];
  for (const id of usedModels)
    if (!models.has(id)) problems.push(`cardModels: card model "${id}" is gone but stored members use it`);
  return problems;
}

/**
 * sync.md: a config is applied whole when its `rev` is higher than the applied one; a refused one is
 * recorded (status `configRejected`) and the previous one stays in force.
 */
export function applyConfig(store: Store, msg: ConfigMessage, siteId: string, now: number): ConfigOutcome {
  const state = syncState(store);
  if (msg.rev <= state.configRev) return { status: "old", problems: [] };
  const problems = configProblems(store, msg.config, siteId);
  if (problems.length > 0) {
    setConfigRejected(store, msg.rev, problems);
    return { status: "rejected", problems };
  }
  store.db
    .transaction(() => {
      for (const table of CONFIG_TABLES) store.prepare(`DELETE FROM ${table}`).run();
      // Nested: better-sqlite3 runs importFiles' transaction as a savepoint of this one.
      importFiles(store, [{ name: `config rev ${msg.rev}`, data: msg.config }], "sync");
      setConfigRev(store, msg.rev, now);
    })
    .immediate();
  store.invalidateSite();
  return { status: "applied", problems: [] };
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
