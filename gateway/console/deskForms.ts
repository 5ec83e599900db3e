/**
 * The front desk's forms (doors.md D5): admit with the pack chosen, open, door modes, emergency.
 * Each asks for a reason (recorded with the logged-in user as operator) and carries the session's
 * CSRF token and the page to come back to.
 */
import type { Reader } from "../../config/gateway.js";
import { type Html, html } from "../../web/html.js";
import type { WebSession } from "../../web/webTypes.js";
import type { MultipackBalance } from "../engine/balance.js";

/** The fields every front-desk form carries: the CSRF token, the page to return to, the reason. */
function common(session: WebSession, back: string): Html {
  return html`<input type="hidden" name="_csrf" value="${session.csrf}"><input type="hidden" name="back" value="${back}">`;
}

/** The reason field: required, as the command channel requires one (D5). */
const REASON = html`<label>Reason <input name="reason" required maxlength="200" placeholder="why (recorded with your name)"></label>`;

/** What the admit form offers: the member's cards and packs when it is on a member's page. */
export interface AdmitChoices {
  cards?: readonly string[];
  packs?: readonly MultipackBalance[];
  readers: readonly Reader[];
  back: string;
}

/** D5 admit: a card at a reader, decided as a scan, on a chosen pack, or free. */
export function admitForm(session: WebSession, c: AdmitChoices): Html {
  const card =
    c.cards === undefined
      ? html`<label>Card <input name="card" required></label>`
      : html`<label>Card <select name="card">${c.cards.map((n) => html`<option>${n}</option>`)}</select></label>`;
  const packs = (c.packs ?? []).map(
    (m) =>
      html`<label><input type="radio" name="pack" value="${m.multipackId}"> ${m.multipackId} (${m.productName ?? m.productId}, ${m.unlimited ? "unlimited" : `${m.creditsRemaining} left`}, ${m.status})</label>`,
  );
  const packChoice =
    c.packs === undefined
      ? html`<label>Pack <input name="pack" placeholder="multipack id, or empty to decide as a scan"></label><label><input type="checkbox" name="free" value="1"> free (no charge)</label>`
      : html`<fieldset><legend>Charge</legend><label><input type="radio" name="pack" value="" checked> as a scan would</label>${packs}<label><input type="radio" name="pack" value="free"> free (no charge)</label></fieldset>`;
  return html`<section><h2>Admit</h2><form method="post" action="/console/desk/admit" class="action">${common(session, c.back)}
${card}
<label>Reader <select name="reader">${c.readers.filter((r) => r.direction === "in").map((r) => html`<option value="${r.id}">${r.id} (${r.area})</option>`)}</select></label>
${packChoice}
${REASON}
<button>Admit</button></form></section>`;
}

/** D5 open, door and emergency for the doors there are. */
export function doorForms(session: WebSession, doors: readonly string[], back: string): Html {
  const pick = html`<select name="door">${doors.map((d) => html`<option>${d}</option>`)}</select>`;
  return html`<section><h2>Open a door</h2><form method="post" action="/console/desk/open" class="action">${common(session, back)}
<label>Door ${pick}</label>
<label>Direction <select name="direction"><option value="">the door's</option><option>in</option><option>out</option></select></label>
${REASON}<button>Open once</button></form></section>
<section><h2>Door mode</h2><form method="post" action="/console/desk/door" class="action">${common(session, back)}
<label>Door ${pick}</label>
<label>Mode <select name="mode"><option>normal</option><option>unlocked</option><option>locked</option></select></label>
<label>Until <input name="until" placeholder="optional: HH:MM or YYYY-MM-DD HH:MM"></label>
${REASON}<button>Set mode</button></form></section>
<section><h2>Emergency</h2><form method="post" action="/console/desk/emergency" class="action">${common(session, back)}
<fieldset><legend>Doors (none ticked: every door)</legend>${doors.map((d) => html`<label><input type="checkbox" name="doors" value="${d}"> ${d}</label>`)}</fieldset>
${REASON}
<button name="on" value="1" class="danger">Release (emergency on)</button> <button name="on" value="0">Reset (emergency off)</button></form></section>`;
}
