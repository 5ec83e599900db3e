import { DateTime } from "luxon";
import type { MultipackBalance } from "./engine/balance.js";
import type { Decision, Reason, SiteModel } from "./engine/types.js";
import type { RecordedEvent } from "./store/events.js";
import type { ImportSummary } from "./store/importer.js";

/** Reason codes in words, for a technician reading at the turnstile. */
export const REASON_WORDS: Record<Reason, string> = {
  ok: "valid entitlement",
  reentry: "re-entry within the deduction interval, free",
  booking: "booked class or session",
  exit: "exit",
  unknown_card: "unknown card",
  card_blocked: "card blocked or reported lost",
  card_expired: "card outside its validity dates",
  member_blocked: "member blocked",
  no_entitlement: "no multipack at all",
  inactive: "multipack not active (stored)",
  not_yet_valid: "multipack not valid yet",
  expired: "multipack expired",
  suspended: "multipack suspended",
  wrong_area: "not valid for this area",
  outside_time_window: "outside the allowed time windows",
  card_model_missing: "required card model missing or not valid",
  no_credits: "not enough credits",
  allowance_used: "included visits used up for this period",
  limit_reached: "usage limit reached",
  anti_passback: "anti-passback: already inside or too soon",
  area_full: "area full",
};

function local(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone }).toFormat("yyyy-MM-dd HH:mm:ss");
}

/** The human output of explain and scan: GRANTED/DENIED first, then who, where, what, and the trace. */
export function formatDecision(d: Decision | RecordedEvent, site: SiteModel, verb: string): string {
  const head = d.decision === "grant" ? "GRANTED" : "DENIED";
  const lines = [`${head}  ${d.reason}: ${REASON_WORDS[d.reason]}`, `  message  ${d.message}`];
  lines.push(`  member   ${d.memberId ?? "-"}`);
  lines.push(`  card     ${d.card}`);
  const reader = d.readerId ? ` (reader ${d.readerId})` : "";
  lines.push(`  where    ${d.area} ${d.direction}${reader} at ${local(d.at, site.zone)} ${site.zone}`);
  if (d.multipackId) {
    const credits =
      d.creditsTotal === null
        ? "unlimited"
        : `${d.creditsDeducted} deducted, ${d.creditsRemaining}/${d.creditsTotal} left`;
    lines.push(`  pack     ${d.multipackId} (${d.productId}) via ${d.accessTypeId}: ${credits}`);
  }
  if ("id" in d) lines.push(`  event    ${d.id}`);
  else if (verb === "explain") lines.push("  (explain: nothing was recorded)");
  if (d.trace.length > 0) {
    lines.push("trace:");
    for (const t of d.trace) {
      const mark = t.outcome === "chosen" ? "+" : "-";
      lines.push(
        `  ${mark} ${t.multipackId ?? "-"} ${t.accessTypeId ?? "-"} ${t.outcome} ${t.reason}: ${t.detail}`,
      );
    }
  }
  return lines.join("\n");
}

/** One line per recorded event. */
export function formatEvent(e: RecordedEvent, zone: string): string {
  const credits = e.creditsDeducted > 0 ? ` -${e.creditsDeducted}` : "";
  const left = e.creditsTotal !== null ? ` ${e.creditsRemaining}/${e.creditsTotal}` : "";
  return [
    String(e.seq).padStart(6),
    local(e.at, zone),
    (e.decision === "grant" ? "GRANT" : "DENY").padEnd(5),
    e.reason.padEnd(19),
    `card ${e.card}`,
    `member ${e.memberId ?? "-"}`,
    `${e.area} ${e.direction}`,
    `${e.multipackId ?? "-"}${credits}${left}`,
  ].join("  ");
}

/** The human output of balance. */
export function formatBalance(b: {
  memberId: string;
  name: string | null;
  multipacks: MultipackBalance[];
}): string {
  const lines = [`member ${b.memberId}${b.name ? ` (${b.name})` : ""}`];
  if (b.multipacks.length === 0) lines.push("  no multipacks");
  for (const m of b.multipacks) {
    const credits = m.unlimited ? "unlimited" : `${m.creditsRemaining}/${m.creditsTotal} credits left`;
    const until = m.validUntil ?? "no end";
    lines.push(
      `  ${m.multipackId}  ${m.productName ?? m.productId}  ${m.status}  ${m.validFrom} … ${until}  ${credits}`,
    );
    for (const a of m.allowances)
      lines.push(
        `      allowance ${a.accessTypeId}: ${a.left} of ${a.count} left this ${a.period}${a.periodEnds ? ` (until ${a.periodEnds})` : ""}`,
      );
  }
  return lines.join("\n");
}

/** The human summary of an import. */
export function formatImport(files: string[], s: ImportSummary): string {
  const parts = [
    s.site ? "site" : null,
    s.areas ? `${s.areas} areas` : null,
    s.accessTypes ? `${s.accessTypes} access types` : null,
    s.products ? `${s.products} products` : null,
    s.limits ? `${s.limits} limits` : null,
    s.cardModels ? `${s.cardModels} card models` : null,
    s.members ? `${s.members} members, ${s.multipacks} multipacks` : null,
    s.ledgerAdded || s.ledgerKnown
      ? `${s.ledgerAdded} ledger entries added (${s.ledgerKnown} already known)`
      : null,
  ].filter(Boolean);
  return `imported ${files.join(", ")}: ${parts.join(", ") || "nothing"}`;
}
