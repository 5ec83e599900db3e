/**
 * docs/osdp.md's secure channel section says what the code does: its install-mode table is run
 * row by row through the two handshake machines, its failure table names every failure code, and
 * SCBK-D is spelled as the code has it.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SCBK_D, SECURE_FAILURE_CODES } from "../../drivers/osdp/secureChannel.js";
import { CpHandshake, PdHandshake } from "../../drivers/osdp/secureHandshake.js";
import { runHandshake } from "../osdp/sessions.js";

const text = readFileSync("docs/osdp.md", "utf8");
const KEY = Uint8Array.from({ length: 16 }, (_, i) => i);
const OTHER = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 - i);
const UID = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);

/** The body rows of the markdown table whose header row starts with `first`. */
function tableRows(first: string): string[][] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.split("|")[1]?.trim() === first);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

/** What a whole handshake between a CP and a PD ends in: "scbk", "scbk-d" or a failure code. */
function outcome(cp: CpHandshake, pd: PdHandshake): string {
  const result = runHandshake(cp, pd);
  return result.ok ? result.pd.keyMode : result.code;
}

describe("docs/osdp.md, secure channel", () => {
  const rows = tableRows("gateway has a key for the reader");

  it("has the install-mode table with its six cases", () => {
    expect(rows).toHaveLength(6);
  });

  it.each(rows.map((r) => [r.join(" / "), r] as const))(
    "the install-mode row %s is what the handshake does",
    (_n, row) => {
      const [gatewayKey, readerKey, install, result] = row as [string, string, string, string];
      const pdKey = readerKey.startsWith("no") ? null : readerKey.includes("different") ? OTHER : KEY;
      const modes = install === "either" ? [true, false] : [install === "yes"];
      const expected = result.match(/`(SC_[A-Z_]+)`/)?.[1] ?? (result.includes("SCBK-D") ? "scbk-d" : "scbk");
      for (const installMode of modes) {
        const cp = new CpHandshake({ scbk: gatewayKey === "yes" ? KEY : null });
        const pd = new PdHandshake({ scbk: pdKey, installMode, clientUid: UID });
        expect(outcome(cp, pd), `install mode ${installMode}`).toBe(expected);
      }
    },
  );

  it("the failure table names every failure code the secure channel gives, and nothing else", () => {
    const codes = tableRows("code").map((r) => r[0]?.replace(/`/g, ""));
    expect([...codes].sort()).toEqual([...SECURE_FAILURE_CODES].sort());
  });

  it("spells SCBK-D as the code has it", () => {
    expect(text).toContain("`30 31 32 … 3F`");
    expect(SCBK_D[0]).toBe(0x30);
    expect(SCBK_D[15]).toBe(0x3f);
  });
});
