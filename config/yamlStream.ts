/**
 * YAML read in pieces with the `yaml` package's own Parser (text → CST) and Composer (CST → nodes):
 * the whole document is never composed. Each complete top-level pair is taken out of the parser's
 * CST and composed alone; each complete item of a block list under `members:` likewise, while the
 * parser is still reading the next. A 50 MB members file composed whole needed 4 GB; piece by piece,
 * memory holds one member and the parser's current line.
 *
 * What composing pieces alone would lose is put back: a key given twice at the top level is refused
 * as the package refuses it inside a mapping, and an alias to an anchor of an earlier piece resolves
 * to a copy of that anchor's node (bounded, against alias bombs).
 */
import { type Alias, Composer, CST, type Document, isAlias, isNode, type Node, Parser, visit } from "yaml";
import { type PieceSink, PieceSyntaxError } from "./pieces.js";

type Token = CST.Token;
type Item = CST.BlockMap["items"][number] | CST.BlockSequence["items"][number];

/** Nodes that aliases to earlier pieces may copy in, over the whole file. */
const MAX_COPIED_NODES = 100_000;
/** As `parse(…, { maxAliasCount })` did before: within a piece. */
const MAX_ALIAS_COUNT = 1000;

/**
 * Reads one YAML data file in pieces. `write` takes the text as it comes; `end` finishes it and says
 * whether the file held a document with content. Throws PieceSyntaxError with a character offset.
 */
export class YamlPieces {
  private readonly parser = new Parser();
  private readonly anchors = new Map<string, Node>();
  private readonly topKeys = new Set<string>();
  private copied = 0;
  private documents = 0;
  private content = false;
  /** The CST list under `members:` that is being streamed, and how many entries it gave. */
  private streaming: CST.BlockSequence | undefined;
  private memberIndex = 0;
  /** The text after the last newline written so far. */
  private partialLine = "";

  constructor(private readonly sink: PieceSink) {}

  /** Feeds the next part of the text. */
  write(text: string): void {
    // The parser is fed whole lines: measured with yaml 2.9, a chunk that ends inside a line (for
    // all that `parse(…, true)` keeps "a part of the last line") makes it report errors that are not
    // in the file, and only at those cuts.
    const joined = this.partialLine + text;
    const cut = joined.lastIndexOf("\n") + 1;
    this.partialLine = joined.slice(cut);
    if (cut === 0) return;
    for (const token of this.parser.parse(joined.slice(0, cut), true)) this.topLevel(token);
    this.harvest();
  }

  /** Finishes the file; true when it held a document with content. */
  end(): boolean {
    for (const token of this.parser.parse(this.partialLine, false)) this.topLevel(token);
    this.partialLine = "";
    return this.content;
  }

  /** A token of the stream: a finished document, or something around documents. */
  private topLevel(token: Token): void {
    if (token.type === "error") throw new PieceSyntaxError(token.message, token.offset);
    if (token.type !== "document") return;
    if (++this.documents > 1)
      throw new PieceSyntaxError("the file holds more than one YAML document (a --- line)", token.offset);
    const value = token.value;
    if (value === undefined) return;
    if (value.type !== "block-map") {
      this.wholeDocument(token);
      return;
    }
    this.content = true;
    for (const item of value.items) this.pair(item as CST.BlockMap["items"][number], value.indent);
  }

  /**
   * Takes the complete parts out of the parser's CST: every top-level pair but the last, and every
   * entry but the last of a block list under `members:` being read.
   */
  private harvest(): void {
    const [doc, map, list] = this.parser.stack;
    if (doc?.type !== "document" || map?.type !== "block-map") return;
    this.content = true;
    while (map.items.length > 1) this.pair(map.items.shift() as CST.BlockMap["items"][number], map.indent);
    const last = map.items[0];
    if (list?.type !== "block-seq" || !last || keyOf(last) !== "members") return;
    if (this.streaming !== list) {
      this.topKey(last, "members");
      this.streaming = list;
    }
    while (list.items.length > 1)
      this.entry(list.items.shift() as CST.BlockSequence["items"][number], list.indent);
  }

