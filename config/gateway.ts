import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { parseText } from "./dataFile.js";
import { AccessGwError, formatPath } from "./errors.js";
import { Id } from "./site.js";

/**
 * A reader as the gateway configuration declares it. Only what the command line needs is checked
 * here; the hardware fields (driver, port, format…) belong to the daemon's drivers.
 */
export const Reader = z.looseObject({
  id: Id,
  area: Id,
  direction: z.enum(["in", "out"]),
  debounceMs: z.number().int().nonnegative().default(2000),
});
export type Reader = z.infer<typeof Reader>;

/** The gateway configuration file (hardware, sync, logging). */
export const GatewayConfig = z.looseObject({
  gateway: z.strictObject({ id: Id.optional(), data: z.string().min(1).optional() }).default({}),
  log: z
    .strictObject({ level: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info") })
    .default({ level: "info" }),
  readers: z.array(Reader).default([]),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;

/** The outcome of checking a configuration: the config when it is valid, and every problem found. */
export interface GatewayConfigCheck {
  config: GatewayConfig | null;
  /** The parsed document (even when invalid), for checks against the stored site. */
  raw: unknown;
  problems: string[];
}

/**
 * Parses and validates a gateway configuration without throwing: every problem (syntax, schema,
 * duplicate reader ids) names the file and the path.
 */
export function checkGatewayConfig(file: string, text: string): GatewayConfigCheck {
  const parsed = parseText(file, text);
  if (parsed.problems.length > 0) return { config: null, raw: undefined, problems: parsed.problems };
  const raw = parsed.value ?? {};
  const result = GatewayConfig.safeParse(raw);
  const problems = result.success
    ? []
    : result.error.issues.map((i) => `${file}: ${formatPath(i.path) || "(top level)"}: ${i.message}`);
  problems.push(...duplicateReaderProblems(file, raw));
  if (!result.success || problems.length > 0) return { config: null, raw, problems };
  const config = result.data;
  // gateway.data may be relative to the configuration file.
  if (config.gateway.data && !isAbsolute(config.gateway.data))
    config.gateway.data = resolve(dirname(file), config.gateway.data);
  return { config, raw, problems };
}

/** Reads and validates a gateway configuration; throws CONFIG_INVALID listing every problem. */
export function loadGatewayConfig(file: string, text: string): GatewayConfig {
  const { config, problems } = checkGatewayConfig(file, text);
  if (!config)
    throw new AccessGwError(
      "CONFIG_INVALID",
      `${file}: invalid gateway configuration:\n  ${problems.join("\n  ")}`,
      { problems },
    );
  return config;
}

/** The readers of a parsed (possibly invalid) document whose fields are well-formed ids. */
function rawReaders(raw: unknown): { index: number; id?: string; area?: string }[] {
  const readers = (raw as { readers?: unknown } | null)?.readers;
  if (!Array.isArray(readers)) return [];
  const valid = (v: unknown) => (Id.safeParse(v).success ? (v as string) : undefined);
  return readers.map((r: unknown, index) => {
    const o = r !== null && typeof r === "object" ? (r as Record<string, unknown>) : {};
    return { index, id: valid(o.id), area: valid(o.area) };
  });
}

function duplicateReaderProblems(file: string, raw: unknown): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const r of rawReaders(raw)) {
    if (r.id === undefined) continue;
    const first = seen.get(r.id);
    if (first !== undefined)
      problems.push(
        `${file}: readers[${r.index}].id: duplicate reader id "${r.id}" (first at readers[${first}])`,
      );
    else seen.set(r.id, r.index);
  }
  return problems;
}

/**
 * Readers whose area is not an area of the site: one problem per reader, naming file and path.
 * Works on the parsed document, so it reports alongside schema problems of other fields.
 */
export function readerAreaProblems(file: string, raw: unknown, siteAreas: readonly string[]): string[] {
  const known = new Set(siteAreas);
  const has = siteAreas.length > 0 ? siteAreas.join(", ") : "no areas";
  return rawReaders(raw)
    .filter((r) => r.area !== undefined && !known.has(r.area))
    .map((r) => `${file}: readers[${r.index}].area: unknown area "${r.area}" (the site has: ${has})`);
}

/** The `gateway.id` a parsed (possibly invalid) document declares, when it is a well-formed id. */
export function declaredGatewayId(raw: unknown): string | undefined {
  const id = (raw as { gateway?: { id?: unknown } } | null)?.gateway?.id;
  return Id.safeParse(id).success ? (id as string) : undefined;
}
