/** The central's files for the worked example's site, loaded as the reference central loads them. */

import type { CentralStore } from "../../central/centralStore.js";
import { multipackOwner } from "../../central/memberStore.js";
import { loadSources, type SourceData } from "../../central/sourceFiles.js";

/** The site configuration and members files of site rome-center, checked against `store`; throws listing the problems. */
export function exampleSources(store: CentralStore, siteConfigFile: string, membersFile: string): SourceData {
  const r = loadSources({ siteConfigFile, membersFile }, "rome-center", (id) => multipackOwner(store, id));
  if (r.data === null) throw new Error(r.problems.join("\n"));
  return r.data;
}
