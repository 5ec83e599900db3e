/**
 * The README's console pictures (issue 11, acceptance): every image it shows is a committed file of
 * the repository, a PNG, small; they are the ones `npm run screenshots` copies, and no copied
 * picture lies in docs/screenshots/ unseen.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CHOSEN, MAX_BYTES } from "../../scripts/screenshots.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The images a markdown text shows: `![alt](path)` and `<img src="path">`, outside code blocks. */
function imageTargets(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, "");
  return [
    ...[...prose.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] as string),
    ...[...prose.matchAll(/<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1] as string),
  ];
}

/** What is wrong with one image target of the README: outside the repository, missing, not a small PNG. */
function imageProblem(target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("/")) return `${target}: not a relative path`;
  const file = resolve(ROOT, target);
  if (relative(ROOT, file).startsWith(`..${sep}`)) return `${target}: leaves the repository`;
  if (!existsSync(file)) return `${target}: no such file`;
  if (!readFileSync(file).subarray(0, 8).equals(PNG_SIGNATURE)) return `${target}: not a PNG`;
  if (statSync(file).size > MAX_BYTES) return `${target}: ${statSync(file).size} bytes, over ${MAX_BYTES}`;
  return undefined;
}

describe("the README's screenshots", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const images = imageTargets(readme);

  it("shows a few pictures: 3 to 5, of the console and the editor", () => {
    expect(images.length).toBeGreaterThanOrEqual(3);
    expect(images.length).toBeLessThanOrEqual(5);
  });

  it("links only images that exist in the repository, as small PNGs", () => {
    expect(images.map(imageProblem).filter((p) => p !== undefined)).toEqual([]);
  });

  it("shows exactly the pictures npm run screenshots copies, and docs/screenshots/ holds no other", () => {
    const copied = CHOSEN.map((c) => `docs/screenshots/${c.to}`).sort();
    expect([...images].sort()).toEqual(copied);
    expect(
      readdirSync(join(ROOT, "docs", "screenshots"))
        .map((f) => `docs/screenshots/${f}`)
        .sort(),
    ).toEqual(copied);
  });

  it("names what is wrong with a picture that is missing, remote or outside the repository", () => {
    const text = [
      '![a](docs/screenshots/none.png) <img src="https://example.com/x.png"> ![b](../outside.png)',
      "```",
      "![in code](ignored.png)",
      "```",
    ].join("\n");
    expect(imageTargets(text).map(imageProblem)).toEqual([
      "docs/screenshots/none.png: no such file",
      "../outside.png: leaves the repository",
      "https://example.com/x.png: not a relative path",
    ]);
  });
});
