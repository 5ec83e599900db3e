/** The gateway's version (package.json), for the sync hello and status. */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** package.json's `version`; this file runs from gateway/ (tests) or dist/gateway/ (built). */
export function gatewayVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ["..", "../.."]) {
    try {
      const pkg = JSON.parse(readFileSync(resolve(here, up, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "accessgw" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // Not there: try one level up.
    }
  }
  return "0.0.0";
}
