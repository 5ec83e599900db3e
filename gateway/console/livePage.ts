/**
 * The live page (viewer): every door with its mode and alarms, the readers, relays and inputs GOOD
 * or BAD with why, and the decisions as they happen, pushed over Server-Sent Events and appended by
 * a small script without reloading; the door and device panels are fetched again as things change.
 */
import type { StatusDoor } from "../../config/statusDocument.js";
import { type Html, html } from "../../web/html.js";
import type { Router } from "../../web/router.js";
import { htmlResponse, type WebRequest, type WebResponse, type WebSession } from "../../web/webTypes.js";
import { memberName } from "../decisionLog.js";
import type { RecordedEvent } from "../store/events.js";
import type { ConsoleContext } from "./consoleRoutes.js";
import { cardFor, consolePage, localTime, siteZone } from "./viewParts.js";

/** How often an open stream sends a comment, so proxies and tablets keep it open. */
export const KEEPALIVE_MS = 20_000;
/** Status changes come in bursts (a mode set on several doors): one panels event for each burst. */
export const PANELS_COALESCE_MS = 250;

/** One decision as the live page shows it (and as the stream sends it, as JSON). */
export interface LiveRow {
  id: string;
  time: string;
  door: string;
  decision: "GRANTED" | "DENIED";
  name: string;
  message: string;
  reason: string;
  card: string;
}

/** A recorded decision as a row: its door from the reader, the member's name, the card as the role may see it. */
export function liveRow(ctx: ConsoleContext, session: WebSession, e: RecordedEvent, zone: string): LiveRow {
  const reader = ctx.config().readers.find((r) => r.id === e.readerId);
  return {
    id: e.id,
    time: localTime(e.at, zone),
    door: reader?.door ?? e.readerId ?? e.area,
    decision: e.decision === "grant" ? "GRANTED" : "DENIED",
    name: memberName(ctx.store, e.memberId) ?? e.memberId ?? "-",
    message: e.message,
    reason: e.reason,
    card: cardFor(session, e.card),
  };
}

/** A row of the decisions table. */
function rowHtml(r: LiveRow): Html {
  return html`<tr class="${r.decision === "GRANTED" ? "grant" : "deny"}"><td>${r.time}</td><td>${r.door}</td><td><strong>${r.decision}</strong></td><td>${r.name}</td><td>${r.message}</td><td>${r.reason}</td><td>${r.card}</td></tr>`;
}

/**
 * A device's health as `accessgw status` shows it: a reader, relay or link is GOOD while its link
 * is open; an input (D1) while its level is known. Else BAD with its state and why.
 */
export function health(d: { state: string; reason: string | null; level?: string }): Html {
  const good = d.level === undefined ? d.state === "open" : d.level !== "unknown";
  const what = d.level === undefined ? d.state : `${d.state}, level unknown`;
  return good
    ? html`<span class="good">GOOD</span>`
    : html`<span class="bad">BAD</span> ${what}${d.reason ? html`: ${d.reason}` : ""}`;
}

/** A door's mode with what set it, until when, and by whom. */
function doorRow(d: StatusDoor, zone: string): Html {
  const set = [
    d.source ?? "",
    d.until ? `until ${localTime(d.until, zone)}` : "",
    d.operator ? `by ${d.operator}` : "",
    d.reason ?? "",
  ].filter((s) => s !== "");
  const alarms = d.alarms.length === 0 ? html`none` : html`<span class="bad">${d.alarms.join(", ")}</span>`;
  return html`<tr data-door="${d.id}"><td>${d.id}</td><td><strong>${d.mode}</strong></td><td>${set.join(" · ")}</td><td>${alarms}</td></tr>`;
}

/** The doors and devices panels: the live page's top half, fetched again by its script. */
export function panels(ctx: ConsoleContext): Html {
  const s = ctx.status();
  const zone = siteZone(ctx.store);
  const device =
    (kind: string) => (d: { id: string; driver: string; state: string; reason: string | null }) =>
      html`<tr><td>${kind}</td><td>${d.id}</td><td>${d.driver}</td><td>${health(d)}</td></tr>`;
  return html`<section><h2>Doors</h2>
${
  s.doors.length === 0
    ? html`<p>No doors configured.</p>`
    : html`<table><thead><tr><th>Door</th><th>Mode</th><th>Set by</th><th>Alarms</th></tr></thead><tbody>${s.doors.map((d) => doorRow(d, zone))}</tbody></table>`
}</section>
<section><h2>Devices</h2>
<table><thead><tr><th>Kind</th><th>Id</th><th>Driver</th><th>Health</th></tr></thead><tbody>
${s.readers.map(device("reader"))}${s.relays.map(device("relay"))}${s.inputs.map(device("input"))}
</tbody></table>
${s.problems.length > 0 ? html`<ul class="problems">${s.problems.map((p) => html`<li>${p}</li>`)}</ul>` : ""}
</section>`;
}

