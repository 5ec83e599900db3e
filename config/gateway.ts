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

/** Reads and validates a gateway configuration; every problem names the file and the path. */
export function loadGatewayConfig(file: string, text: string): GatewayConfig {
  const parsed = parseText(file, text);
  if (parsed.problems.length > 0)
    throw new AccessGwError("CONFIG_INVALID", parsed.problems.join("\n"), { problems: parsed.problems });
  const result = GatewayConfig.safeParse(parsed.value ?? {});
  const problems = result.success
    ? []
    : result.error.issues.map((i) => `${file}: ${formatPath(i.path) || "(top level)"}: ${i.message}`);
  if (result.success) {
    const seen = new Map<string, number>();
    result.data.readers.forEach((r, i) => {
      const first = seen.get(r.id);
      if (first !== undefined)
        problems.push(
          `${file}: readers[${i}].id: duplicate reader id "${r.id}" (first at readers[${first}])`,
        );
      else seen.set(r.id, i);
    });
  }
  if (problems.length > 0 || !result.success)
    throw new AccessGwError(
      "CONFIG_INVALID",
      `${file}: invalid gateway configuration:\n  ${problems.join("\n  ")}`,
      { problems },
    );
  const config = result.data;
  // gateway.data may be relative to the configuration file.
  if (config.gateway.data && !isAbsolute(config.gateway.data))
    config.gateway.data = resolve(dirname(file), config.gateway.data);
  return config;
}
