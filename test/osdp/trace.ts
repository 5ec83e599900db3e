/**
 * Reads the OSDP known-answer traces in test/fixtures/osdp/ (captured from libosdp's own control
 * panel and peripheral device talking over a pseudo-terminal pair). Each block is a header line
 * `< length=N from=A to=B` (`<` control panel → PD, `>` PD → control panel) and a line of hex bytes.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Who sent a block: the control panel (`<`) or the peripheral device (`>`). */
export type TraceDirection = "cp" | "pd";

/** One captured block: its bytes exactly as on the wire (the control panel's mark byte included). */
export interface TraceBlock {
  direction: TraceDirection;
  /** 1-based line of the block's header, for failure messages. */
  line: number;
  bytes: Uint8Array;
}

/** The traces that ship with the tests. */
export type TraceName = "libosdp-plain-trace.txt" | "libosdp-sc-trace.txt";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/osdp");

/** Reads a trace from test/fixtures/osdp/ into its blocks. */
export function readTrace(name: TraceName): TraceBlock[] {
  return parseTrace(readFileSync(join(FIXTURES, name), "utf8"));
}

/** Parses a trace's text; throws when a header's length does not match its bytes (a damaged fixture). */
export function parseTrace(text: string): TraceBlock[] {
  const lines = text.split("\n");
  const blocks: TraceBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const header = /^([<>]) length=(\d+)\b/.exec(lines[i] ?? "");
    if (!header) continue;
    const hex = (lines[i + 1] ?? "").trim().split(/\s+/).filter(Boolean);
    const bytes = Uint8Array.from(hex, (h) => Number.parseInt(h, 16));
    if (bytes.length !== Number(header[2]) || hex.some((h) => !/^[0-9a-f]{2}$/i.test(h))) {
      throw new Error(`trace line ${i + 2}: expected ${header[2]} hex bytes, found "${lines[i + 1] ?? ""}"`);
    }
    blocks.push({ direction: header[1] === "<" ? "cp" : "pd", line: i + 1, bytes });
  }
  return blocks;
}

/** A block's bytes without the control panel's leading 0xFF mark byte (the packet alone). */
export function withoutMark(block: TraceBlock): Uint8Array {
  return block.bytes[0] === 0xff ? block.bytes.subarray(1) : block.bytes;
}

/** Bytes from hex text (spaces allowed, or none), for fixtures written inline in tests. */
export function hexBytes(hex: string): Uint8Array {
  const digits = hex.replace(/\s+/g, "");
  if (!/^([0-9a-f]{2})*$/i.test(digits)) throw new Error(`not hex bytes: "${hex}"`);
  return Uint8Array.from(Buffer.from(digits, "hex"));
}
