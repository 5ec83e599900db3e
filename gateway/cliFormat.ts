import { DateTime } from "luxon";
import { REASON_WORDS } from "../config/protocol/reasons.js";
import type { StatusDoor, StatusInput, StatusSync } from "../config/statusDocument.js";
import type { MultipackBalance } from "./engine/balance.js";
import type { Decision, SiteModel } from "./engine/types.js";
import { osdpStatusText } from "./osdpStatus.js";
import type { StatusReading } from "./statusFile.js";
import { reportLines } from "./store/changeSet.js";
import type { RecordedEvent, StoredEvent } from "./store/events.js";
import type { ImportSummary } from "./store/importer.js";

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

/** One line per recorded event, of any kind (doors.md D7). */
export function formatEvent(e: StoredEvent, zone: string): string {
  const head = [String(e.seq).padStart(6), local(e.at, zone)];
  const by = (operator: string | null, why: string | null) =>
    operator === null ? [] : [`by ${operator}${why === null ? "" : ` (${why})`}`];
  switch (e.kind) {
    case "door":
      return [
        ...head,
        "DOOR ",
        `${e.door} ${e.mode}`.padEnd(19),
        `source ${e.source}`,
        ...(e.until === null ? [] : [`until ${local(e.until, zone)}`]),
        ...by(e.operator, e.reason),
        ...(e.operator === null && e.reason !== null ? [e.reason] : []),
      ].join("  ");
    case "alarm":
      return [
        ...head,
        "ALARM",
        `${e.alarm} ${e.state}`.padEnd(19),
        `door ${e.door ?? "-"}`,
        ...(e.input === null ? [] : [`input ${e.input}`]),
      ].join("  ");
    case "command":
      return [
        ...head,
        "CMD  ",
        `${e.verb} ${e.ok ? "done" : "refused"}`.padEnd(19),
        `id ${e.commandId} from ${e.origin}`,
        ...by(e.operator, e.reason),
        ...(e.error === null ? [] : [`error: ${e.error}`]),
        ...(e.eventId === null ? [] : [`event ${e.eventId}`]),
      ].join("  ");
    case "decision": {
      const credits = e.creditsDeducted > 0 ? ` -${e.creditsDeducted}` : "";
      const left = e.creditsTotal !== null ? ` ${e.creditsRemaining}/${e.creditsTotal}` : "";
      return [
        ...head,
        (e.decision === "grant" ? "GRANT" : "DENY").padEnd(5),
        e.reason.padEnd(19),
        `card ${e.card}`,
        `member ${e.memberId ?? "-"}`,
        `${e.area} ${e.direction}`,
        `${e.multipackId ?? "-"}${credits}${left}`,
        ...by(e.operator, e.staffReason),
        ...(e.relayFailed ? ["RELAY FAILED (door did not open, grant undone)"] : []),
        ...(e.passed === false ? ["NO PASSAGE (nobody went through, grant undone)"] : []),
      ].join("  ");
    }
  }
}

