import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REASON_CODES } from "../../config/protocol/reasons.js";
import { VERBS } from "../../gateway/cliVerbs.js";
import { DECISION_FIELDS } from "../helpers/decisionFields.js";

// The lists come from the code (the verb table, the reason codes), so the docs cannot drift from it.
const cli = readFileSync("docs/cli.md", "utf8");

/** The text of docs/cli.md under the heading of a verb, up to the next heading. */
function verbSection(verb: string): string | undefined {
  const start = cli.search(new RegExp(`^### \`accessgw ${verb}\\b`, "m"));
  if (start < 0) return undefined;
  const rest = cli.slice(cli.indexOf("\n", start) + 1);
  const end = rest.search(/^#{1,3} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

describe("docs/cli.md documents the command line the code has", () => {
  it.each(VERBS.map((v) => v.name))("has a section for `accessgw %s`", (verb) => {
    expect(verbSection(verb)).toBeDefined();
  });

  it.each(
    VERBS.filter((v) => Object.keys(v.takes).length > 0).map((v) => [v.name, Object.keys(v.takes)] as const),
  )("names every flag `accessgw %s` takes in its section", (verb, flags) => {
    const section = verbSection(verb) ?? "";
    for (const flag of flags) expect(section, `--${flag}`).toMatch(new RegExp(`--${flag}\\b`));
  });

  it("names --help, --version and every exit code", () => {
    expect(cli).toContain("`accessgw --version`");
    expect(cli).toContain("`--help`, `-h`");
    for (const code of [0, 1, 2, 3, 4]) expect(cli).toMatch(new RegExp(`^\\| ${code} +\\| \\S`, "m"));
  });

  it("lists every reason code", () => {
    for (const reason of REASON_CODES) expect(cli).toContain(`\`${reason}\``);
  });

  it("describes every field of the decision JSON and shows them all in its example", () => {
    for (const field of DECISION_FIELDS) expect(cli).toMatch(new RegExp(`^\\| .*\`${field}\``, "m"));
    const example = cli.match(/## The decision JSON[\s\S]*?```json\n([\s\S]*?)```/)?.[1] ?? "{}";
    expect(Object.keys(JSON.parse(example)).sort()).toEqual([...DECISION_FIELDS].sort());
  });
});
