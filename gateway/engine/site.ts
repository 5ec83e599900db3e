import type { SiteConfig } from "../../config/site.js";
import type { SiteModel } from "./types.js";

/** Indexes a site configuration for the engine; done once per configuration, not per scan. */
export function compileSite(config: SiteConfig): SiteModel {
  let maxInterval = config.site.deductionIntervalMinutes;
  for (const p of config.products) {
    maxInterval = Math.max(maxInterval, p.deductionIntervalMinutes ?? 0);
    for (const i of p.items) maxInterval = Math.max(maxInterval, i.deductionIntervalMinutes ?? 0);
  }
  return {
    site: config.site,
    zone: config.site.timezone,
    holidays: new Set(config.site.holidays),
    areas: new Map(config.areas.map((a) => [a.id, a])),
    accessTypes: new Map(config.accessTypes.map((a) => [a.id, a])),
    products: new Map(config.products.map((p) => [p.id, p])),
    limits: config.limits,
    maxIntervalMs: maxInterval * 60_000,
  };
}
