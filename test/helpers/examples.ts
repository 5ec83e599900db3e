import { readFileSync } from "node:fs";
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