/** The human output of balance. */
export function formatBalance(b: {
  memberId: string;
  name: string | null;
  codes: string[];
  pinSet?: boolean;
  multipacks: MultipackBalance[];
}): string {
  const lines = [`member ${b.memberId}${b.name ? ` (${b.name})` : ""}`];
  if (b.codes.length > 0) lines.push(`  member codes: ${b.codes.join(", ")}`);
  // R21: for the front desk when a member is refused at a keypad; never the hash.
  if (b.pinSet !== undefined) lines.push(`  PIN set: ${b.pinSet ? "yes" : "no"}`);
  if (b.multipacks.length === 0) lines.push("  no multipacks");
  for (const m of b.multipacks) {
    const credits = m.unlimited ? "unlimited" : `${m.creditsRemaining}/${m.creditsTotal} credits left`;
    const until = m.validUntil ?? "no end";
    lines.push(
      `  ${m.multipackId}  ${m.productName ?? m.productId}  ${m.status}  ${m.validFrom} … ${until}  ${credits}`,
    );
    // R18: where credits came from and went.
    for (const t of m.transfersIn)
      lines.push(`      carried over: ${t.credits} from ${t.from}, which ended ${t.endedOn}`);
    const out = m.transferOut;
    if (out) lines.push(`      moved on: ${out.credits} unused to ${out.to} when this ended ${out.endedOn}`);
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
  const head = `imported ${files.join(", ")}: ${parts.join(", ") || "nothing"}`;
  // Issue 10 §7: what changed, by id, under the summary.
  return s.changes ? [head, ...reportLines(s.changes)].join("\n") : head;
}

/** "2h 03m 05s": how long something has been going on. */
function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h}h ${two(m)}m ${two(sec)}s`;
  return m > 0 ? `${m}m ${two(sec)}s` : `${sec}s`;
}

function counts(pairs: [string, number][]): string {
  return pairs.map(([k, v]) => `${k} ${v}`).join("  ");
}

function rejectedText(rejected: Record<string, number>): string {
  const parts = Object.entries(rejected).filter(([, n]) => n > 0);
  const total = parts.reduce((sum, [, n]) => sum + n, 0);
  return parts.length === 0
    ? "rejected 0"
    : `rejected ${total} (${parts.map(([k, n]) => `${k} ${n}`).join(", ")})`;
}

/** The state column: GOOD only when the link is open; why and since when otherwise. */
function deviceHead(
  d: { id: string; driver: string; state: string; since: string | null; reason: string | null },
  width: number,
  zone: string,
  extra = "",
): string {
  const mark = d.state === "open" ? "GOOD" : "BAD ";
  const since = d.since ? ` since ${local(d.since, zone)}` : "";
  // Driver errors start with "reader <id>: " or "relay <id>: "; the line already names the device.
  const reason = d.reason?.replace(/^(reader|relay) [^:]+: /, "");
  const why = d.state !== "open" && reason ? `: ${reason}` : "";
  return `  ${mark}  ${d.id.padEnd(width)}  ${d.driver}  ${d.state}${since}${extra}${why}`;
}

/** The inputs in `status` (D1): GOOD while the level is known, the level and since when, why it is unknown. */
function inputLines(inputs: readonly StatusInput[], width: number, zone: string): string[] {
  const lines = [`inputs (${inputs.length}):`];
  for (const i of inputs) {
    const mark = i.level === "unknown" ? "BAD " : "GOOD";
    const link = `${i.state}${i.since ? ` since ${local(i.since, zone)}` : ""}`;
    const at = i.level === "unknown" ? i.downSince : i.levelSince;
    const level = `${i.level.toUpperCase()}${at ? ` since ${local(at, zone)}` : ""}`;
    const why = i.level === "unknown" && i.reason ? `: ${i.reason.replace(/^input [^:]+: /, "")}` : "";
    lines.push(`  ${mark}  ${i.id.padEnd(width)}  ${i.driver}  ${link}  ${level}${why}`);
    const c = i.counters;
    if (c)
      lines.push(
        `        ${counts([
          ["readings", c.readings],
          ["changes", c.changes],
          ["unreachable", c.downs],
        ])}  ${rejectedText(c.rejected)}`,
      );
  }
  return lines;
}

/** The sync link in `status`: link, revisions, last sync and staleness, outbox. */
function syncLines(y: StatusSync, width: number, zone: string, now: number): string[] {
  const lines = ["sync with the central:"];
  lines.push(deviceHead({ ...y, id: y.url, driver: `${y.clientId} (MQTT ${y.protocol})` }, width, zone));
  const last = y.lastSyncAt
    ? `${local(y.lastSyncAt, zone)} (${duration(now - Date.parse(y.lastSyncAt))} ago)`
    : "never";
  const step = y.inStep ? "in step" : "not in step";
  const stale = y.stale ? `  STALE (over ${y.offline.maxStaleHours} h: ${y.offline.after})` : "";
  lines.push(`        ${step}  rev ${y.lastRev}  config rev ${y.configRev}  last sync ${last}${stale}`);
  const o = y.outbox;
  const range = o.firstSeq === null ? "" : ` (seq ${o.firstSeq}–${o.lastSeq})`;
  const acked = o.lastAckAt ? `, last ack ${local(o.lastAckAt, zone)}` : "";
  lines.push(
    `        outbox ${o.pending} waiting${range}, acked up to ${o.ackedUpTo}${acked}  ${counts([
      ["batches", o.batches],
      ["events sent", o.eventsPublished],
      ["re-sends", o.republishes],
      ["bad payloads", y.counters.badPayloads ?? 0],
    ])}`,
  );
  return lines;
}

/**
 * doors.md D3, D4, D2 in `status`: each door's mode with what set it, who and why, since and until
 * when, its raised alarms and the grants waiting for a passage. Nothing for a gateway without doors.
 */
function doorLines(doors: StatusDoor[], zone: string): string[] {
  if (doors.length === 0) return [];
  const width = Math.max(...doors.map((d) => d.id.length));
  const lines = [`doors (${doors.length}):`];
  for (const d of doors) {
    const by =
      d.source === null
        ? ""
        : ` (${d.source}${d.operator ? ` by ${d.operator}` : ""}${d.reason ? `: ${d.reason}` : ""})`;
    const since = d.since ? ` since ${local(d.since, zone)}` : "";
    const until = d.until ? ` until ${local(d.until, zone)}` : "";
    const alarms = d.alarms.length > 0 ? `  ALARM ${d.alarms.join(", ")}` : "";
    const waiting = d.waiting > 0 ? `  ${d.waiting} waiting for a passage` : "";
    lines.push(`  ${d.id.padEnd(width)}  ${d.mode.toUpperCase()}${by}${since}${until}${alarms}${waiting}`);
  }
  return lines;
}

/** The human output of `status`: RUNNING / NOT RUNNING first, problems, then each device. */
export function formatStatus(reading: StatusReading, now: number): string {
  if (!reading.running) {
    const s = reading.status;
    const lines = [`NOT RUNNING  ${reading.reason}`];
    if (s)
      lines.push(
        `  last seen: gateway ${s.gatewayId}, pid ${s.pid}, started ${s.startedAt}, last update ${s.updatedAt}`,
      );
    return lines.join("\n");
  }
  const s = reading.status;
  const zone = s.zone ?? "UTC";
  const up = duration(now - Date.parse(s.startedAt));
  const age = duration(now - Date.parse(s.updatedAt));
  const stopping = s.state === "stopping" ? " (stopping)" : "";
  const lines = [
    `RUNNING${stopping}  gateway ${s.gatewayId}  pid ${s.pid}  up ${up} (since ${local(s.startedAt, zone)} ${zone})  updated ${age} ago`,
  ];
  if (s.problems.length === 0) lines.push("no problems");
  else {
    lines.push(`${s.problems.length} problem${s.problems.length === 1 ? "" : "s"}:`);
    for (const p of s.problems) lines.push(`  ${p}`);
  }
  const width = Math.max(
    0,
    ...s.readers.map((r) => r.id.length),
    ...s.relays.map((r) => r.id.length),
    ...s.inputs.map((i) => i.id.length),
  );
  lines.push(`readers (${s.readers.length}):`);
  for (const r of s.readers) {
    // retryInMs counts from when waiting began; show what is left of it now.
    const left = r.since && r.retryInMs !== null ? Date.parse(r.since) + r.retryInMs - now : null;
    const retry =
      r.state === "waiting" && left !== null ? `, next try in ${Math.max(0, Math.ceil(left / 1000))}s` : "";
    const attempts = r.state !== "open" && r.attempts > 0 ? ` (attempt ${r.attempts}${retry})` : "";
    lines.push(deviceHead(r, width, zone, attempts));
    if (r.osdp) lines.push(`        ${osdpStatusText(r.osdp)}`);
    const c = r.counters;
    const dc = r.driverCounters;
    lines.push(
      `        ${counts([
        ["scans", c.scans],
        ["grants", c.grants],
        ["denies", c.denies],
        ["errors", c.errors],
        ["relay failures", c.relayFailures],
      ])}${
        dc
          ? `  ${rejectedText(dc.rejected)}  ${counts([
              ["bytes", dc.bytes],
              ["reconnects", dc.reconnects],
            ])}`
          : ""
      }`,
    );
    const l = r.lastScan;
    lines.push(
      l
        ? `        last scan ${local(l.at, zone)}  ${l.decision === "grant" ? "GRANT" : "DENY"} ${l.reason}  card ${l.card}  member ${l.memberId ?? "-"}  event ${l.eventId}${l.relayFailed ? "  RELAY FAILED" : ""}`
        : "        last scan: none yet",
    );
  }
  lines.push(`relays (${s.relays.length}):`);
  for (const r of s.relays) {
    lines.push(deviceHead(r, width, zone));
    const dc = r.driverCounters;
    lines.push(
      `        ${counts([
        ["pulses", r.pulses],
        ["relay failures", r.relayFailures],
        ...(dc
          ? ([
              ["completed", dc.completed],
              ["in flight", dc.inFlight],
              ["timeouts", dc.timeouts],
              ["exceptions", dc.exceptions],
            ] as [string, number][])
          : []),
      ])}`,
    );
  }
  if (s.inputs.length > 0) lines.push(...inputLines(s.inputs, width, zone));
  lines.push(...doorLines(s.doors, zone));
  if (s.mqtt) {
    const m = s.mqtt;
    lines.push(`mqtt broker:`);
    lines.push(deviceHead({ ...m, id: m.url, driver: m.clientId }, width, zone));
    lines.push(
      `        ${counts([
        ["messages in", m.messagesIn],
        ["out", m.messagesOut],
        ["bad payloads", m.badPayloads],
        ["reconnects", m.reconnects],
      ])}`,
    );
  }
  if (s.sync) lines.push(...syncLines(s.sync, width, zone, now));
  const t = s.totals;
  lines.push(
    `totals: ${counts([
      ["scans", t.scans],
      ["grants", t.grants],
      ["denies", t.denies],
      ["errors", t.errors],
      ["relay failures", t.relayFailures],
    ])}`,
  );
  return lines.join("\n");
}
