/**
 * The checking half of `accessgw import` (run in a worker thread, importWorker.ts): each file read
 * and validated piece by piece (config/dataPieces.ts), each valid member handed on for writing as
 * soon as it is checked, then the checks that need every file (references, the site's sections).
 * The problems are the ones the import has always given, phase by phase: reading and schema
 * problems first; when there are none, the configuration's references; then the members' checks.
 */
import type { LoadedFile } from "../../config/dataFile.js";
import { type DataInput, FileValidator, Problems, readPieces } from "../../config/dataPieces.js";
import type { Member } from "../../config/members.js";
import type { PieceSink } from "../../config/pieces.js";
import { checkReferences, memberChecker, mergeSiteConfig } from "../../config/references.js";
import type { SiteConfig } from "../../config/site.js";
import { MemberSpool } from "./memberSpool.js";

/** Members handed on per batch. */
const BATCH = 200;

/** Where checked members and the early verdict go. */
export interface CheckSink {
  /** Valid members in file order; the writer may write them (the verdict comes at the end). */
  members(batch: Member[]): void;
  /** A problem no later section can take back was found: writing more is wasted. */
  failed(): void;
}

/** The verdict: the files' configuration sections, or the problems (counted, the first listed). */
export interface CheckResult {
  files: LoadedFile[];
  count: number;
  problems: string[];
}

/** What a check is run on. */
export interface CheckInput {
  inputs: DataInput[];
  /** The site configuration stored before the import. */
  stored: SiteConfig | null;
  /** The data folder: the spool of seen ids goes there (member data stays on the data disk). */
  dir: string;
}

/**
 * Checks every input. Members are checked against the configuration known when they are read
 * (stored, then the sections read so far); a section read after them means they are checked again
 * at the end, from a second reading, against the whole merged configuration.
 */
export function checkImport(
  input: CheckInput,
  owner: (multipackId: string) => string | undefined,
  sink: CheckSink,
): CheckResult {
  const spool = MemberSpool.open(input.dir);
  try {
    const problems = new Problems();
    const memberProblems = new Problems();
    const files: LoadedFile[] = [];
    let check: ReturnType<typeof memberChecker> | undefined;
    let stale = false;
    let batch: Member[] = [];
    const flush = () => {
      if (batch.length > 0) sink.members(batch);
      batch = [];
    };
    for (const file of input.inputs) {
      const validator = new FileValidator(file.name, problems, (m, i) => {
        if (check === undefined && !stale) {
          const merged = mergeSiteConfig(input.stored, [...files, current()]);
          if (merged) check = memberChecker(merged, spool, owner);
          else stale = true;
        }
        if (check && !stale) memberProblems.add(...check(file.name, i, m));
        batch.push(m);
        if (batch.length >= BATCH) flush();
      });
      const current = (): LoadedFile => ({ name: file.name, data: validator.data as LoadedFile["data"] });
      const before = problems.count;
      const read = readPieces(
        file,
        watchSections(validator, () => (stale ||= check !== undefined)),
      );
      if (read.problem !== undefined) problems.add(read.problem);
      else validator.finish(read.content);
      if (problems.count > before) sink.failed();
      files.push(current());
    }
    flush();
    if (problems.count > 0) return verdict(files, problems);
    problems.add(...checkReferences(files, input.stored, owner));
    if (problems.count > 0) return verdict(files, problems);
    const merged = mergeSiteConfig(input.stored, files);
    if (merged && stale) recheck(input.inputs, memberChecker(merged, spool.fresh(), owner), problems);
    else problems.absorb(memberProblems);
    return verdict(files, problems);
  } finally {
    spool.close();
  }
}

/** The verdict as the worker posts it. */
function verdict(files: LoadedFile[], problems: Problems): CheckResult {
  return { files, count: problems.count, problems: problems.list() };
}

/** The members read again, each checked against the whole merged configuration. */
function recheck(inputs: DataInput[], check: ReturnType<typeof memberChecker>, problems: Problems): void {
  for (const file of inputs) {
    // The first reading found no problem: this one finds none either, only the members.
    const ignored = new Problems();
    const validator = new FileValidator(file.name, ignored, (m, i) => {
      problems.add(...check(file.name, i, m));
    });
    readPieces(file, validator);
  }
}

/** A sink that says when a configuration section (not members) is read. */
function watchSections(sink: PieceSink, onSection: () => void): PieceSink {
  return {
    notAMapping: (found) => sink.notAMapping(found),
    topKey: (key) => sink.topKey(key),
    section: (key, value) => {
      if (key !== "members") onSection();
      sink.section(key, value);
    },
    member: (index, value) => sink.member(index, value),
  };
}
