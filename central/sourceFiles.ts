/**
 * The central's two input files: the site configuration (`--site-config`) and the members
 * (`--members`), read and validated together exactly as `accessgw import` validates them, so a file
 * the gateways would refuse is refused here first, whole, with every problem naming file and field.
 */
import { type LoadedFile, parseText, validateDocument } from "../config/dataFile.js";
import { AccessGwError, formatPath } from "../config/errors.js";
import type { Member } from "../config/members.js";
import { SiteConfigDocument } from "../config/protocol/payloads.js";
import { checkReferences } from "../config/references.js";
import { readTextFile } from "../config/textFile.js";
import type { SiteConfigDoc } from "./memberDocs.js";

/** Where the central's data comes from. */
export interface SourceFiles {
  siteConfigFile: string;
  /** Optional: members may also sit in the site configuration file (one file may hold both). */
  membersFile?: string;
}

/** The validated content of the files. */
export interface SourceData {
  config: SiteConfigDoc;
  members: Member[];
}

const CONFIG_SECTIONS = ["site", "areas", "accessTypes", "products", "limits", "cardModels"] as const;

/** Reads, parses and validates one file as `import` does; problems name the file. */
export function readSource(name: string): { file?: LoadedFile; problems: string[] } {
  const read = readTextFile(name);
  if (read.problem !== undefined) return { problems: [read.problem] };
  const parsed = parseText(name, read.text);
  if (parsed.problems.length > 0) return { problems: parsed.problems };
  const checked = validateDocument(name, parsed.value);
  if (!checked.data) return { problems: checked.problems };
  return { file: { name, data: checked.data }, problems: [] };
}

/**
 * Loads both files and checks them as one import: shapes, the site id (`siteId`, the central's
 * `--site`), cross-references, and that no multipack moves to another member (`owner`: who owns it
 * now), which the gateways would refuse. Returns the data, or every problem found.
 */
export function loadSources(
  files: SourceFiles,
  siteId: string,
  owner: (multipackId: string) => string | undefined,
): { data: SourceData | null; problems: string[] } {
  const site = readSource(files.siteConfigFile);
  const members = files.membersFile === undefined ? { problems: [] } : readSource(files.membersFile);
  return checkSources(site, members, files, siteId, owner);
}

/** `loadSources`, throwing AccessGwError DATA_INVALID that lists every problem when there are any. */
export function loadSourcesOrThrow(
  files: { siteConfigFile: string; membersFile?: string | undefined },
  siteId: string,
  owner: (multipackId: string) => string | undefined,
): SourceData {
  const { siteConfigFile, membersFile } = files;
  const { data, problems } = loadSources(
    { siteConfigFile, ...(membersFile === undefined ? {} : { membersFile }) },
    siteId,
    owner,
  );
  if (data !== null) return data;
  const head = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  throw new AccessGwError("DATA_INVALID", `refused (${head}):\n  ${problems.join("\n  ")}`, { problems });
}

/**
 * The checks of `loadSources` after each file was read and validated on its own (`site` and
 * `members` as readSource gives them): also what the central's editor runs on a draft held in memory.
 */
export function checkSources(
  site: { file?: LoadedFile; problems: string[] },
  members: { file?: LoadedFile; problems: string[] },
  files: SourceFiles,
  siteId: string,
  owner: (multipackId: string) => string | undefined,
): { data: SourceData | null; problems: string[] } {
  const problems = [...site.problems, ...members.problems];
  if (site.file && site.file.data.site === undefined)
    problems.push(
      `${site.file.name}: site: missing (the site configuration needs a site section with its id)`,
    );
  if (site.file?.data.site && site.file.data.site.id !== siteId)
    problems.push(
      `${site.file.name}: site.id: "${site.file.data.site.id}" is not the site this central serves ("${siteId}", --site)`,
    );
  if (members.file) {
    const data = members.file.data;
    for (const section of CONFIG_SECTIONS)
      if (data[section] !== undefined)
        problems.push(
          `${members.file.name}: ${section}: the site configuration belongs in --site-config (${files.siteConfigFile})`,
        );
  }
  if (problems.length > 0 || !site.file) return { data: null, problems };
  const loaded = members.file ? [site.file, members.file] : [site.file];
  problems.push(...checkReferences(loaded, null, owner));
  if (problems.length > 0) return { data: null, problems };
  const d = site.file.data;
  const config = SiteConfigDocument.safeParse({
    site: d.site,
    areas: d.areas ?? [],
    accessTypes: d.accessTypes ?? [],
    products: d.products ?? [],
    limits: d.limits ?? [],
    cardModels: d.cardModels ?? [],
  });
  if (!config.success)
    return {
      data: null,
      problems: config.error.issues.map(
        (i) => `${site.file?.name}: ${formatPath(i.path) || "(top level)"}: ${i.message}`,
      ),
    };
  return {
    data: { config: config.data, members: [...(d.members ?? []), ...(members.file?.data.members ?? [])] },
    problems: [],
  };
}
