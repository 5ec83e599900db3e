/**
 * The member page (desk): find a member by card or name; their cards (whole: desk sees them), the
 * balance `accessgw balance` shows (packs, credits, allowances left, validity), recent events,
 * `explain` for any reader and time with the trace in the command line's words, and the front
 * desk's admit with the pack chosen.
 */
import type { Reader } from "../../config/gateway.js";
import { type Html, html } from "../../web/html.js";
import type { Router } from "../../web/router.js";
import { redirect, type WebRequest, type WebResponse, type WebSession } from "../../web/webTypes.js";
import { formatDecision } from "../cliFormat.js";
import { explain, memberBalance, siteModel } from "../decisions.js";
import type { MultipackBalance } from "../engine/balance.js";
import { iterateEvents } from "../store/events.js";
import { findMembers, memberCards } from "./consoleQueries.js";
import type { ConsoleContext } from "./consoleRoutes.js";
import { admitForm } from "./deskForms.js";
import { cellLookups, EVENT_COLUMNS, eventCells } from "./eventColumns.js";
import { consolePage, FormError, field, localInput, type Notice, siteZone, timeField } from "./viewParts.js";

/** How many of the member's events the page lists (the newest). */
export const MEMBER_EVENTS = 20;

/** The search form. */
function searchForm(q: string): Html {
  return html`<form method="get" action="/console/member" class="search"><label>Card or name <input name="q" value="${q}" autofocus></label> <button>Find</button></form>`;
}

/** The search page: the form, and the members found (straight to the member when one is). */
function searchPage(ctx: ConsoleContext, req: WebRequest, session: WebSession): WebResponse {
  const q = field(req.query, "q") ?? "";
  const notice = ctx.notices.take(session);
  if (q === "") return consolePage(session, req.path, "Member", searchForm(q), notice);
  const hits = findMembers(ctx.store, q);
  if (hits.length === 1 && hits[0]) return redirect(`/console/member/${encodeURIComponent(hits[0].id)}`);
  const list =
    hits.length === 0
      ? html`<p>No member has the card or a name like "${q}".</p>`
      : html`<ul class="hits">${hits.map(
          (h) =>
            html`<li><a href="/console/member/${encodeURIComponent(h.id)}">${h.name ?? h.id}</a> <small>${h.id}</small></li>`,
        )}</ul>`;
  return consolePage(session, req.path, "Member", html`${searchForm(q)}${list}`, notice);
}

/** One pack's line of the balance. */
function packRow(m: MultipackBalance): Html {
  const credits = m.unlimited ? "unlimited" : `${m.creditsRemaining} of ${m.creditsTotal} left`;
  const allowances = m.allowances.map(
    (a) =>
      html`<li>${a.accessTypeId}: ${a.left} of ${a.count} left this ${a.period}${a.periodEnds ? ` (until ${a.periodEnds})` : ""}</li>`,
  );
  const transfers = [
    ...m.transfersIn.map((t) => `carried over: ${t.credits} from ${t.from}, which ended ${t.endedOn}`),
    ...(m.transferOut
      ? [
          `moved on: ${m.transferOut.credits} unused to ${m.transferOut.to} when this ended ${m.transferOut.endedOn}`,
        ]
      : []),
  ];
  return html`<tr data-pack="${m.multipackId}"><td>${m.multipackId}</td><td>${m.productName ?? m.productId}</td><td>${m.status}</td><td>${m.validFrom} … ${m.validUntil ?? "no end"}</td><td class="credits">${credits}</td><td>${allowances.length > 0 ? html`<ul>${allowances}</ul>` : ""}${transfers.map((t) => html`<div><small>${t}</small></div>`)}</td></tr>`;
}

