import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../../gateway/engine/index.js";

/** Rules of domain.md implemented outside the engine, and where. */
const OUTSIDE_ENGINE: Record<string, string> = {
  R14: "gateway/store/events.ts (recordDecision)",
  R17: "gateway/debounce.ts",
};

const UNIT = "test/unit";
const engineTests = readdirSync(UNIT)
  .filter((f) => f.startsWith("engine.") && f.endsWith(".test.ts"))
  .map((f) => ({ file: f, text: readFileSync(join(UNIT, f), "utf8") }));

/** A test title that names the rule: `"R8: …"`, `"R4/R6/R16: …"`, `"R9 (fifo): …"`. */
function namesRule(text: string, rule: string): boolean {
  return new RegExp(`["'\`](?:R\\d+/)*${rule}(?![0-9])[^"'\`\\n]*:`).test(text);
}

describe("the engine's rule table (style.md: a rule is found from its number)", () => {
  const ids = Array.from({ length: 21 }, (_, i) => `R${i + 1}`);

  it.each(ids)("%s of domain.md is in the engine's table or named as implemented elsewhere", (id) => {
    const inTable = id in RULES;
    expect(inTable || id in OUTSIDE_ENGINE, `${id} has no entry`).toBe(true);
    expect(inTable && id in OUTSIDE_ENGINE, `${id} is in both`).toBe(false);
  });

  it.each(Object.entries(RULES))("%s: the table names functions", (_id, fns) => {
    expect(fns.length).toBeGreaterThan(0);
    for (const fn of fns) expect(typeof fn).toBe("function");
  });

  it.each(Object.keys(RULES))("%s has an engine test whose title names it", (id) => {
    expect(engineTests.filter((t) => namesRule(t.text, id)).map((t) => t.file)).not.toEqual([]);
  });

  it.each([
    ['it("R8: OR within a list", () => {', "R8", true],
    ['it("R4/R6/R16: creditsRemaining is never negative", () => {', "R6", true],
    ['it.each(["fifo"])("R9 (%s): a full tie", (t) => {', "R9", true],
    ['it("R18: credits move", () => {', "R1", false],
    ['it("the R8 rule", () => {', "R8", false],
  ])("the title check itself: %s names %s: %s", (line, id, named) => {
    expect(namesRule(line, id)).toBe(named);
  });
});
