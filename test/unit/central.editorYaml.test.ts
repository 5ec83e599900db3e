/**
 * Saving a draft into the site configuration's YAML (issue 11 §2): only the lines of what changed
 * are rewritten; comments, layout and the members a file may also hold stay as they were.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { diffArrays } from "diff";
import { describe, expect } from "vitest";
import { parse } from "yaml";
import type { SiteSections } from "../../central/editor/editorApi.js";
import { draftIntoJson, draftIntoYaml, SECTIONS, writeAtomically } from "../../central/editor/yamlSave.js";
import { test as it } from "../harness/index.js";
import { exampleText } from "../helpers/examples.js";

const SITE = exampleText("site.yaml");

/** The example's sections as plain data, for a test to edit. */
function sectionsOf(text: string): SiteSections {
  const doc = parse(text) as Record<string, unknown>;
  return Object.fromEntries(
    SECTIONS.map((s) => [s, doc[s] ?? (s === "site" ? {} : [])]),
  ) as unknown as SiteSections;
}

/** The lines a line diff from `before` to `after` removes and adds, in order. */
function changedLines(before: string, after: string): { gone: string[]; added: string[] } {
  const parts = diffArrays(before.split("\n"), after.split("\n"));
  return {
    gone: parts.filter((p) => p.removed).flatMap((p) => p.value),
    added: parts.filter((p) => p.added).flatMap((p) => p.value),
  };
}

describe("saving a draft into the YAML file", () => {
  it("a changed window time and item cost rewrite their lines only; the comments stay", () => {
    const draft = sectionsOf(SITE);
    (draft.accessTypes[1]?.windows[0] as { from: string }).from = "06:30";
    (draft.products[0]?.items[0] as { credits: number }).credits = 2;
    const out = draftIntoYaml(SITE, draft);
    expect(changedLines(SITE, out)).toEqual({
      gone: [
        '      - { days: [mon, tue, wed, thu, fri], from: "07:00", to: "17:00" }',
        "      - { accessType: pool-offpeak, credits: 1, priority: 1 }",
      ],
      added: [
        '      - { days: [mon, tue, wed, thu, fri], from: "06:30", to: "17:00" }',
        "      - { accessType: pool-offpeak, credits: 2, priority: 1 }",
      ],
    });
    expect(out).toContain("# Easter Monday");
    expect(out.split("\n")).toHaveLength(SITE.split("\n").length);
  });

  it("an access type added, a limit removed, a holiday added: those lines change, the file reads back as the draft", () => {
    const draft = sectionsOf(SITE);
    draft.accessTypes.push({
      id: "sauna",
      areas: ["gym"],
      windows: [{ days: ["sat"], from: "10:00", to: "12:00" }],
    });
    draft.limits = [];
    draft.site.holidays = ["2027-03-29", "2027-12-25"];
    const out = draftIntoYaml(SITE, draft);
    expect(parse(out)).toEqual({ ...draft, cardModels: undefined });
    const { gone, added } = changedLines(SITE, out);
    expect(gone).toEqual([
      '  holidays: ["2027-03-29"] # Easter Monday',
      "limits:",
      "  - id: studio-3-a-week",
      "    amount: 3",
      "    period: week",
      "    areas: [studio]",
    ]);
    expect(added).toEqual([
      '  holidays: ["2027-03-29", "2027-12-25"] # Easter Monday',
      "  - id: sauna",
      "    areas: [gym]",
      '    windows: [{ days: [sat], from: "10:00", to: "12:00" }]',
      "limits: []",
    ]);
  });

  it("members kept in the same file are left exactly as they were", () => {
    const both = `${SITE}${exampleText("members.yaml")}`;
    const draft = sectionsOf(both);
    (draft.areas[2] as { capacity: number }).capacity = 3;
    const out = draftIntoYaml(both, draft);
    expect(out.endsWith(exampleText("members.yaml"))).toBe(true);
    expect(changedLines(both, out)).toEqual({ gone: ["    capacity: 2"], added: ["    capacity: 3"] });
  });

  it("a JSON site configuration stays JSON, indented as it was, its other sections untouched", () => {
    const both = { ...(parse(SITE) as object), members: parse(exampleText("members.yaml")).members };
    const text = `${JSON.stringify(both, null, 4)}\n`;
    const draft = sectionsOf(text);
    (draft.areas[2] as { capacity: number }).capacity = 3;
    const out = draftIntoJson(text, draft);
    expect(JSON.parse(out)).toEqual({ ...both, areas: draft.areas });
    expect(changedLines(text, out)).toEqual({
      gone: ['            "capacity": 2'],
      added: ['            "capacity": 3'],
    });
  });

  it("the file is replaced whole, keeping its mode, with no temporary file left beside it", ({ folder }) => {
    const file = join(folder.dir, "site.yaml");
    writeFileSync(file, SITE, { mode: 0o640 });
    writeAtomically(file, "site: {}\n");
    expect(readFileSync(file, "utf8")).toBe("site: {}\n");
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(folder.dir)).toEqual(["site.yaml"]);
  });
});