/** The explain form and, when asked, its answer in the command line's words. */
function explainSection(
  ctx: ConsoleContext,
  req: WebRequest,
  cards: string[],
  readers: readonly Reader[],
): Html {
  const zone = siteZone(ctx.store);
  const now = ctx.clock();
  const readerId = field(req.query, "reader");
  const atText = field(req.query, "at");
  const card = field(req.query, "card") ?? cards[0] ?? "";
  let answer: Html = html``;
  if (readerId !== undefined) {
    try {
      const reader = readers.find((r) => r.id === readerId);
      if (!reader) throw new FormError(`unknown reader "${readerId}"`);
      const at = atText === undefined ? now : timeField(atText, "time", zone, now);
      const config = ctx.config();
      const request = { card, area: reader.area, direction: reader.direction, readerId: reader.id };
      const d = explain(ctx.store, request, at, {
        offline: config.sync.enabled ? config.sync.offline : null,
      });
      answer = html`<pre class="explain">${formatDecision(d, siteModel(ctx.store), "explain")}</pre>`;
    } catch (err) {
      answer = html`<p class="notice bad">${(err as Error).message}</p>`;
    }
  }
  const at = atText ?? localInput(now, zone);
  return html`<section><h2>Explain</h2><p>What would happen if the card were scanned there and then (nothing is recorded).</p>
<form method="get" action="${req.path}" class="explain">
<label>Card <select name="card">${cards.map((c) => html`<option${c === card ? html` selected` : ""}>${c}</option>`)}</select></label>
<label>Reader <select name="reader">${readers.map((r) => html`<option value="${r.id}"${r.id === readerId ? html` selected` : ""}>${r.id} (${r.area} ${r.direction})</option>`)}</select></label>
<label>Time <input type="datetime-local" name="at" value="${at}"></label>
<button>Explain</button></form>${answer}</section>`;
}

/** One member's page. */
function memberPage(ctx: ConsoleContext, req: WebRequest, session: WebSession): WebResponse {
  const id = req.params.id ?? "";
  const zone = siteZone(ctx.store);
  let notice: Notice | undefined = ctx.notices.take(session);
  let balance: ReturnType<typeof memberBalance>;
  try {
    balance = memberBalance(ctx.store, { member: id }, ctx.clock());
  } catch (err) {
    notice = { ok: false, text: (err as Error).message };
    return consolePage(session, req.path, "Member", searchForm(""), notice);
  }
  const cards = memberCards(ctx.store, id);
  const readers = ctx.config().readers;
  const lookup = cellLookups(ctx.store, readers);
  const events = [...iterateEvents(ctx.store, { memberId: id, last: MEMBER_EVENTS })]
    .reverse()
    .map((e) => eventCells(e, session, zone, lookup));
  const columns = EVENT_COLUMNS.filter((c) => c !== "member" && c !== "name");
  const body = html`${searchForm("")}
<section><h2>${balance.name ?? id} <small>${id}</small></h2>
<p>Cards: ${cards.map((c, i) => html`${i > 0 ? ", " : ""}<strong>${c.number}</strong> (${c.status})`)}${cards.length === 0 ? "none" : ""}</p>
${balance.codes.length > 0 ? html`<p>Member codes: ${balance.codes.join(", ")}</p>` : ""}
<h3>Balance</h3>
${
  balance.multipacks.length === 0
    ? html`<p>No multipacks.</p>`
    : html`<table class="balance"><thead><tr><th>Pack</th><th>Product</th><th>Status</th><th>Valid</th><th>Credits</th><th>Allowances</th></tr></thead><tbody>${balance.multipacks.map(packRow)}</tbody></table>`
}</section>
${admitForm(session, { cards: cards.map((c) => c.number), packs: balance.multipacks, readers, back: req.path })}
${explainSection(
  ctx,
  req,
  cards.map((c) => c.number),
  readers,
)}
<section><h2>Recent events</h2>${
    events.length === 0
      ? html`<p>None recorded.</p>`
      : html`<table class="events"><thead><tr>${columns.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>${events.map(
          (r) => html`<tr>${columns.map((c) => html`<td>${r[c]}</td>`)}</tr>`,
        )}</tbody></table>`
  }</section>`;
  return consolePage(session, req.path, balance.name ?? id, body, notice);
}

/** Adds the member search and the member's page. */
export function memberRoutes(router: Router, ctx: ConsoleContext): void {
  router.add("GET", "/console/member", "desk", (req, session) => searchPage(ctx, req, session));
  router.add("GET", "/console/member/:id", "desk", (req, session) => memberPage(ctx, req, session));
}
