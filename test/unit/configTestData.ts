import { expect } from "vitest";
import { loadDataFiles } from "../../config/dataFile.js";
import { AccessGwError } from "../../config/errors.js";
import type { SiteConfig } from "../../config/site.js";
import { siteConfig } from "../helpers/build.js";
import { exampleDoc } from "../helpers/examples.js";

/** One input of `loadDataFiles`: a parsed value, or text to parse, under a file name. */
export type Input = { name: string; text?: string; value?: unknown };

/** A site document shaped like the example site.yaml (fresh each call, free to edit). */
export interface SiteDoc {
  site: Record<string, unknown>;
  areas: Record<string, unknown>[];
  accessTypes: Record<string, unknown>[];
  products: Record<string, unknown>[];
  limits: Record<string, unknown>[];
  cardModels?: Record<string, unknown>[];
}

/** The example site.yaml as a plain object. */
export function siteDoc(): SiteDoc {
  return exampleDoc<SiteDoc>("site.yaml");
}

/** The example site as it is stored after an import (defaults applied). */
export function storedSite(): SiteConfig {
  return siteConfig(siteDoc());
}

/** A valid multipack of the example product swim10, with overrides. */
export function pack(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: "mp-1", product: "swim10", purchasedAt: "2027-03-01T18:00:00+01:00", ...over };
}

/** A valid member holding card "100", with overrides. */
export function member(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: "m-1", name: "Ada", cards: [{ number: "100" }], ...over };
}

/** A members file holding `list`. */
export function membersFile(list: unknown[], name = "members.yaml"): Input {
  return { name, value: { members: list } };
}

/** The problems `loadDataFiles` refuses the inputs with; fails the test when it accepts them. */
export function problemsOf(inputs: Input[], stored: SiteConfig | null = storedSite()): string[] {
  let caught: unknown;
  try {
    loadDataFiles(inputs, stored);
  } catch (err) {
    caught = err;
  }
  expect(caught, "the files were accepted").toBeInstanceOf(AccessGwError);
  const err = caught as AccessGwError;
  expect(err.code).toBe("DATA_INVALID");
  return err.problems;
}

/** The single problem the inputs are refused with. */
export function onlyProblem(inputs: Input[], stored: SiteConfig | null = storedSite()): string {
  const problems = problemsOf(inputs, stored);
  expect(problems).toHaveLength(1);
  return problems[0] as string;
}
