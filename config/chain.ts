/**
 * A chain file (`accessgw central --chain FILE`, docs/central.md "Chains"): the sites one reference
 * central serves from one process, each with its site configuration, and the one members file the
 * chain shares (R20: a chain member may visit any site; their `homeSite` says where home is).
 */
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { formatIssue, parseText } from "./dataFile.js";
import { Id } from "./site.js";
import { readTextFile } from "./textFile.js";

/** A file named in the chain file: relative to the chain file's folder. */
const FileName = z.string().min(1, { error: "expected a file name" });

/** One site of the chain. */
export const ChainSite = z.strictObject({
  /** The site's id: its site configuration's `site.id`, and its gateways' `gateway.site`. */
  id: Id,
  /** Its site configuration (areas, access types, products, limits…), YAML or JSON. */
  siteConfig: FileName,
});
export type ChainSite = z.infer<typeof ChainSite>;

/** The chain file: its sites and the members they share. */
export const ChainFile = z
  .strictObject({
    /** The members of every site, YAML or JSON: one source, so a multipack has one ledger chain-wide. */
    members: FileName,
    sites: z.array(ChainSite).min(1, { error: "expected at least one site" }),
  })
  .superRefine((chain, ctx) => {
    const seen = new Set<string>();
    chain.sites.forEach((s, i) => {
      if (seen.has(s.id))
        ctx.addIssue({
          code: "custom",
          path: ["sites", i, "id"],
          message: "another site of the chain has this id",
        });
      seen.add(s.id);
    });
  });
export type ChainFile = z.infer<typeof ChainFile>;

/** A chain file read and checked, its file names resolved against the chain file's folder. */
export interface Chain {
  membersFile: string;
  sites: { id: string; siteConfigFile: string }[];
}

/** Reads and checks a chain file (never throws): the chain, or every problem naming file and field. */
export function readChainFile(file: string): { chain: Chain | null; problems: string[] } {
  const read = readTextFile(file);
  if (read.problem !== undefined) return { chain: null, problems: [read.problem] };
  const parsed = parseText(file, read.text);
  if (parsed.problems.length > 0) return { chain: null, problems: parsed.problems };
  if (parsed.value === undefined || parsed.value === null)
    return { chain: null, problems: [`${file}: empty file: expected members and sites`] };
  const checked = ChainFile.safeParse(parsed.value);
  if (!checked.success)
    return {
      chain: null,
      problems: checked.error.issues.map((i) => formatIssue(file, i, parsed.value, ChainFile)),
    };
  const at = (name: string) => resolve(dirname(file), name);
  return {
    chain: {
      membersFile: at(checked.data.members),
      sites: checked.data.sites.map((s) => ({ id: s.id, siteConfigFile: at(s.siteConfig) })),
    },
    problems: [],
  };
}
