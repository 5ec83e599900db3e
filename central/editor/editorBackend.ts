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
import type {
  DraftChange,
  DraftCheck,
  EditorBackend,
  SaveRecord,
  SiteSections,
  WhatIfReport,
} from "./editorApi.js";
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
  return new CentralEditor(o);
}

/** The file read once for one request: its text, parsed as written. */
interface FileNow {
  text: string;
  raw: Record<string, unknown>;
}

/** EditorBackend over the central's files; the constructor only assigns. */
class CentralEditor implements EditorBackend {
  private readonly o: EditorBackendOptions;
  private membersRead: { key: string; read: { file?: LoadedFile; problems: string[] } } | undefined;

  constructor(options: EditorBackendOptions) {
    this.o = options;
  }

  current(): SiteSections {
    return sectionsOf(this.file().raw);
  }

  revision(): string {
    return revisionOf(this.file().text);
  }

  check(draft: unknown): DraftCheck {
    const out = checkDraft(draft, this.context(this.file()));
    return { ok: out.problems.length === 0, problems: out.problems };
  }

  diff(draft: SiteSections): DraftChange[] {
    return this.changes(draft, this.file());
  }

  whatIf(draft: SiteSections, days: number, now: number): WhatIfReport {
    if (!Number.isInteger(days) || days < 1 || days > MAX_WHATIF_DAYS)
      throw new AccessGwError(
        "USAGE",
        `days: expected a whole number of days, 1 to ${MAX_WHATIF_DAYS} (found ${days})`,
      );
    const f = this.file();
    return whatIf({
      current: this.configOf(sectionsOf(f.raw), f, `the file ${this.o.siteConfigFile}`),
      draft: this.configOf(draft, f, "the draft"),
      members: this.o.source.members(),
      events: this.o.source.events(),
      from: now - days * DAY_MS,
      to: now,
    });
  }

  save(draft: SiteSections, who: string, why: string, now: number, base?: string) {
    if (who.trim() === "") throw refused("who saves: missing (the editor takes it from the login)");
    if (why.trim() === "")
      throw refused("why: say why the configuration changes (it is recorded with the save)");
    const f = this.file();
    if (base !== undefined && base !== revisionOf(f.text))
      throw refused(
        "the file changed since this draft was taken from it (another save or an edit by hand): reload and redo the change",
      );
    const changes = this.changes(draft, f);
    if (changes.length === 0) throw refused("nothing to save: the draft is the configuration in force");
    const json = this.o.siteConfigFile.toLowerCase().endsWith(".json");
    const text = json ? draftIntoJson(f.text, draft) : draftIntoYaml(f.text, draft);
    // The file written must read back as the draft: the watcher will publish exactly what was checked.
    if (this.changes(draft, { text, raw: parsed(text) }).length > 0)
      throw refused("the file could not be written to say exactly the draft: nothing was saved");
    const revision = revisionOf(text);
    // Recorded before the file is written: every change the watcher may publish is in the history
    // (a write that then fails leaves a record whose revision the file never had).
    const at = new Date(now).toISOString();
    recordSave(this.o.dataDir, { at, who, why, changes: changes.length, revision, list: changes });
    writeAtomically(this.o.siteConfigFile, text);
    this.o.logger.info(
      { who, revision, changes: changes.length },
      "site configuration saved from the editor",
    );
    return { revision, changes };
  }

  history(): SaveRecord[] {
    return readHistory(this.o.dataDir);
  }

  private file(): FileNow {
    const text = readFileSync(this.o.siteConfigFile, "utf8");
    return { text, raw: parsed(text) };
  }

  /** The draft against the file, both checked (DRAFT_INVALID naming which one does not check). */
  private changes(draft: SiteSections, f: FileNow): DraftChange[] {
    return draftChanges(
      this.configOf(sectionsOf(f.raw), f, `the file ${this.o.siteConfigFile}`),
      this.configOf(draft, f, "the draft"),
    );
  }

  /** The draft's configuration with defaults applied, or DRAFT_INVALID with its problems. */
  private configOf(draft: unknown, f: FileNow, what: string): SiteConfig {
    const out = checkDraft(draft, this.context(f));
    if (out.config !== null) return out.config;
    const problems = out.problems.map((p) => `${p.path}: ${p.message}`);
    throw new AccessGwError("DRAFT_INVALID", `${what} does not check:\n  ${problems.join("\n  ")}`, {
      problems,
    });
  }

  private context(f: FileNow): DraftContext {
    const { siteConfigFile, membersFile, siteId } = this.o;
    return {
      files: { siteConfigFile, ...(membersFile === undefined ? {} : { membersFile }) },
      siteId,
      members: this.members(),
      fileMembers: Array.isArray(f.raw.members) ? f.raw.members : undefined,
    };
  }

  /** The members file read and validated, again only when it changed on disk. */
  private members(): { file?: LoadedFile; problems: string[] } {
    const file = this.o.membersFile;
    if (file === undefined) return { problems: [] };
    const s = statSync(file, { throwIfNoEntry: false });
    const key = s === undefined ? "missing" : `${s.ino} ${s.size} ${s.mtimeMs}`;
    if (this.membersRead?.key !== key) this.membersRead = { key, read: readSource(file) };
    return this.membersRead.read;
  }
}

function parsed(text: string): Record<string, unknown> {
  return (parse(text) as Record<string, unknown> | null) ?? {};
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