  /** One complete top-level pair: a section composed whole, or the rest of a members list. */
  private pair(item: CST.BlockMap["items"][number], indent: number): void {
    if (!("key" in item) && !("sep" in item) && !item.value) return; // blank lines, comments
    const key = keyOf(item);
    const value = item.value;
    if (key === "members" && value?.type === "block-seq") {
      if (this.streaming !== value) this.topKey(item, key);
      for (const e of value.items) this.entry(e, value.indent);
      this.streaming = undefined;
      return;
    }
    const map: CST.BlockMap = { type: "block-map", offset: offsetOf(item), indent, items: [item] };
    const js = this.compose(map) as Record<string, unknown> | null;
    if (key !== undefined) this.topKey(item, key);
    for (const [k, v] of Object.entries(js ?? {})) {
      // A key that is not a scalar ("? [a, b]") is only known once composed.
      if (key === undefined) this.sink.topKey(k);
      this.sink.section(k, v);
    }
  }

  private topKey(item: Item, key: string): void {
    if (this.topKeys.has(key)) throw new PieceSyntaxError("Map keys must be unique", offsetOf(item));
    this.topKeys.add(key);
    this.sink.topKey(key);
  }

  /**
   * One entry of the members list (not the blank lines and comments between entries), composed as a
   * list of one so that an anchor or tag written after its `- ` stays with it.
   */
  private entry(item: CST.BlockSequence["items"][number], indent: number): void {
    const dash = item.start.find((t) => t.type === "seq-item-ind");
    if (!dash) return;
    const list: CST.BlockSequence = { type: "block-seq", offset: dash.offset, indent, items: [item] };
    const [member] = this.compose(list) as unknown[];
    this.sink.member(this.memberIndex++, member ?? null);
  }

  /** A document that is not a block mapping (a flow mapping, a list, a scalar): composed whole. */
  private wholeDocument(token: CST.Document): void {
    const value = this.compose(token.value as Token);
    if (value === null || value === undefined) return;
    this.content = true;
    if (typeof value !== "object" || Array.isArray(value)) {
      this.sink.notAMapping(Array.isArray(value) ? "a list" : `a ${typeof value}`);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      this.sink.topKey(k);
      if (k === "members" && Array.isArray(v)) for (const [i, m] of v.entries()) this.sink.member(i, m);
      else this.sink.section(k, v);
    }
  }

  /** Composes one CST piece as the package composes a document, and turns it into plain values. */
  private compose(token: Token): unknown {
    const docToken: CST.Document = {
      type: "document",
      offset: token.offset,
      start: [],
      value: token,
      end: [],
    };
    const composer = new Composer({ uniqueKeys: true });
    const [doc] = [...composer.compose([docToken], true)] as Document.Parsed[];
    if (!doc) return null;
    const error = doc.errors[0];
    if (error) throw new PieceSyntaxError(error.message.split("\n")[0] as string, error.pos[0]);
    this.bringInAnchors(doc);
    try {
      return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      throw new PieceSyntaxError((err as Error).message, token.offset);
    }
  }

  /** Aliases to anchors of earlier pieces become copies of those nodes; this piece's anchors are kept. */
  private bringInAnchors(doc: Document.Parsed): void {
    let aliases = false;
    const anchored: Node[] = [];
    visit(doc, {
      Node: (_key, node) => {
        if (isAlias(node)) aliases = true;
        else if (isNode(node) && node.anchor) anchored.push(node);
      },
    });
    if (aliases) visit(doc, { Alias: (_key, alias) => this.copyFor(doc, alias) });
    for (const node of anchored) this.anchors.set(node.anchor as string, node);
  }

  /** A copy of the earlier anchor an alias names, unless the alias resolves in its own piece. */
  private copyFor(doc: Document.Parsed, alias: Alias): Node | undefined {
    if (alias.resolve(doc) !== undefined) return undefined;
    const node = this.anchors.get(alias.source);
    if (node === undefined) return undefined; // toJS names the unknown anchor
    let n = 1;
    visit(node, {
      Node: () => {
        n++;
      },
    });
    this.copied += n;
    if (this.copied > MAX_COPIED_NODES)
      throw new PieceSyntaxError(
        `aliases to earlier anchors copy more than ${MAX_COPIED_NODES} nodes`,
        alias.range?.[0] ?? 0,
      );
    return node.clone() as Node;
  }
}

/** The key of a pair when it is a plain or quoted scalar. */
function keyOf(item: Item): string | undefined {
  const key = "key" in item ? item.key : undefined;
  if (
    !key ||
    (key.type !== "scalar" && key.type !== "single-quoted-scalar" && key.type !== "double-quoted-scalar")
  )
    return undefined;
  return CST.resolveAsScalar(key)?.value;
}

/** Where an item begins: its key, or its value. */
function offsetOf(item: Item): number {
  const key = "key" in item ? item.key : undefined;
  return key?.offset ?? item.value?.offset ?? item.start[0]?.offset ?? 0;
}
