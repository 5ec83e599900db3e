/**
 * The events page (viewer): the recorded events with `accessgw events`'s filters (card, member,
 * reader, reason, kind, time range), the newest first, and the same selection as a CSV download.
 */
import { canonicalCard } from "../../config/cardNumber.js";
import { EVENT_KINDS, type EventKind } from "../../config/protocol/events.js";
import { REASON_CODES } from "../../config/protocol/reasons.js";
import { html } from "../../web/html.js";
import type { Router } from "../../web/router.js";
import { htmlResponse, type WebRequest, type WebResponse, type WebSession } from "../../web/webTypes.js";
import { type EventFilter, eventsBetween, iterateEvents, lastEventSeq } from "../store/events.js";
import { firstSeqSince } from "./consoleQueries.js";
import type { ConsoleContext } from "./consoleRoutes.js";
import { cellLookups, csvLine, EVENT_COLUMNS, eventCells } from "./eventColumns.js";
import { consolePage, FormError, field, type Notice, siteZone, timeField } from "./viewParts.js";

/** How many events the page lists (the newest). */
export const PAGE_EVENTS = 200;
/** The most events one CSV download holds: a bigger selection is refused, asking for a narrower one. */
export const CSV_MAX_EVENTS = 100_000;
/** How many seqs the CSV reads between turns of the event loop. */
const CSV_SLICE_SEQS = 2000;

const FILTERS = ["card", "member", "reader", "reason", "kind", "since", "until"] as const;

/** The query's filter, checked: a FormError names the field that is wrong. */
export function readFilter(query: URLSearchParams, zone: string, now: number): EventFilter {
  const reason = field(query, "reason");
  if (reason !== undefined && !(REASON_CODES as string[]).includes(reason))
    throw new FormError(`reason "${reason}" is not a reason code; they are: ${REASON_CODES.join(", ")}`);
  const kind = field(query, "kind");
  if (kind !== undefined && !(EVENT_KINDS as readonly string[]).includes(kind))
    throw new FormError(`kind "${kind}" is not a kind of event; they are: ${EVENT_KINDS.join(", ")}`);
  const sinceText = field(query, "since");
  const untilText = field(query, "until");
  const card = field(query, "card");
  const filter: EventFilter = {
    since: sinceText === undefined ? undefined : timeField(sinceText, "from", zone, now),
    until: untilText === undefined ? undefined : timeField(untilText, "until", zone, now),
    // R1: recorded events hold the canonical card number.
    card: card === undefined ? undefined : canonicalCard(card),
    memberId: field(query, "member"),
    readerId: field(query, "reader"),
    reason,
    kind: kind as EventKind | undefined,
  };
  if (filter.since !== undefined && filter.until !== undefined && filter.since > filter.until)
    throw new FormError(`from ${sinceText} is after until ${untilText}`);
  return filter;
}

/** The filter form, filled with the query's values. */
function filterForm(query: URLSearchParams) {
  const value = (name: string) => query.get(name) ?? "";
  const options = (name: string, all: readonly string[]) =>
    html`<select name="${name}"><option value="">any</option>${all.map(
      (v) => html`<option${value(name) === v ? html` selected` : ""}>${v}</option>`,
    )}</select>`;
  const csv = new URLSearchParams([...query].filter(([k]) => (FILTERS as readonly string[]).includes(k)));
  return html`<form method="get" action="/console/events" class="filters">
<label>Card <input name="card" value="${value("card")}"></label>
<label>Member <input name="member" value="${value("member")}" placeholder="member id"></label>
<label>Reader <input name="reader" value="${value("reader")}"></label>
<label>Reason ${options("reason", REASON_CODES)}</label>
<label>Kind ${options("kind", EVENT_KINDS)}</label>
<label>From <input name="since" value="${value("since")}" placeholder="YYYY-MM-DD HH:MM"></label>
<label>Until <input name="until" value="${value("until")}" placeholder="YYYY-MM-DD HH:MM"></label>
<button>Filter</button> <a href="/console/events.csv?${csv.toString()}" download>Download CSV</a>
</form>`;
}

