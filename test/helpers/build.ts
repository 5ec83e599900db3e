import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DateTime } from "luxon";
import { DataFile } from "../../config/dataFile.js";
import type { Member } from "../../config/members.js";
import type { SiteConfig } from "../../config/site.js";
import { compileSite } from "../../gateway/engine/site.js";
import type {
  DecisionRequest,
  Facts,
  MultipackFact,
  SiteModel,
  VisitFact,
} from "../../gateway/engine/types.js";

/** Parses a site configuration object through the real schema (defaults applied) and compiles it. */
export function siteModel(input: unknown): SiteModel {
  return compileSite(siteConfig(input));
}

/** Parses a site configuration object through the real schema (defaults applied). */
export function siteConfig(input: unknown): SiteConfig {
  const f = DataFile.parse(input);
  if (!f.site) throw new Error("site missing");
  return {
    site: f.site,
    areas: f.areas ?? [],
    accessTypes: f.accessTypes ?? [],
    products: f.products ?? [],
    limits: f.limits ?? [],
    cardModels: f.cardModels ?? [],
  };
}

/** Parses members through the real schema. */
export function members(input: unknown[]): Member[] {
  return DataFile.parse({ members: input }).members ?? [];
}

/** A multipack fact with sensible defaults. */
export function multipack(
  p: Partial<MultipackFact> & { id: string; productId: string; purchasedAt: number },
): MultipackFact {
  return {
    validFrom: null,
    validUntil: null,
    creditsTotal: 10,
    used: 0,
    status: "active",
    suspensions: [],
    firstUseAt: null,
    ...p,
  };
}

/** Facts for a member holding card "100" with the given multipacks and history. */
export function facts(
  site: SiteModel,
  p: {
    multipacks?: MultipackFact[];
    visits?: VisitFact[];
    name?: string;
    member?: Partial<Facts["member"] & object>;
    card?: Partial<Facts["card"] & object>;
    presence?: Facts["presence"];
    presentCount?: number;
    offline?: Facts["offline"];
  } = {},
): Facts {
  return {
    site,
    card: { number: "100", status: "active", validFrom: null, validTo: null, memberId: "m-1", ...p.card },
    member: {
      id: "m-1",
      name: p.name ?? "Ada Lovelace",
      codes: [],
      lockdownAccess: false,
      cardModels: [],
      blocks: [],
      bookings: [],
      ...p.member,
    },
    multipacks: p.multipacks ?? [],
    visits: p.visits ?? [],
    presence: p.presence ?? null,
    presentCount: p.presentCount ?? 0,
    ...(p.offline === undefined ? {} : { offline: p.offline }),
  };
}

/** A scan request for card "100". */
export function req(area: string, direction: "in" | "out" = "in", card = "100"): DecisionRequest {
  return { card, area, direction, readerId: null };
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = "accessgw-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An instant (ms) from local wall time in a zone: `at("2027-03-22T10:00")` is Rome time. */
export function at(local: string, zone = "Europe/Rome"): number {
  const dt = DateTime.fromISO(local, { zone });
  if (!dt.isValid) throw new Error(`bad time ${local}`);
  return dt.toMillis();
}

/** A clock that reads `instant` now and runs on with real time (a gateway "at" a site's hour). */
export function clockFrom(instant: number): () => number {
  const start = Date.now();
  return () => instant + (Date.now() - start);
}
