/**
 * The chain file of `accessgw central --chain` (docs/central.md "Chains"): its sites and the members
 * file they share, file names relative to the chain file; a bad file is refused with every problem
 * naming file and field.
 */
import { join } from "node:path";
import { describe, expect } from "vitest";
import { readChainFile } from "../../config/chain.js";
import { it } from "../harness/index.js";

describe("the chain file", () => {
  it("R20: lists the sites with their configurations and the members they share, resolved against its folder", ({
    folder: { dir },
    writeFile,
  }) => {
    const file = writeFile(
      "chain.yaml",
      "members: members.yaml\nsites:\n  - { id: rome-center, siteConfig: rome.yaml }\n  - { id: rome-north, siteConfig: sub/north.yaml }\n",
    );
    expect(readChainFile(file)).toEqual({
      chain: {
        membersFile: join(dir, "members.yaml"),
        sites: [
          { id: "rome-center", siteConfigFile: join(dir, "rome.yaml") },
          { id: "rome-north", siteConfigFile: join(dir, "sub", "north.yaml") },
        ],
      },
      problems: [],
    });
  });

  it("reads JSON as well, and keeps absolute file names", ({ writeFile }) => {
    const file = writeFile(
      "chain.json",
      JSON.stringify({
        members: "/srv/members.yaml",
        sites: [{ id: "rome-center", siteConfig: "/srv/rome.yaml" }],
      }),
    );
    expect(readChainFile(file).chain).toEqual({
      membersFile: "/srv/members.yaml",
      sites: [{ id: "rome-center", siteConfigFile: "/srv/rome.yaml" }],
    });
  });

  it("refuses a bad id, an unknown field and a missing members file, naming each", ({ writeFile }) => {
    const file = writeFile(
      "chain.yaml",
      [
        "sites:",
        "  - { id: rome-center, siteConfig: rome.yaml }",
        "  - { id: 'north club', siteConfig: north.yaml, colour: red }",
        "",
      ].join("\n"),
    );
    const r = readChainFile(file);
    expect(r.chain).toBeNull();
    expect(r.problems).toEqual([
      `${file}: members: missing (string expected)`,
      `${file}: sites[1] ("north club").id: expected an id of letters, digits and . _ : @ - (found "north club")`,
      `${file}: sites[1] ("north club"): unknown field "colour"`,
    ]);
  });

  it("refuses a site listed twice, naming it", ({ writeFile }) => {
    const file = writeFile(
      "chain.yaml",
      "members: m.yaml\nsites:\n  - { id: rome-center, siteConfig: a.yaml }\n  - { id: rome-center, siteConfig: b.yaml }\n",
    );
    expect(readChainFile(file).problems).toEqual([
      `${file}: sites[1] (rome-center).id: another site of the chain has this id (found "rome-center")`,
    ]);
  });

  it("refuses an empty chain, an empty file, bad YAML and a file that cannot be read", ({ writeFile }) => {
    const none = writeFile("none.yaml", "members: m.yaml\nsites: []\n");
    expect(readChainFile(none).problems).toEqual([`${none}: sites: expected at least one site`]);
    const empty = writeFile("empty.yaml", "# nothing yet\n");
    expect(readChainFile(empty).problems).toEqual([`${empty}: empty file: expected members and sites`]);
    const broken = writeFile("broken.yaml", "members: [m.yaml\n");
    expect(readChainFile(broken).problems[0]).toMatch(/broken\.yaml \(line \d+, column \d+\): /);
    expect(readChainFile(`${none}.missing`).problems).toHaveLength(1);
    expect(readChainFile(`${none}.missing`).chain).toBeNull();
  });
});
