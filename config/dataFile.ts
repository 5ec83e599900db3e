import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { type DataInput, FileValidator, Problems, readPieces } from "./dataPieces.js";
import { AccessGwError, formatPath } from "./errors.js";
import { parseJsonDocument } from "./jsonStream.js";
import { knownKeysAt, unknownKeysMessage } from "./keyHints.js";
import type { Member } from "./members.js";
import { Member as MemberSchema } from "./members.js";
import { PieceSyntaxError } from "./pieces.js";
import { checkReferences } from "./references.js";
import { AccessType, Area, CardModel, Limit, Product, type SiteConfig, SiteInfo } from "./site.js";
import { positionOf } from "./textFile.js";

/** The sections a data file may hold, for messages. */
export const SECTIONS = "site, areas, accessTypes, products, limits, cardModels, members";

/** A file given to `accessgw import`: site configuration and/or member data (domain.md). */
export const DataFile = z
  .strictObject({
    site: SiteInfo.optional(),
    areas: z.array(Area).optional(),
    accessTypes: z.array(AccessType).optional(),
    products: z.array(Product).optional(),
    limits: z.array(Limit).optional(),
    cardModels: z.array(CardModel).optional(),
    members: z.array(MemberSchema).optional(),
  })
  .refine((f) => Object.values(f).some((v) => v !== undefined), {
    error: `the file has none of ${SECTIONS}`,
  });
export type DataFile = z.infer<typeof DataFile>;

/** A data file with nothing in it (or only comments). */
export function emptyFileProblem(name: string): string {
  return `${name}: empty file: expected site configuration and/or members (${SECTIONS})`;
}

/** A validated file with the name it is reported under. */
export interface LoadedFile {
  name: string;
  data: DataFile;
}

/**
 * Parses YAML or JSON text (YAML is a superset; `.json` files are parsed strictly as JSON, and a key
 * given twice is refused in both) — for the small files read whole: the gateway configuration, the
 * simulator's files. Data files are read in pieces (dataPieces.ts).
 */
export function parseText(name: string, text: string): { value?: unknown; problems: string[] } {
  try {
    if (name.toLowerCase().endsWith(".json")) return { value: parseJsonDocument(text), problems: [] };
    return { value: parseYaml(text, { uniqueKeys: true, maxAliasCount: 1000 }), problems: [] };
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const where = err.linePos?.[0] ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})` : "";
      return { problems: [`${name}${where}: ${err.message.split("\n")[0]}`] };
    }
    if (err instanceof PieceSyntaxError) {
      const at = positionOf({ name, text }, err.offset, "byte");
      return { problems: [`${name} (line ${at.line}, column ${at.column}): ${err.message}`] };
    }
    return { problems: [`${name}: ${(err as Error).message}`] };
  }
}

/**
 * Validates one parsed document as `accessgw import` does, piece by piece; problems name file,
 * record path and field.
 */
export function validateDocument(name: string, value: unknown): { data?: DataFile; problems: string[] } {
  if (value === undefined || value === null) return { problems: [emptyFileProblem(name)] };
  const problems = new Problems();
  const loaded = loadOne({ name, value }, problems);
  return problems.count === 0 ? { data: loaded.data, problems: [] } : { problems: problems.list() };
}

/** Reads and validates one input, keeping its members in memory (for files of ordinary size). */
function loadOne(input: DataInput, problems: Problems): LoadedFile {
  const members: Member[] = [];
  const validator = new FileValidator(input.name, problems, (m) => members.push(m));
  const read = readPieces(input, validator);
  if (read.problem !== undefined) problems.add(read.problem);
  else validator.finish(read.content);
  const data = { ...validator.data } as DataFile;
  if (data.members !== undefined) data.members = members;
  return { name: input.name, data };
}

/** One problem of a schema issue: file, record path, field and what was wrong (and found). */
export function formatIssue(
  name: string,
  issue: z.core.$ZodIssue,
  root: unknown,
  schema: z.core.$ZodType = DataFile,
): string {
  const path = formatPath(issue.path, root);
  let msg = issue.message;
  if (issue.code === "unrecognized_keys")
    msg = unknownKeysMessage(issue.keys, knownKeysAt(schema, root, issue.path));
  else if (issue.code === "invalid_type" && valueAt(root, issue.path) === undefined)
    msg = `missing (${issue.expected} expected)`;
  else if (issue.code === "invalid_union") msg = unionMessage(issue, root);
  else {
    const found = valueAt(root, issue.path);
    if (found !== undefined && (typeof found === "string" || typeof found === "number"))
      msg = `${msg} (found ${JSON.stringify(found)})`;
  }
  return `${name}: ${path === "" ? "(top level)" : path}: ${msg}`;
}

function unionMessage(issue: z.core.$ZodIssueInvalidUnion, root: unknown): string {
  const found = valueAt(root, issue.path);
  if (issue.path.at(-1) === "validity")
    return `expected one of {days|weeks|months|years: N}, {until: DATE}, {fromFirstUse: {...}}, {indefinite: true} (found ${JSON.stringify(found)})`;
  if (issue.path.at(-1) === "chargePeriod")
    return `expected one of {days|weeks|months|years: N} (found ${JSON.stringify(found)})`;
  return `${issue.message} (found ${JSON.stringify(found)})`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/**
 * Reads, parses and validates files, then checks their cross-references against each other and the
 * configuration already stored. Throws one AccessGwError listing every problem of every file, so a
 * bad set of files changes nothing. The files are held in memory: `accessgw import` streams them
 * instead (gateway/store/fileImport.ts), with the same checks and messages.
 */
export function loadDataFiles(
  inputs: DataInput[],
  stored: SiteConfig | null,
  storedMemberMultipacks?: (multipackId: string) => string | undefined,
): LoadedFile[] {
  const problems = new Problems();
  const files = inputs.map((input) => loadOne(input, problems));
  if (problems.count === 0) problems.add(...checkReferences(files, stored, storedMemberMultipacks));
  throwProblems(problems);
  return files;
}

/** Throws DATA_INVALID listing the problems, when there are any. */
export function throwProblems(problems: Problems): void {
  if (problems.count > 0) throw dataInvalid(problems.count, problems.list());
}

/** DATA_INVALID for `count` problems, of which `list` is what Problems.list() gives. */
export function dataInvalid(count: number, list: string[]): AccessGwError {
  const head = count === 1 ? "1 problem" : `${count} problems`;
  return new AccessGwError(
    "DATA_INVALID",
    `refused, nothing was imported (${head}):\n  ${list.join("\n  ")}`,
    {
      problems: list,
    },
  );
}
