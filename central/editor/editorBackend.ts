/**
 * The facility manager's editor backend (issue 11 §2) for one central: reads the site configuration
 * file, checks and diffs drafts, replays what-if over the events the central holds, and saves. A save
 * only writes the file: the central's file watcher reads it and publishes the new revision as it does
 * for any edit, so there is one publish path.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import type { Logger } from "pino";
import { parse } from "yaml";
import type { LoadedFile } from "../../config/dataFile.js";
import { AccessGwError } from "../../config/errors.js";
import type { Member } from "../../config/members.js";
import type { SyncEvent } from "../../config/protocol/events.js";
import type { SiteConfig } from "../../config/site.js";
import { readSource } from "../sourceFiles.js";
import { checkDraft, type DraftContext, draftChanges } from "./draft.js";
import { readHistory, recordSave } from "./editHistory.js";
import type { DraftChange, EditorBackend, SiteSections } from "./editorApi.js";
import { whatIf } from "./whatIf.js";
import { draftIntoJson, draftIntoYaml, SECTIONS, writeAtomically } from "./yamlSave.js";

/** The most days a what-if replays (a year of events is already a long replay). */
export const MAX_WHATIF_DAYS = 366;
const DAY_MS = 86_400_000;

/** What the central holds: the members as published and the stored events (the Central has both). */
export interface ReplaySource {
  members(): Member[];
  events(): SyncEvent[];
}

/** What createEditorBackend is handed. */
export interface EditorBackendOptions {
  siteConfigFile: string;
  membersFile?: string;
  /** The site the central serves (`--site`): a draft naming another is refused, as import does. */
  siteId: string;
  /** The central's data folder, where the saves are recorded. */
  dataDir: string;
  source: ReplaySource;
  logger: Logger;
}

/** The editor backend of one central. */
export function createEditorBackend(o: EditorBackendOptions): EditorBackend {
  let membersRead: { key: string; read: { file?: LoadedFile; problems: string[] } } | undefined;
  const files = {
    siteConfigFile: o.siteConfigFile,
    ...(o.membersFile ? { membersFile: o.membersFile } : {}),
  };

  /** The members file read and validated, again only when it changed on disk. */
  const members = (): { file?: LoadedFile; problems: string[] } => {
    if (o.membersFile === undefined) return { problems: [] };
    const s = statSync(o.membersFile, { throwIfNoEntry: false });
    const key = s === undefined ? "missing" : `${s.ino} ${s.size} ${s.mtimeMs}`;
    if (membersRead?.key !== key) membersRead = { key, read: readSource(o.membersFile) };
    return membersRead.read;
  };
  const fileText = (): string => readFileSync(o.siteConfigFile, "utf8");
  const context = (raw: Record<string, unknown>): DraftContext => ({
    files,
    siteId: o.siteId,
    members: members(),
    fileMembers: Array.isArray(raw.members) ? raw.members : undefined,
  });
  const parsed = (text: string): Record<string, unknown> => (parse(text) as Record<string, unknown>) ?? {};
  /** The draft's configuration with defaults applied, or DRAFT_INVALID with its problems. */
  const configOf = (draft: unknown, raw: Record<string, unknown>, what: string): SiteConfig => {
    const out = checkDraft(draft, context(raw));
    if (out.config !== null) return out.config;
    const problems = out.problems.map((p) => `${p.path}: ${p.message}`);
    throw new AccessGwError("DRAFT_INVALID", `${what} does not check:\n  ${problems.join("\n  ")}`, {
      problems,
    });
  };
  const current = (text = fileText()): SiteSections => sectionsOf(parsed(text));
  const changesOf = (draft: SiteSections, text: string): DraftChange[] => {
    const raw = parsed(text);
    return draftChanges(
      configOf(sectionsOf(raw), raw, `the file ${o.siteConfigFile}`),
      configOf(draft, raw, "the draft"),
    );
  };

  return {
    current: () => current(),
    revision: () => revisionOf(fileText()),
    check: (draft) => {
      const out = checkDraft(draft, context(parsed(fileText())));
      return { ok: out.problems.length === 0, problems: out.problems };
    },
    diff: (draft) => changesOf(draft, fileText()),
    whatIf: (draft, days, now) => {
      if (!Number.isInteger(days) || days < 1 || days > MAX_WHATIF_DAYS)
        throw new AccessGwError(
          "USAGE",
          `days: expected a whole number of days, 1 to ${MAX_WHATIF_DAYS} (found ${days})`,
        );
      const text = fileText();
      const raw = parsed(text);
      return whatIf({
        current: configOf(sectionsOf(raw), raw, `the file ${o.siteConfigFile}`),
        draft: configOf(draft, raw, "the draft"),
        members: o.source.members(),
        events: o.source.events(),
        from: now - days * DAY_MS,
        to: now,
      });
    },
    save: (draft, who, why, now, base) => {
      if (who.trim() === "") throw refused("who saves: missing (the editor takes it from the login)");
      if (why.trim() === "")
        throw refused("why: say why the configuration changes (it is recorded with the save)");
      const text = fileText();
      if (base !== undefined && base !== revisionOf(text))
        throw refused(
          "the file changed since this draft was taken from it (another save or an edit by hand): reload and redo the change",
        );
      const changes = changesOf(draft, text);
      if (changes.length === 0) throw refused("nothing to save: the draft is the configuration in force");
      const json = o.siteConfigFile.toLowerCase().endsWith(".json");
      const next = json ? draftIntoJson(text, draft) : draftIntoYaml(text, draft);
      // The file written must read back as the draft: the watcher will publish exactly what was checked.
      if (changesOf(draft, next).length > 0)
        throw refused("the file could not be written to say exactly the draft: nothing was saved");
      const revision = revisionOf(next);
      // Recorded before the file is written: every change the watcher may publish is in the history
      // (a write that then fails leaves a record whose revision the file never had).
      recordSave(o.dataDir, {
        at: new Date(now).toISOString(),
        who,
        why,
        changes: changes.length,
        revision,
        list: changes,
      });
      writeAtomically(o.siteConfigFile, next);
      o.logger.info({ who, revision, changes: changes.length }, "site configuration saved from the editor");
      return { revision, changes };
    },
    history: () => readHistory(o.dataDir),
  };
}

/** The revision of the file's text: the first 12 hex digits of its SHA-256. */
export function revisionOf(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

function refused(message: string): AccessGwError {
  return new AccessGwError("DRAFT_REFUSED", `not saved: ${message}`);
}

/** The editor's sections of a parsed file, as written (an absent list: empty). */
function sectionsOf(raw: Record<string, unknown>): SiteSections {
  const out: Record<string, unknown> = {};
  for (const s of SECTIONS) out[s] = raw[s] ?? (s === "site" ? {} : []);
  return out as unknown as SiteSections;
}
