import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { AccessGwError, formatPath } from "./errors.js";
import { knownKeysAt, unknownKeysMessage } from "./keyHints.js";
import { Member } from "./members.js";
import { checkReferences } from "./references.js";
import { AccessType, Area, CardModel, Limit, Product, type SiteConfig, SiteInfo } from "./site.js";
import { readTextFile } from "./textFile.js";

/** The sections a data file may hold, for messages. */
const SECTIONS = "site, areas, accessTypes, products, limits, cardModels, members";

/** A file given to `accessgw import`: site configuration and/or member data (domain.md). */
export const DataFile = z
  .strictObject({
    site: SiteInfo.optional(),
    areas: z.array(Area).optional(),
    accessTypes: z.array(AccessType).optional(),
    products: z.array(Product).optional(),
    limits: z.array(Limit).optional(),
    cardModels: z.array(CardModel).optional(),
    members: z.array(Member).optional(),
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

/** Parses YAML or JSON text (YAML is a superset; `.json` files are parsed strictly as JSON). */
export function parseText(name: string, text: string): { value?: unknown; problems: string[] } {
  try {
    if (name.toLowerCase().endsWith(".json")) return { value: JSON.parse(text), problems: [] };
    return { value: parseYaml(text, { uniqueKeys: true, maxAliasCount: 1000 }), problems: [] };
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const where = err.linePos?.[0] ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})` : "";
      return { problems: [`${name}${where}: ${err.message.split("\n")[0]}`] };
    }
    return { problems: [`${name}: ${(err as Error).message}`] };
  }
}

/** Validates one parsed document against the schema; problems name file, record path and field. */
export function validateDocument(name: string, value: unknown): { data?: DataFile; problems: string[] } {
  if (value === null || value === undefined) return { problems: [emptyFileProblem(name)] };
  const result = DataFile.safeParse(value);
  if (result.success) return { data: result.data, problems: [] };
  return { problems: result.error.issues.map((i) => formatIssue(name, i, value)) };
}

function formatIssue(name: string, issue: z.core.$ZodIssue, root: unknown): string {
  const path = formatPath(issue.path);
  let msg = issue.message;
  if (issue.code === "unrecognized_keys")
    msg = unknownKeysMessage(issue.keys, knownKeysAt(DataFile, root, issue.path));
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
 * bad set of files changes nothing.
 */
export function loadDataFiles(
  inputs: { name: string; text?: string; value?: unknown }[],
  stored: SiteConfig | null,
  storedMemberMultipacks?: (multipackId: string) => string | undefined,
): LoadedFile[] {
  const problems: string[] = [];
  const files: LoadedFile[] = [];
  for (const input of inputs) {
    let value = input.value;
    if (value === undefined) {
      let text = input.text;
      if (text === undefined) {
        const read = readTextFile(input.name);
        if (read.problem !== undefined) {
          problems.push(read.problem);
          continue;
        }
        text = read.text;
      }
      const parsed = parseText(input.name, text);
      problems.push(...parsed.problems);
      if (parsed.problems.length > 0) continue;
      value = parsed.value;
    }
    const checked = validateDocument(input.name, value);
    problems.push(...checked.problems);
    if (checked.data) files.push({ name: input.name, data: checked.data });
  }
  if (problems.length === 0) problems.push(...checkReferences(files, stored, storedMemberMultipacks));
  if (problems.length > 0) {
    const head = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    throw new AccessGwError(
      "DATA_INVALID",
      `refused, nothing was imported (${head}):\n  ${problems.join("\n  ")}`,
      {
        problems,
      },
    );
  }
  return files;
}