/** The events page: the newest PAGE_EVENTS matching events, newest first. */
function eventsPage(ctx: ConsoleContext, req: WebRequest, session: WebSession): WebResponse {
  const zone = siteZone(ctx.store);
  let notice: Notice | undefined = ctx.notices.take(session);
  let rows: ReturnType<typeof eventCells>[] = [];
  try {
    const filter = readFilter(req.query, zone, ctx.clock());
    const lookup = cellLookups(ctx.store, ctx.config().readers);
    rows = [...iterateEvents(ctx.store, { ...filter, last: PAGE_EVENTS })]
      .reverse()
      .map((e) => eventCells(e, session, zone, lookup));
  } catch (err) {
    if (!(err instanceof FormError)) throw err;
    notice = { ok: false, text: err.message };
  }
  const table =
    rows.length === 0
      ? html`<p>No events match.</p>`
      : html`<p>The newest ${rows.length === PAGE_EVENTS ? `${PAGE_EVENTS} (download the CSV for all)` : rows.length}, newest first.</p>
<table class="events"><thead><tr>${EVENT_COLUMNS.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>${rows.map(
          (r) => html`<tr>${EVENT_COLUMNS.map((c) => html`<td>${r[c]}</td>`)}</tr>`,
        )}</tbody></table>`;
  return consolePage(session, req.path, "Events", html`${filterForm(req.query)}${table}`, notice);
}

/**
 * The matching events as CSV, in the order they were recorded. Read in slices of seqs with a turn
 * of the event loop between them: the daemon decides scans on this thread, and a long history must
 * never hold a card at a reader (nor keep a read open on the cache while the pipeline writes).
 */
async function eventsCsv(ctx: ConsoleContext, req: WebRequest, session: WebSession): Promise<WebResponse> {
  const zone = siteZone(ctx.store);
  let filter: EventFilter;
  try {
    filter = readFilter(req.query, zone, ctx.clock());
  } catch (err) {
    if (!(err instanceof FormError)) throw err;
    return htmlResponse(html`<!doctype html><title>Bad filter</title><p>${err.message}</p>`.text, 400);
  }
  const lookup = cellLookups(ctx.store, ctx.config().readers);
  const lines = [csvLine(EVENT_COLUMNS)];
  const high = lastEventSeq(ctx.store);
  const first = filter.since === undefined ? 1 : (firstSeqSince(ctx.store, filter.since) ?? high + 1);
  for (let after = first - 1; after < high; after += CSV_SLICE_SEQS) {
    for (const e of eventsBetween(ctx.store, filter, after, Math.min(after + CSV_SLICE_SEQS, high))) {
      if (lines.length > CSV_MAX_EVENTS) return tooMany();
      const cells = eventCells(e, session, zone, lookup);
      lines.push(csvLine(EVENT_COLUMNS.map((c) => cells[c])));
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const stamp = new Date(ctx.clock()).toISOString().slice(0, 19).replaceAll(":", "-");
  return {
    status: 200,
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="events-${stamp}.csv"`,
      "Cache-Control": "no-store",
    },
    body: lines.join(""),
  };
}

/** A selection too big for one download. */
function tooMany(): WebResponse {
  return htmlResponse(
    html`<!doctype html><title>Too many events</title><p>More than ${CSV_MAX_EVENTS} events match: narrow the filters (a shorter time range) and download again.</p>`
      .text,
    413,
  );
}

/** Adds the events page and its CSV download. */
export function eventsRoutes(router: Router, ctx: ConsoleContext): void {
  router.add("GET", "/console/events", "viewer", (req, session) => eventsPage(ctx, req, session));
  router.add("GET", "/console/events.csv", "viewer", (req, session) => eventsCsv(ctx, req, session));
}