/** The live page with the newest decisions first. */
function livePage(ctx: ConsoleContext, session: WebSession, path: string): WebResponse {
  const zone = siteZone(ctx.store);
  const recent = ctx.decisions.recent();
  // The stream starts after the newest row shown: a decision recorded before it opens is not lost.
  const after = recent.at(-1)?.seq ?? 0;
  const rows = recent.reverse().map((e) => rowHtml(liveRow(ctx, session, e, zone)));
  const body = html`<div id="panels">${panels(ctx)}</div>
<section><h2>Decisions</h2>
<table id="decisions" data-stream="/console/live/stream?after=${after}" data-panels="/console/live/panels"><thead><tr><th>Time</th><th>Door</th><th>Decision</th><th>Member</th><th>Message</th><th>Reason</th><th>Card</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
  return consolePage(session, path, "Live", body, ctx.notices.take(session), ["/console/assets/live.js"]);
}

/**
 * The seq after which a stream starts: the Last-Event-ID a reconnecting browser sends, else the
 * page's `after`; undefined (only what comes next) without either.
 */
function streamAfter(req: WebRequest): number | undefined {
  const text = req.headers["last-event-id"] ?? req.query.get("after") ?? "";
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/**
 * The stream of decisions: one `decision` event (a LiveRow as JSON) per decision recorded, first
 * the recent ones after the seq the page or the browser names (the page rendered, then connected:
 * a scan in between would otherwise never show), then each new one.
 */
function decisionStream(ctx: ConsoleContext, req: WebRequest, session: WebSession): WebResponse {
  const after = streamAfter(req);
  return {
    status: 200,
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Accel-Buffering": "no",
    },
    stream: {
      open(send, end) {
        // The stream ends with its session (logout, expiry, the user removed): no row after that.
        const alive = () => ctx.sessionAlive?.(session.id) ?? true;
        send("retry: 3000\n\n");
        const sendRow = (e: RecordedEvent) => {
          if (!alive()) return end();
          const row = liveRow(ctx, session, e, siteZone(ctx.store));
          send(`event: decision\nid: ${e.seq}\ndata: ${JSON.stringify(row)}\n\n`);
        };
        // The missed ones and the subscription in one turn: nothing recorded can fall between them.
        if (after !== undefined) for (const e of ctx.decisions.recent()) if (e.seq > after) sendRow(e);
        const stop = ctx.decisions.subscribe(sendRow);
        // A status change (a door locked at the desk, a reader gone) makes the page fetch its
        // panels: one `panels` event per PANELS_COALESCE_MS however many changes came.
        let panelsDue: ReturnType<typeof setTimeout> | undefined;
        const unwatch = ctx.decisions.watchStatus?.(() => {
          panelsDue ??= setTimeout(() => {
            panelsDue = undefined;
            if (alive()) send("event: panels\ndata: {}\n\n");
            else end();
          }, PANELS_COALESCE_MS);
        });
        const beat = setInterval(() => (alive() ? send(": keepalive\n\n") : end()), KEEPALIVE_MS);
        return () => {
          stop();
          unwatch?.();
          clearTimeout(panelsDue);
          clearInterval(beat);
        };
      },
    },
  };
}

/** Adds the live page, its panels and its stream. */
export function liveRoutes(router: Router, ctx: ConsoleContext): void {
  router.add("GET", "/console", "viewer", (req, session) => livePage(ctx, session, req.path));
  router.add("GET", "/console/live", "viewer", (req, session) => livePage(ctx, session, req.path));
  router.add("GET", "/console/live/panels", "viewer", () => htmlResponse(panels(ctx).text));
  router.add("GET", "/console/live/stream", "viewer", (req, session) => decisionStream(ctx, req, session));
}
