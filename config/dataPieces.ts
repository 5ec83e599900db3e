/**
 * A data file read and validated piece by piece: each top-level section is checked whole by its
 * schema, each member alone (and then handed on, so a file of any size is checked in bounded
 * memory). The problems are the ones the whole-file schema would give, with the same paths.
 */
import type { z } from "zod";
import { DataFile, emptyFileProblem, formatIssue, SECTIONS } from "./dataFile.js";
import { JsonPieces } from "./jsonStream.js";
import { unknownKeysMessage } from "./keyHints.js";
import { Member } from "./members.js";
import { type PieceSink, PieceSyntaxError } from "./pieces.js";
import { fileChunks, positionOf, Utf8Decoder, Utf8Error } from "./textFile.js";
import { YamlPieces } from "./yamlStream.js";

/** A data file to read: from disk by name, or text, or an already parsed value (tests, benchmarks). */
export interface DataInput {
  name: string;
  text?: string;
  value?: unknown;
}

/** Problems listed one by one; past this many, only counted. */
export const MAX_LISTED_PROBLEMS = 100;

/** The problems of an import: every one counted, the first MAX_LISTED_PROBLEMS kept. */
export class Problems {
  private readonly listed: string[] = [];
  count = 0;

  add(...problems: string[]): void {
    for (const p of problems) {
      if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(p);
      this.count++;
    }
  }

  /** Adds another list's problems: those it listed, and the count of those it only counted. */
  absorb(other: Problems): void {
    this.add(...other.listed);
    this.count += other.count - other.listed.length;
  }

  /** The listed problems, and a last line saying how many more there were. */
  list(): string[] {
    const more = this.count - this.listed.length;
    return more > 0
      ? [...this.listed, `… and ${more} more problem${more === 1 ? "" : "s"}`]
      : [...this.listed];
  }
}

type SectionKey = Exclude<keyof DataFile, "members">;
// A function, not a constant: dataFile.ts imports this module, so DataFile is not there yet at load.
const sectionSchemas = () => DataFile.shape;
const isSection = (key: string): key is keyof DataFile => Object.hasOwn(sectionSchemas(), key);

/**
 * Checks the pieces of one file against the schema of its section, or of a member. Valid sections
 * are kept in `data`; valid members go to `onMember` (`data.members` only records that there were
 * some, for the reference checks).
 */
export class FileValidator implements PieceSink {
  readonly data: Partial<DataFile> = {};
  private sections = 0;
  private rootProblem = false;

  constructor(
    private readonly name: string,
    private readonly problems: Problems,
    private readonly onMember: (member: Member, index: number) => void,
  ) {}

  notAMapping(found: string): void {
    this.rootProblem = true;
    this.problems.add(`${this.name}: (top level): expected a mapping of ${SECTIONS} (found ${found})`);
  }

  topKey(key: string): void {
    if (isSection(key)) {
      this.sections++;
      if (key === "members") this.data.members ??= [];
      return;
    }
    this.problems.add(
      `${this.name}: (top level): ${unknownKeysMessage([key], Object.keys(sectionSchemas()))}`,
    );
  }

  section(key: string, value: unknown): void {
    if (!isSection(key)) return; // reported by topKey
    if (key === "members" && Array.isArray(value)) {
      for (const [i, m] of value.entries()) this.member(i, m);
      return;
    }
    const result = (sectionSchemas()[key] as z.ZodType).safeParse(value);
    if (!result.success) this.report(result.error.issues, [key], { [key]: value });
    else (this.data as Record<string, unknown>)[key] = result.data;
  }

  member(index: number, value: unknown): void {
    const result = Member.safeParse(value);
    if (result.success) {
      this.onMember(result.data, index);
      return;
    }
    // A sparse stand-in for the document: formatIssue looks up what was found at the issue's path.
    const members: unknown[] = [];
    members[index] = value;
    this.report(result.error.issues, ["members", index], { members });
  }

  /** After the last piece: an empty file, or one with none of the sections. */
  finish(hadContent: boolean): void {
    if (!hadContent) this.problems.add(emptyFileProblem(this.name));
    else if (this.sections === 0 && !this.rootProblem)
      this.problems.add(`${this.name}: (top level): the file has none of ${SECTIONS}`);
  }

  private report(issues: z.core.$ZodIssue[], prefix: PropertyKey[], root: unknown): void {
    for (const issue of issues) {
      const whole = { ...issue, path: [...prefix, ...issue.path] } as z.core.$ZodIssue;
      this.problems.add(formatIssue(this.name, whole, root, DataFile));
    }
  }
}

/** Whether a file is read as JSON (by its extension) rather than YAML. */
export const isJsonName = (name: string) => name.toLowerCase().endsWith(".json");

/**
 * Reads one input piece by piece into `sink` (a file is streamed from disk, never held whole).
 * Returns whether it held content, or the problem that stopped it: unreadable, not UTF-8, a syntax
 * error with its line and column.
 */
export function readPieces(input: DataInput, sink: PieceSink): { content: boolean; problem?: string } {
  if (input.value !== undefined) return { content: walkValue(input.value, sink) };
  const json = isJsonName(input.name);
  const reader = json ? new JsonPieces(sink) : new YamlPieces(sink);
  try {
    if (input.text !== undefined) reader.write(input.text);
    else {
      const decoder = new Utf8Decoder(input.name);
      for (const chunk of fileChunks(input.name)) reader.write(decoder.decode(chunk));
      decoder.end();
    }
    return { content: reader.end() };
  } catch (err) {
    if (err instanceof Utf8Error) return { content: true, problem: err.message };
    if (err instanceof PieceSyntaxError) {
      const at = positionOf(input, err.offset, json ? "byte" : "char");
      return {
        content: true,
        problem: `${input.name} (line ${at.line}, column ${at.column}): ${err.message}`,
      };
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== undefined)
      return { content: true, problem: `${input.name}: cannot read the file (${code})` };
    throw err;
  }
}

/** An already parsed value, handed on as the readers hand on a file. */
function walkValue(value: unknown, sink: PieceSink): boolean {
  if (value === null) return false;
  if (typeof value !== "object" || Array.isArray(value)) {
    sink.notAMapping(Array.isArray(value) ? "a list" : `a ${typeof value}`);
    return true;
  }
  for (const [key, v] of Object.entries(value)) {
    sink.topKey(key);
    if (key === "members" && Array.isArray(v)) for (const [i, m] of v.entries()) sink.member(i, m);
    else sink.section(key, v);
  }
  return true;
}

/** The sections of a validated file that are site configuration (all but members). */
export type ConfigSections = Pick<DataFile, SectionKey>;
