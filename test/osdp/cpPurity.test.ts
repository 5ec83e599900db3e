/**
 * Issue 13 §1: the control panel's state machines are pure (no timers, no clock, no I/O: the bus
 * hands in the time), and nothing in drivers/osdp reaches into the gateway (card bits out,
 * commands in, no member logic).
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const folder = new URL("../../drivers/osdp/", import.meta.url);
const source = (name: string) => readFileSync(new URL(name, folder), "utf8");
const importsOf = (text: string) =>
  [...text.matchAll(/^import\s[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1] ?? "");

const MACHINES = ["cpTypes", "pdCommands", "pdFacts", "pdMachine", "cpChannel", "nakPolicy"];

describe("the OSDP control panel", () => {
  it.each(MACHINES)("%s.ts imports only its neighbours and uses no timer or clock", (name) => {
    const text = source(`${name}.ts`);
    for (const from of importsOf(text))
      expect(from, `${name}.ts imports ${from}`).toMatch(/^\.\/[A-Za-z]+\.js$/);
    expect(text).not.toMatch(/\b(setTimeout|setInterval|setImmediate|Date\.now|new Date|process\.)/);
  });

  it("the bus takes its timers and clock handed in, and no file in drivers/osdp imports the gateway", () => {
    expect(source("osdpBus.ts")).not.toMatch(/(?<![.\w])(setTimeout|setInterval|Date\.now|new Date)\b/);
    for (const file of readdirSync(folder).filter((f) => f.endsWith(".ts")))
      for (const from of importsOf(source(file)))
        expect(from, `${file} imports ${from}`).not.toMatch(/gateway\//);
  });
});
