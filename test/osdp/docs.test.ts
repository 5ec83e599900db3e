/** docs/osdp.md's tables and capture examples agree with the codec. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CMD, NAK_NAMES, REPLY } from "../../drivers/osdp/codes.js";
import { OsdpFrameReader } from "../../drivers/osdp/frameReader.js";
import { decodeReply } from "../../drivers/osdp/replies.js";
import { hexBytes } from "./trace.js";

const page = readFileSync(new URL("../../docs/osdp.md", import.meta.url), "utf8");

/** The rows of the table that follows a heading: its first two cells, backticks dropped. */
function tableAfter(heading: string): [string, string][] {
  const start = page.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`docs/osdp.md has no heading "${heading}"`);
  const rows: [string, string][] = [];
  for (const line of page.slice(start).split("\n").slice(1)) {
    if (rows.length > 0 && !line.startsWith("|")) break;
    const cells = line.split("|").map((c) => c.trim().replaceAll("`", ""));
    if (line.startsWith("|") && /^[0-9A-F]{2}$/.test(cells[1] ?? ""))
      rows.push([cells[1] ?? "", cells[2] ?? ""]);
  }
  return rows;
}

function named(codes: Record<string, number>): [string, string][] {
  return Object.entries(codes)
    .map(([name, code]): [string, string] => [code.toString(16).toUpperCase().padStart(2, "0"), name])
    .sort(([a], [b]) => a.localeCompare(b));
}

describe("docs/osdp.md", () => {
  it("lists every command the codec knows under its code (FMT in the prose, as deprecated)", () => {
    const { FMT: _fmt, ...sent } = CMD;
    expect(tableAfter("## The commands the gateway sends")).toEqual(named(sent));
    expect(page).toContain("`6C`, FMT, is deprecated");
  });

  it("lists every reply the codec knows under its code", () => {
    expect(tableAfter("## The replies and what they mean")).toEqual(named(REPLY));
  });

  it("lists every NAK code under the name the codec gives it", () => {
    const expected = Object.entries(NAK_NAMES).map(([code, name]): [string, string] => [
      Number(code).toString(16).toUpperCase().padStart(2, "0"),
      name,
    ]);
    expect(tableAfter("### NAK error codes")).toEqual(expected);
  });

  it("reads its capture examples as the prose says", () => {
    const blocks = [...page.matchAll(/^```\n([0-9a-f ]+)\n```$/gm)].map((m) => hexBytes(m[1] ?? ""));
    expect(blocks).toHaveLength(2);
    const [card, ack] = blocks.map((b) => new OsdpFrameReader().push(b)[0]);
    expect(card).toMatchObject({
      kind: "packet",
      packet: { address: 5, reply: true, sequence: 3, code: REPLY.RAW },
    });
    if (card?.kind === "packet") {
      expect(decodeReply(card.packet.code, card.packet.data)).toMatchObject({
        ok: true,
        value: { reader: 0, format: 1, bitCount: 26 },
      });
    }
    expect(ack).toMatchObject({
      kind: "packet",
      packet: { address: 101, sequence: 1, code: REPLY.ACK, scb: { type: 0x16 } },
    });
  });
});
