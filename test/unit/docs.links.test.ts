import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The product's own documentation: what a user of the product reads, without the specs beside it. */
const PAGES = [
  "README.md",
  ...readdirSync(join(ROOT, "docs")).flatMap((f) => (f.endsWith(".md") ? [`docs/${f}`] : [])),
];

/** The text of a page without its fenced code blocks (examples may hold brackets and parentheses). */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[\s\S]*?^\1/gm, "");
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of a markdown page's headings, numbered as GitHub numbers repeated ones. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(text).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = slug(m[1] as string);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/**
 * What is wrong with the links of a page (a path relative to the repository): a link that leaves
 * the repository (a web address or a path above its root), a file that does not exist, or an anchor
 * no heading of the target has.
 */
function linkProblems(page: string, text: string): string[] {
  const problems: string[] = [];
  const body = prose(text);
  const targets = [
    ...[...body.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] as string),
    ...[...body.matchAll(/<([a-z][a-z0-9+.-]*:[^>\s]+)>/gi)].map((m) => m[1] as string),
  ];
  for (const target of targets) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
      problems.push(`${page}: ${target} leaves the repository`);
      continue;
    }
    const [path = "", anchor] = target.split("#");
    const file = path === "" ? join(ROOT, page) : resolve(ROOT, dirname(page), path);
    const inside = relative(ROOT, file);
    if (inside.startsWith(`..${sep}`) || inside === ".." || resolve(file) === resolve(ROOT, "..")) {
      problems.push(`${page}: ${target} leaves the repository`);
      continue;
    }
    if (!existsSync(file)) {
      problems.push(`${page}: ${target}: no such file ${inside}`);
      continue;
    }
    if (anchor !== undefined && file.endsWith(".md") && statSync(file).isFile()) {
      if (!anchors(readFileSync(file, "utf8")).has(anchor))
        problems.push(`${page}: ${target}: ${inside} has no heading #${anchor}`);
    }
  }
  return problems;
}

describe("README.md and docs/ stand on their own", () => {
  it("has the pages the README promises: rules, command line, doors and sync", () => {
    for (const page of ["docs/rules.md", "docs/cli.md", "docs/doors.md", "docs/sync.md"])
      expect(PAGES).toContain(page);
  });

  it.each(PAGES)("%s links only to files of the repository that exist, and to headings they have", (page) => {
    expect(linkProblems(page, readFileSync(join(ROOT, page), "utf8"))).toEqual([]);
  });

  it("names what is wrong with a link that leaves the repository, a missing file or a missing heading", () => {
    const text = [
      "The [rules](../../shared/spec/domain.md), the [vendor](https://example.com/manual), <mailto:x@example.com>,",
      "a [gone page](nowhere.md), a [bad anchor](cli.md#no-such-heading), [fine](cli.md#the-decision-json),",
      "[the README](../README.md), and [one](#words) of this page's own headings.",
      "```md",
      "[inside a code block](../../ignored.md)",
      "```",
    ].join("\n");
    expect(linkProblems("docs/rules.md", text)).toEqual([
      "docs/rules.md: ../../shared/spec/domain.md leaves the repository",
      "docs/rules.md: https://example.com/manual leaves the repository",
      "docs/rules.md: nowhere.md: no such file docs/nowhere.md",
      "docs/rules.md: cli.md#no-such-heading: docs/cli.md has no heading #no-such-heading",
      "docs/rules.md: mailto:x@example.com leaves the repository",
    ]);
  });

  it("refuses the README's old links to the specs beside the repository", () => {
    expect(linkProblems("README.md", "the rules of [`domain.md`](../shared/spec/domain.md)")).toEqual([
      "README.md: ../shared/spec/domain.md leaves the repository",
    ]);
  });

  it("makes anchors as GitHub does", () => {
    expect(slug("Card number conversion (`cardNumber`)")).toBe("card-number-conversion-cardnumber");
    expect(slug("Sites with several gateways — not yet in this version")).toBe(
      "sites-with-several-gateways--not-yet-in-this-version",
    );
    expect([...anchors("# A\n## B\n## B\n```\n# not a heading\n```\n")]).toEqual(["a", "b", "b-1"]);
  });
});
