import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadDataFiles } from "../../config/dataFile.js";
import { REASON_CODES } from "../../config/protocol/reasons.js";

// The reason codes come from the code, so the page cannot drift from it.
const rules = readFileSync("docs/rules.md", "utf8");

/** The first YAML example after a heading of docs/rules.md. */
function yamlAfter(heading: string): string {
  const from = rules.indexOf(heading);
  return rules.slice(from).match(/```yaml\n([\s\S]*?)```/)?.[1] ?? "";
}

describe("docs/rules.md's examples are files the gateway imports", () => {
  it("imports the site configuration and the member data together, without a problem", () => {
    const inputs = [
      { name: "site.yaml", text: yamlAfter("## Site configuration") },
      { name: "members.yaml", text: yamlAfter("## Member data") },
    ];
    const files = loadDataFiles(inputs, null, () => undefined);
    expect(files.map((f) => [f.name, Object.keys(f.data).sort()])).toEqual([
      ["site.yaml", ["accessTypes", "areas", "cardModels", "limits", "products", "site"]],
      ["members.yaml", ["members"]],
    ]);
  });
});

describe("docs/rules.md explains every reason code", () => {
  it.each(REASON_CODES)("`%s`: what it means and what staff should do", (reason) => {
    expect(rules).toMatch(
      new RegExp(`^\\| \`${reason}\` +\\| (grant|deny) +\\| \\w[^|]+\\| \\w[^|]+\\|$`, "m"),
    );
  });

  it.each(Array.from({ length: 21 }, (_, i) => `R${i + 1}`))("has a section for %s", (rule) => {
    expect(rules).toMatch(new RegExp(`^### ${rule} `, "m"));
  });

  it("R21: documents card and PIN, its reader options and the lock-out, and nothing is left as not yet", () => {
    expect(rules).toMatch(/^### R20 Home site$/m);
    expect(rules).toMatch(/^### R21 Card and PIN$/m);
    for (const words of [
      "pinTimeoutSeconds",
      "pin: { windows",
      "5 wrong PINs",
      "15 minutes",
      "Exits never ask",
    ])
      expect(rules).toContain(words);
    expect(rules).not.toContain("not yet in this version");
  });
});
