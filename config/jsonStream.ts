/**
 * JSON read in pieces, with @streamparser/json doing the tokenizing, the grammar and the assembly
 * of values: a data file's top-level sections come whole, its `members` one at a time (each member
 * is let go once handed on, so a file of any size is read in bounded memory). JSON.parse, and the
 * library, let a repeated key silently replace the first; the token watcher here refuses it.
 */
import { type ParsedTokenInfo, Tokenizer, TokenParser, TokenType } from "@streamparser/json";
import { formatPath } from "./errors.js";
import { type PieceSink, PieceSyntaxError } from "./pieces.js";

/** An open object or array, as the watcher follows it. */
interface Open {
  object: boolean;
  /** Keys seen so far (objects). */
  keys: Set<string>;
  /** The key or index of the value being read inside it. */
  at: string | number;
  expectKey: boolean;
}

const KIND: Partial<Record<TokenType, string>> = {
  [TokenType.LEFT_BRACE]: "a mapping",
  [TokenType.LEFT_BRACKET]: "a list",
  [TokenType.STRING]: "a string",
  [TokenType.NUMBER]: "a number",
};

/**
 * Follows the tokens' nesting: refuses a key given twice (naming its path), and says where each
 * value starts (`onValueStart(kind, depth, key, token)`), so a reader can tell what the root and a
 * section are before the value is complete.
 */
class KeyWatcher {
  readonly open: Open[] = [];
  lastOffset = 0;

  constructor(
    private readonly onValueStart: (
      kind: string,
      depth: number,
      key: string | number | undefined,
      t: ParsedTokenInfo,
    ) => void,
  ) {}

  watch(t: ParsedTokenInfo): void {
    this.lastOffset = t.offset;
    const top = this.open.at(-1);
    switch (t.token) {
      case TokenType.RIGHT_BRACE:
      case TokenType.RIGHT_BRACKET:
        this.open.pop();
        return;
      case TokenType.COMMA:
        if (top?.object) top.expectKey = true;
        else if (top) top.at = (top.at as number) + 1;
        return;
      case TokenType.COLON:
      case TokenType.SEPARATOR:
        return;
    }
    if (t.token === TokenType.STRING && top?.object && top.expectKey) {
      this.key(top, t.value as string, t.offset);
      return;
    }
    this.onValueStart(KIND[t.token] ?? "a constant", this.open.length, top?.at, t);
    if (t.token === TokenType.LEFT_BRACE || t.token === TokenType.LEFT_BRACKET)
      this.open.push({ object: t.token === TokenType.LEFT_BRACE, keys: new Set(), at: 0, expectKey: true });
  }

  private key(top: Open, key: string, offset: number): void {
    if (top.keys.has(key)) {
      const path = formatPath(this.open.slice(0, -1).map((o) => o.at));
      throw new PieceSyntaxError(
        `${path === "" ? "(top level)" : path}: key "${key}" is given twice`,
        offset,
      );
    }
    top.keys.add(key);
    top.at = key;
    top.expectKey = false;
  }
}

const SECTIONS = ["$.site", "$.areas", "$.accessTypes", "$.products", "$.limits", "$.cardModels"];

/**
 * Reads one JSON data file in pieces. `write` takes the text as it comes; `end` checks it is whole
 * and says whether it held a value at all. Throws PieceSyntaxError (bad JSON, a repeated key, an
 * unexpected end) with the byte offset.
 */
export class JsonPieces {
  private readonly tokenizer = new Tokenizer();
  // `$.members` itself is not a path: it would keep every member until the list ends.
  private readonly parser = new TokenParser({ paths: [...SECTIONS, "$.members.*"], keepStack: false });
  private readonly watcher: KeyWatcher;
  private ended = false;
  private seen = false;
  /** `members` that is a mapping is gathered here (its entries arrive one by one). */
  private membersMap: Record<string, unknown> | undefined;
  private membersList = false;

  constructor(private readonly sink: PieceSink) {
    this.watcher = new KeyWatcher((kind, depth, key, t) => this.valueStarts(kind, depth, key, t));
    this.tokenizer.onToken = (t) => {
      this.watcher.watch(t);
      this.parser.write(t);
      if (this.membersMap && this.watcher.open.length === 1) this.endMembersMap();
    };
    this.parser.onValue = ({ value, key, stack }) => this.piece(value, key, stack.length);
    this.parser.onEnd = () => {
      this.ended = true;
    };
  }

  /** Feeds the next part of the text. */
  write(text: string): void {
    guard(() => this.tokenizer.write(text), this.watcher);
  }

  /** Checks that the document is whole; true when the file held a value at all. */
  end(): boolean {
    guard(() => this.tokenizer.end(), this.watcher);
    if (this.seen && !this.ended)
      throw new PieceSyntaxError("unexpected end of the file", this.watcher.lastOffset);
    return this.seen;
  }

  private valueStarts(
    kind: string,
    depth: number,
    key: string | number | undefined,
    t: ParsedTokenInfo,
  ): void {
    if (depth === 0) {
      this.seen = true;
      if (kind !== "a mapping") this.sink.notAMapping(kind);
      return;
    }
    if (depth !== 1) return;
    this.sink.topKey(key as string);
    if (key !== "members") return;
    if (kind === "a list") this.membersList = true;
    else if (kind === "a mapping") this.membersMap = {};
    // A constant or a string is complete in its token.
    else this.sink.section("members", t.token === TokenType.NULL ? null : t.value);
  }

  private endMembersMap(): void {
    this.sink.section("members", this.membersMap);
    this.membersMap = undefined;
  }

  /** A value the parser completed at one of the paths: a section, a member, an entry of a members map. */
  private piece(value: unknown, key: string | number | undefined, depth: number): void {
    if (depth === 1) this.sink.section(key as string, value);
    else if (this.membersMap) this.membersMap[key as string] = value;
    else if (this.membersList) this.sink.member(key as number, value);
  }
}

/** Runs a tokenizer step; its errors become PieceSyntaxError with the byte offset. */
function guard(run: () => void, watcher: KeyWatcher): void {
  try {
    run();
  } catch (err) {
    if (err instanceof PieceSyntaxError) throw err;
    const message = (err as Error).message;
    const at = /absolute position "(\d+)"/.exec(message);
    throw new PieceSyntaxError(`not valid JSON: ${message}`, at ? Number(at[1]) : watcher.lastOffset);
  }
}

/**
 * A whole JSON document as a value (the gateway configuration, the simulator's files), undefined
 * for an empty one. Throws PieceSyntaxError for bad JSON and for a key given twice.
 */
export function parseJsonDocument(text: string): unknown {
  const tokenizer = new Tokenizer();
  const parser = new TokenParser({ paths: ["$"], keepStack: false });
  let seen = false;
  const watcher = new KeyWatcher((_kind, depth) => {
    if (depth === 0) seen = true;
  });
  let value: unknown;
  let ended = false;
  tokenizer.onToken = (t) => {
    watcher.watch(t);
    parser.write(t);
  };
  parser.onValue = ({ value: v }) => {
    value = v;
  };
  parser.onEnd = () => {
    ended = true;
  };
  guard(() => {
    tokenizer.write(text);
    tokenizer.end();
  }, watcher);
  if (seen && !ended) throw new PieceSyntaxError("unexpected end of the file", watcher.lastOffset);
  return value;
}
