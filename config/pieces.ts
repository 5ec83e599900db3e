/**
 * A data file read in pieces (its top-level sections whole, its members one at a time), whatever
 * its format: what the JSON and YAML readers hand on, and their syntax errors.
 */

/** A syntax problem at an offset of the file (bytes for JSON, characters for YAML). */
export class PieceSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** What a reader hands on, in the order of the file. */
export interface PieceSink {
  /** The root is not a mapping: `found` says what it is ("a list", "a string"…). */
  notAMapping(found: string): void;
  /** A top-level key, as soon as it is read (its value follows as a section or as members). */
  topKey(key: string): void;
  /** A top-level key's whole value (for `members` only when it is not a list). */
  section(key: string, value: unknown): void;
  /** One element of the top-level `members` list, in order from 0. */
  member(index: number, value: unknown): void;
}
