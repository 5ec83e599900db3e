/**
 * Brings the store in line with the files (at start and on every accepted edit), in one transaction:
 * a different configuration takes the next config revision; every new or changed member and every
 * member the files no longer have takes the next site revision (sync.md "Changes").
 */
import type { Member } from "../config/members.js";
import { SiteConfigDocument } from "../config/protocol/payloads.js";
import type { CentralStore } from "./centralStore.js";
import { knownIds, type SiteConfigDoc } from "./memberDocs.js";
import { takeRefold } from "./memberHistory.js";
import {
  commitRevs,
  type MessageLimits,
  memberIds,
  refreshDoc,
  removeMember,
  writeBase,
} from "./memberStore.js";
import type { SourceData } from "./sourceFiles.js";

/** A config message to publish: its revision and document. */
export interface ConfigToPublish {
  rev: number;
  config: SiteConfigDoc;
}

/** What bringing the store in line with the files changed. */
export interface ReconcileOutcome {
  configChanged: boolean;
  configRev: number;
  /**
   * The config to publish before the member changes, so gateways accept them: the new config when it
   * only adds or changes records, or the union of the old and the new one when it also removes some
   * (the gateway refuses a config that strands its stored members, and members that name what its
   * config lacks). The new config itself follows the changes. Null when no member changed.
   */
  before: ConfigToPublish | null;
  changed: string[];
  deleted: string[];
  revs: number[];
}

type Kind = "areas" | "accessTypes" | "products" | "limits" | "cardModels";
const KINDS: Kind[] = ["areas", "accessTypes", "products", "limits", "cardModels"];

/** Records of `old` that `next` no longer has, as `kind:id`. */
export function removedRecords(old: SiteConfigDoc, next: SiteConfigDoc): string[] {
  return KINDS.flatMap((k) => {
    const ids = new Set(next[k].map((r) => r.id));
    return old[k].filter((r) => !ids.has(r.id)).map((r) => `${k}:${r.id}`);
  });
}

/** `next` plus the records of `old` it no longer has; null when that union is not a valid config. */
export function unionConfig(old: SiteConfigDoc, next: SiteConfigDoc): SiteConfigDoc | null {
  const union = { ...next } as Record<string, unknown>;
  for (const k of KINDS) {
    const ids = new Set(next[k].map((r) => r.id));
    union[k] = [...next[k], ...old[k].filter((r) => !ids.has(r.id))];
  }
  const checked = SiteConfigDocument.safeParse(union);
  return checked.success ? checked.data : null;
}

/** Applies the files' data to the store in one transaction; see the file comment. */
export function reconcile(store: CentralStore, data: SourceData, limits: MessageLimits): ReconcileOutcome {
  return store.transaction(() => {
    const oldJson = store.configJson();
    const newJson = JSON.stringify(data.config);
    const configChanged = oldJson !== newJson;
    // Received entries are echoed only with the areas and access types the config has.
    const known = knownIds(data.config);
    // A store from before visits and presence: its events folded once, every document refreshed.
    const refold = takeRefold(store);
    const changed: string[] = [];
    const inFiles = new Set<string>();
    for (const m of data.members as Member[]) {
      inFiles.add(m.id);
      const baseChanged = writeBase(store, m);
      if ((baseChanged || configChanged || refold) && refreshDoc(store, m.id, known)) changed.push(m.id);
    }
    const deleted = memberIds(store).filter((id) => !inFiles.has(id));
    for (const id of deleted) removeMember(store, id);

    let configRev = store.configRev();
    let before: ConfigToPublish | null = null;
    if (configChanged) {
      const memberChanges = changed.length + deleted.length > 0;
      const old = oldJson === undefined ? null : (JSON.parse(oldJson) as SiteConfigDoc);
      const union = old && removedRecords(old, data.config).length > 0 ? unionConfig(old, data.config) : null;
      if (memberChanges && union) {
        before = { rev: configRev + 1, config: union };
        configRev += 2;
      } else {
        configRev += 1;
        if (memberChanges) before = { rev: configRev, config: data.config };
      }
      store.setMeta("config_rev", configRev);
      store.setMeta("config", newJson);
      store.setMeta("site_id", data.config.site.id);
    }
    const revs = commitRevs(store, changed, deleted, limits);
    return { configChanged, configRev, before, changed, deleted, revs };
  });
}
