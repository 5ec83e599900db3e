import type { LimitAt } from "../../config/site.js";
import type { MemberFact } from "./types.js";

/** R20: whether `site` is the member's home site; a member without homeSite is home everywhere. */
export function isHomeSite(member: MemberFact | null, site: string): boolean {
  const home = member?.homeSite;
  return home === undefined || home === null || home === site;
}

/**
 * R20: whether a limit with this `at` covers a scan or a visit at `site`: `all` everywhere, `home`
 * only at the member's home site, `away` only at other sites. The same test decides where a limit
 * applies and which visits it counts.
 */
export function limitCoversSite(at: LimitAt, member: MemberFact | null, site: string): boolean {
  return at === "all" || (at === "home") === isHomeSite(member, site);
}

/** R20: what a trace adds about where a limit counts (nothing for `at: all`). */
export function atWords(at: LimitAt, member: MemberFact | null): string {
  if (at === "all") return "";
  const home = member?.homeSite ?? null;
  if (home === null) return "; at: home counts everywhere, the member has no home site (R20)";
  return at === "home"
    ? `; counted at home site ${home} (R20)`
    : `; counted away from home site ${home} (R20)`;
}
