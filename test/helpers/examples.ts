import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** The folder of the spec's worked example (site.yaml, members.yaml, steps.yaml). */
export const EXAMPLES = fileURLToPath(new URL("../fixtures/examples/", import.meta.url));

/** The text of one example file. */
export function exampleText(file: string): string {
  return readFileSync(`${EXAMPLES}${file}`, "utf8");
}

/** One example file parsed as YAML: a fresh object on every call, so tests may edit it. */
export function exampleDoc<T = Record<string, unknown>>(file: string): T {
  return parse(exampleText(file)) as T;
}

/** Writes the worked example's site.yaml and members.yaml into `dir`; returns their paths. */
export function writeExamples(dir: string): { siteFile: string; membersFile: string } {
  const siteFile = join(dir, "site.yaml");
  const membersFile = join(dir, "members.yaml");
  writeFileSync(siteFile, exampleText("site.yaml"));
  writeFileSync(membersFile, exampleText("members.yaml"));
  return { siteFile, membersFile };
}

/** One step of the worked example (steps.yaml): a scan and what it must decide. */
export interface Step {
  card: string;
  area: string;
  direction?: "in" | "out";
  at: string;
  expect: Record<string, unknown>;
}
