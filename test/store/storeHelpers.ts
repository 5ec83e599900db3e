import { type LoadedFile, loadDataFiles } from "../../config/dataFile.js";
import type { DecisionRequest } from "../../gateway/engine/types.js";
import { Store } from "../../gateway/store/db.js";
import { multipackOwner } from "../../gateway/store/facts.js";
import { type ImportSummary, importFiles } from "../../gateway/store/importer.js";
import { tempDir } from "../helpers/build.js";
import { exampleText } from "../helpers/examples.js";
import { unpacked } from "../helpers/packedRows.js";

/** A store on a fresh temp data folder; `close()` closes it and removes the folder. */
export interface TestStore {
  store: Store;
  dir: string;
  reopen: () => Store;
  close: () => void;
}

/** Opens a store on a fresh temporary data folder. */
export function freshStore(): TestStore {
  const { dir, cleanup } = tempDir();
  const t: TestStore = {
    store: Store.open(dir),
    dir,
    reopen: () => {
      t.store.close();
      t.store = Store.open(dir);
      return t.store;
    },
    close: () => {
      if (t.store.db.open) t.store.close();
      cleanup();
    },
  };
  return t;
}

/** Validates inputs against what is stored (as `accessgw import` does), then imports them. */
export function importInputs(
  store: Store,
  inputs: { name: string; text?: string; value?: unknown }[],
): ImportSummary {
  const files: LoadedFile[] = loadDataFiles(inputs, store.siteConfig(), (id) => multipackOwner(store, id));
  return importFiles(store, files);
}

/** Imports the example site and members. */
export function importExamples(store: Store): ImportSummary {
  return importInputs(store, [
    { name: "site.yaml", text: exampleText("site.yaml") },
    { name: "members.yaml", text: exampleText("members.yaml") },
  ]);
}

/**
 * Every row of every table (and the schema version), ordered, for before/after comparisons; the
 * packed ledger and visits also as their rows (`ledger`, `visits`).
 */
export function dump(store: Store): Record<string, unknown[]> {
  unpacked(store);
  const tables = store.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all() as { name: string }[];
  const out: Record<string, unknown[]> = {
    user_version: [store.db.pragma("user_version", { simple: true })],
  };
  for (const { name } of tables) {
    const rows = store.db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[];
    out[name] = rows.map((r) => JSON.stringify(r)).sort();
  }
  for (const name of ["ledger", "visits"]) {
    const rows = store.db.prepare(`SELECT * FROM temp.${name}`).all() as Record<string, unknown>[];
    out[name] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

/** A scan request naming an area rather than a reader. */
export function scanReq(card: string, area: string, direction: "in" | "out" = "in"): DecisionRequest {
  return { card, area, direction, readerId: null };
}
