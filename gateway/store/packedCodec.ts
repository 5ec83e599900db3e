/**
 * Issue 12 §3, migration 16: a multipack's ledger entries and a member's visits each stored as one
 * compact binary value instead of a row apiece. Pure functions over bytes; packedHistory.ts reads
 * and writes them. Layout (all integers LEB128 varints, signed ones zigzag):
 *
 *   pack   = version(1) count entry*
 *   ledger entry = flags id Δat amount [origin] [area accessType]
 *   visit  entry = flags id Δat credits [area accessType] [multipack product] [site]
 *
 * Ids are front-coded against the entry before (bytes shared with it, then the rest as UTF-8):
 * entry ids of one multipack or member share most of their text. Instants are the difference from
 * the entry before, in seconds when whole (in milliseconds otherwise, a flag says). Areas, access
 * types, products, sites and origins are codes of the cache's dictionary (packedCodes.ts), 0 for
 * null and the code plus one otherwise where null is allowed. A field in brackets is left out when
 * a flag says it is the same as the entry before's.
 */
import type { LedgerKind } from "../../config/members.js";
import { corrupt, IdChain, In, Out } from "./packedBytes.js";

/** The dictionary of short texts a pack refers to by number. */
export interface CodeBook {
  /** The code of a text, given one when new. */
  code(text: string): number;
  /** The text of a code. */
  text(code: number): string;
}

/** One ledger entry as stored (R16), `at` in ms. */
export interface PackedEntry {
  id: string;
  amount: number;
  at: number;
  area: string | null;
  accessType: string | null;
  kind: LedgerKind;
  origin: string;
}

/** One counted visit as stored (sync.md), `at` in ms; `site` null for this gateway's own site (R20). */
export interface PackedVisit {
  id: string;
  at: number;
  multipack: string | null;
  product: string | null;
  accessType: string | null;
  area: string;
  credits: number;
  site: string | null;
  undone: boolean;
  /** Recorded here and not yet listed by a member document. */
  local: boolean;
}

const VERSION = 1;
const KINDS: readonly LedgerKind[] = ["usage", "refund", "deduction", "addition"];
/** Instants beyond ±2^50 ms (±35,000 years) would overflow a double once differenced and zigzagged. */
const MAX_AT = 2 ** 50;

// Ledger entry flags: bits 0–1 the kind.
const L_MS = 4;
const L_SAME_ORIGIN = 8;
/** Area and access type as the entry before (most of a multipack's entries are at one place). */
const L_SAME_PLACE = 16;
// Visit flags.
const V_MS = 1;
const V_UNDONE = 2;
const V_LOCAL = 4;
const V_SAME_PLACE = 8;
/** Multipack and product as the visit before (a member's visits run on one pack at a time). */
const V_SAME_PACK = 16;
const V_SAME_SITE = 32;

/** Whether the instant's difference from the one before needs milliseconds (the flag L_MS / V_MS). */
function inMs(at: number, prev: number): boolean {
  if (!Number.isSafeInteger(at) || Math.abs(at) > MAX_AT) throw corrupt(`the instant ${at} cannot be stored`);
  return (at - prev) % 1000 !== 0;
}

function writeAt(out: Out, at: number, prev: number, ms: boolean): void {
  out.int(ms ? at - prev : (at - prev) / 1000);
}

function readAt(input: In, prev: number, ms: boolean): number {
  const delta = input.int();
  return prev + (ms ? delta : delta * 1000);
}

/** A text that may be null: 0, or its code plus one. */
function writeOpt(out: Out, text: string | null, codes: CodeBook): void {
  out.uint(text === null ? 0 : codes.code(text) + 1);
}

function readOpt(input: In, codes: CodeBook): string | null {
  const c = input.uint();
  return c === 0 ? null : codes.text(c - 1);
}

/** Packs a multipack's ledger entries, in the order given (readers sort as they need). */
export function encodeLedger(entries: readonly PackedEntry[], codes: CodeBook): Buffer {
  const out = new Out();
  out.uint(VERSION);
  out.uint(entries.length);
  const ids = new IdChain();
  let prevAt = 0;
  let prevOrigin: string | null = null;
  let prevArea: string | null = null;
  let prevAccess: string | null = null;
  for (const e of entries) {
    const kind = KINDS.indexOf(e.kind);
    if (kind < 0) throw corrupt(`unknown ledger kind ${e.kind}`);
    const ms = inMs(e.at, prevAt);
    const samePlace = e.area === prevArea && e.accessType === prevAccess;
    out.uint(
      kind | (ms ? L_MS : 0) | (e.origin === prevOrigin ? L_SAME_ORIGIN : 0) | (samePlace ? L_SAME_PLACE : 0),
    );
    ids.write(out, e.id);
    writeAt(out, e.at, prevAt, ms);
    out.int(e.amount);
    if (e.origin !== prevOrigin) out.uint(codes.code(e.origin));
    if (!samePlace) {
      writeOpt(out, e.area, codes);
      writeOpt(out, e.accessType, codes);
    }
    prevAt = e.at;
    prevOrigin = e.origin;
    prevArea = e.area;
    prevAccess = e.accessType;
  }
  return out.done();
}

