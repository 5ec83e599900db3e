/**
 * `accessgw import FILE…` in bounded memory, whatever the files' size: each file is read and
 * validated piece by piece (config/dataPieces.ts) and its valid members spooled to disk; then the
 * members are checked against the merged configuration and each other from the spool; only when
 * nothing is wrong are they written, in one transaction (all or nothing, as before), each record
 * compared with what the cache held (the summary's `changes`, issue 10 §7).
 */
import type { LoadedFile } from "../../config/dataFile.js";
import { throwProblems } from "../../config/dataFile.js";
import { type DataInput, FileValidator, Problems, readPieces } from "../../config/dataPieces.js";
import { checkReferences, memberChecker, mergeSiteConfig } from "../../config/references.js";
import { ChangeSet } from "./changeSet.js";
import type { Store } from "./db.js";
import { multipackOwner } from "./facts.js";
import { type ImportSummary, writeImport } from "./importer.js";
import { MemberSpool } from "./memberSpool.js";

/**
 * Imports data files into the cache: all or nothing. Throws DATA_INVALID listing the problems (the
 * first 100 of them, and how many more) when any file has one.
 */
export function importDataFiles(store: Store, inputs: DataInput[], origin = "import"): ImportSummary {
  const spool = MemberSpool.open(store.dir);
  try {
    const problems = new Problems();
    const files = inputs.map((input, f): LoadedFile => {
      const validator = new FileValidator(input.name, problems, (m, i) => spool.add(f, i, m));
      const read = readPieces(input, validator);
      if (read.problem !== undefined) problems.add(read.problem);
      else validator.finish(read.content);
      // `members` is an empty stand-in when the file had some: they are in the spool.
      return { name: input.name, data: validator.data as LoadedFile["data"] };
    });
    throwProblems(problems);
    const owner = (id: string) => multipackOwner(store, id);
    const stored = store.siteConfig();
    problems.add(...checkReferences(files, stored, owner));
    throwProblems(problems);
    const merged = mergeSiteConfig(stored, files);
    if (merged) {
      const check = memberChecker(merged, spool, owner);
      for (const s of spool.members()) problems.add(...check(inputs[s.file]?.name ?? "", s.index, s.member));
      throwProblems(problems);
    }
    return writeImport(store, files, membersOf(spool), origin, new ChangeSet());
  } finally {
    spool.close();
  }
}

function* membersOf(spool: MemberSpool) {
  for (const s of spool.members()) yield s.member;
}
