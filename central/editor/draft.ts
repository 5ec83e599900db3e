/**
 * A draft of the site configuration, checked as `accessgw import` checks the file (the same schemas,
 * cross-references to the members and messages, through the central's own checkSources), and its
 * changes against the file by record id (config/recordDiff.ts, as an import lists them).
 */

import type { Change, ChangeKind } from "../../config/changeSet.js";
import type { LoadedFile } from "../../config/dataFile.js";
import { validateDocument } from "../../config/dataFile.js";
import { plain, siteConfigChanges } from "../../config/recordDiff.js";
import type { SiteConfig } from "../../config/site.js";
import { checkSources, type SourceFiles } from "../sourceFiles.js";
import type { DraftChange, DraftProblem } from "./editorApi.js";
import { SECTIONS } from "./yamlSave.js";

/** What a draft is checked against: the files, the members as they were read, the central's site. */
export interface DraftContext {
  files: SourceFiles;
  siteId: string;
  /** The members file read and validated (readSource), when there is one. */
  members: { file?: LoadedFile; problems: string[] };
  /** Members kept in the site configuration file itself (its `members` section), as written. */
  fileMembers: unknown[] | undefined;
}

/** The draft's configuration (defaults applied) when it checks, else its problems. */
export function checkDraft(
  draft: unknown,
  ctx: DraftContext,
): { config: SiteConfig | null; problems: DraftProblem[] } {
  const name = ctx.files.siteConfigFile;
  if (draft === null || typeof draft !== "object" || Array.isArray(draft))
    return refused("(top level)", `expected the site configuration's sections (${SECTIONS.join(", ")})`);
  if ("members" in draft)
    return refused("members", "members are not edited here: they stay in their file as it is");
  const value = { ...draft, ...(ctx.fileMembers === undefined ? {} : { members: ctx.fileMembers }) };
  const checked = validateDocument(name, value);
  const site = checked.data ? { file: { name, data: checked.data }, problems: [] } : checked;
  // The draft changes no member: no multipack can move to another member.
  const out = checkSources(site, ctx.members, ctx.files, ctx.siteId, () => undefined);
  const names = [name, ...(ctx.files.membersFile === undefined ? [] : [ctx.files.membersFile])];
  return { config: out.data?.config ?? null, problems: out.problems.map((p) => problemOf(p, names)) };
}

function refused(path: string, message: string): { config: null; problems: DraftProblem[] } {
  return { config: null, problems: [{ path, message }] };
}

/** `site.yaml: accessTypes[gym].windows[0].from: expected a time…` as path and message. */
function problemOf(line: string, names: string[]): DraftProblem {
  let rest = line;
  for (const n of names)
    if (rest.startsWith(`${n}: `)) {
      rest = rest.slice(n.length + 2);
      break;
    }
  const cut = rest.indexOf(": ");
  return cut < 0
    ? { path: "(top level)", message: rest }
    : { path: rest.slice(0, cut), message: rest.slice(cut + 2) };
}

/** The draft against the current configuration, record by record (both with defaults applied). */
export function draftChanges(current: SiteConfig, draft: SiteConfig): DraftChange[] {
  return siteConfigChanges(current, draft).map(({ kind, id, changes }) => {
    const first = changes[0] as Change;
    if (first.part === undefined && first.field === undefined && first.op !== "changed") {
      const record = first.op === "added" ? recordOf(draft, kind, id) : recordOf(current, kind, id);
      const side = first.op === "added" ? "after" : "before";
      return {
        kind: first.op,
        section: kind,
        id,
        fields: Object.entries(record ?? {})
          .filter(([field]) => field !== "id")
          .map(([path, v]) => ({ path, [side]: v })),
      };
    }
    return { kind: "changed", section: kind, id, fields: changes.map(fieldOf) };
  });
}

/** One change as a field: `credits`, `item pool-peak.credits`, or a list element added or removed. */
function fieldOf(c: Change): DraftChange["fields"][number] {
  if (c.part === undefined) return { path: c.field ?? "", before: c.from, after: c.to };
  if (c.field !== undefined) return { path: `${c.part} ${c.key}.${c.field}`, before: c.from, after: c.to };
  return c.op === "added" ? { path: c.part, after: c.key } : { path: c.part, before: c.key };
}

function recordOf(config: SiteConfig, kind: ChangeKind, id: string): Record<string, unknown> | undefined {
  if (kind === "site") return plain(config.site);
  if (kind === "members") return undefined;
  return plain(config[kind].find((r) => r.id === id));
}