/** Unpacks what encodeLedger packed (the first `limit` entries only, when given). */
export function decodeLedger(
  blob: Uint8Array,
  codes: CodeBook,
  limit = Number.POSITIVE_INFINITY,
): PackedEntry[] {
  const input = new In(blob);
  if (input.uint() !== VERSION) throw corrupt("unknown ledger pack version");
  const n = Math.min(input.uint(), limit);
  const ids = new IdChain();
  const out: PackedEntry[] = [];
  let at = 0;
  let origin = "";
  let area: string | null = null;
  let accessType: string | null = null;
  for (let i = 0; i < n; i++) {
    const flags = input.uint();
    const id = ids.read(input);
    at = readAt(input, at, (flags & L_MS) !== 0);
    const amount = input.int();
    if ((flags & L_SAME_ORIGIN) === 0) origin = codes.text(input.uint());
    if ((flags & L_SAME_PLACE) === 0) {
      area = readOpt(input, codes);
      accessType = readOpt(input, codes);
    }
    out.push({ id, amount, at, area, accessType, kind: KINDS[flags & 3] as LedgerKind, origin });
  }
  return out;
}

/** Packs a member's visits; they must be newest first (sortVisits), so a reader can stop early. */
export function encodeVisits(visits: readonly PackedVisit[], codes: CodeBook): Buffer {
  const out = new Out();
  out.uint(VERSION);
  out.uint(visits.length);
  const ids = new IdChain();
  const packs = new IdChain();
  let prevAt = 0;
  // Before the first visit nothing is "as before": its place is always written.
  let prev: PackedVisit | null = null;
  for (const v of visits) {
    const ms = inMs(v.at, prevAt);
    const samePlace = prev !== null && v.area === prev.area && v.accessType === prev.accessType;
    const samePack = v.multipack === (prev?.multipack ?? null) && v.product === (prev?.product ?? null);
    const sameSite = v.site === (prev?.site ?? null);
    out.uint(
      (ms ? V_MS : 0) |
        (v.undone ? V_UNDONE : 0) |
        (v.local ? V_LOCAL : 0) |
        (samePlace ? V_SAME_PLACE : 0) |
        (samePack ? V_SAME_PACK : 0) |
        (sameSite ? V_SAME_SITE : 0),
    );
    ids.write(out, v.id);
    writeAt(out, v.at, prevAt, ms);
    out.int(v.credits);
    if (!samePlace) {
      out.uint(codes.code(v.area));
      writeOpt(out, v.accessType, codes);
    }
    if (!samePack) {
      out.uint(v.multipack === null ? 0 : 1);
      if (v.multipack !== null) packs.write(out, v.multipack);
      writeOpt(out, v.product, codes);
    }
    if (!sameSite) writeOpt(out, v.site, codes);
    prevAt = v.at;
    prev = v;
  }
  return out.done();
}

/** How many entries a pack (ledger or visits) holds, read from its header. */
export function packedCount(blob: Uint8Array): number {
  const input = new In(blob);
  input.uint();
  return input.uint();
}

/**
 * Unpacks a member's visits, newest first. With `since`, stops at the first visit before it: the
 * rules need nothing older (R5, R7, R8), and most of a member's visits are never decoded.
 */
export function decodeVisits(
  blob: Uint8Array,
  codes: CodeBook,
  since = Number.NEGATIVE_INFINITY,
): PackedVisit[] {
  const input = new In(blob);
  if (input.uint() !== VERSION) throw corrupt("unknown visit pack version");
  const n = input.uint();
  const ids = new IdChain();
  const packs = new IdChain();
  const out: PackedVisit[] = [];
  let at = 0;
  let area = "";
  let accessType: string | null = null;
  let multipack: string | null = null;
  let product: string | null = null;
  let site: string | null = null;
  for (let i = 0; i < n; i++) {
    const flags = input.uint();
    const id = ids.read(input);
    at = readAt(input, at, (flags & V_MS) !== 0);
    if (at < since) break;
    const credits = input.int();
    if ((flags & V_SAME_PLACE) === 0) {
      area = codes.text(input.uint());
      accessType = readOpt(input, codes);
    }
    if ((flags & V_SAME_PACK) === 0) {
      multipack = input.uint() === 1 ? packs.read(input) : null;
      product = readOpt(input, codes);
    }
    if ((flags & V_SAME_SITE) === 0) site = readOpt(input, codes);
    out.push({
      id,
      at,
      multipack,
      product,
      accessType,
      area,
      credits,
      site,
      undone: (flags & V_UNDONE) !== 0,
      local: (flags & V_LOCAL) !== 0,
    });
  }
  return out;
}

/** SQLite's text order (the bytes of the UTF-8), which the visits' old key (member, at, id) used. */
export function compareIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Sorts visits newest first, ties by id descending: the reverse of the old key's order. */
export function sortVisits(visits: PackedVisit[]): PackedVisit[] {
  return visits.sort((x, y) => y.at - x.at || compareIds(y.id, x.id));
}
