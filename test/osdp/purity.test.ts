/**
 * The OSDP wire layer is pure (issue 13 §1, the developers' guide): no I/O, no timers, no clock,
 * nothing from the gateway. The transport and the poll loop bring those in from outside.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const WIRE_FILES = ["crc", "packet", "frameReader", "codes", "payload", "commands", "replies"];

describe("drivers/osdp's wire layer", () => {
  it.each(WIRE_FILES)("%s.ts imports only its neighbours and uses no timer or clock", (name) => {
    const source = readFileSync(new URL(`../../drivers/osdp/${name}.ts`, import.meta.url), "utf8");
    const imports = [...source.matchAll(/^import\s[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]);
    for (const from of imports) expect(from, `${name}.ts imports ${from}`).toMatch(/^\.\/[A-Za-z]+\.js$/);
    expect(source).not.toMatch(/\b(setTimeout|setInterval|setImmediate|Date\.now|new Date|process\.)/);
  });
});
