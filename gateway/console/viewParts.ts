/**
 * What every page of the gateway's console shares: its navigation, the page shell, times in the
 * site's zone, card numbers as the role may see them, the outcome of the last action (shown once
 * after the redirect that follows a POST), and form fields read and checked.
 */
import { DateTime } from "luxon";
import { maskCard } from "../../config/cardNumber.js";
import { type Html, html } from "../../web/html.js";
import { type NavItem, page } from "../../web/layout.js";
import { htmlResponse, roleAtLeast, type WebResponse, type WebSession } from "../../web/webTypes.js";
import { parseTimeText } from "../cliTime.js";
import type { Store } from "../store/db.js";

/** The console's pages in the navigation, each for its role and those above (issue 11 §3). */
export const CONSOLE_NAV: readonly NavItem[] = [
  { href: "/console/live", label: "Live", role: "viewer" },
  { href: "/console/occupancy", label: "Occupancy", role: "viewer" },
  { href: "/console/events", label: "Events", role: "viewer" },
  { href: "/console/member", label: "Member", role: "desk" },
  { href: "/console/desk", label: "Front desk", role: "desk" },
  { href: "/console/devices", label: "Devices", role: "technician" },
];

/** One console page as an HTML answer, the session's notice (if any) above its content. */
export function consolePage(
  session: WebSession,
  path: string,
  title: string,
  body: Html,
  notice?: Notice,
  scripts?: readonly string[],
): WebResponse {
  const shown = notice
    ? html`<p class="notice ${notice.ok ? "ok" : "bad"}" role="status">${notice.text}</p>`
    : html``;
  return htmlResponse(
    page({
      title,
      product: "gateway",
      session,
      nav: CONSOLE_NAV,
      path,
      body: html`${shown}${body}`,
      ...(scripts === undefined ? {} : { scripts }),
    }),
  );
}

/** How many sessions' outcomes wait at most (the oldest is dropped). */
const MAX_NOTICES = 1000;

/** The outcome of an action, shown on the page the browser is sent to. */
export interface Notice {
  ok: boolean;
  text: string;
}

/**
 * Post/redirect/get: an action's outcome waits here for the session's next page, so a reload does
 * not repeat the action and the text never travels in a URL anybody could forge.
 */
export class Notices {
  private readonly bySession = new Map<string, Notice>();

  /** Keeps the outcome for the session's next page (a newer one replaces it). */
  set(session: WebSession, notice: Notice): void {
    this.bySession.delete(session.id);
    this.bySession.set(session.id, notice);
    // Sessions that never come back for theirs (logged out, tab closed) must not pile up.
    const oldest = this.bySession.keys().next().value;
    if (this.bySession.size > MAX_NOTICES && oldest !== undefined) this.bySession.delete(oldest);
  }

  /** The session's waiting outcome, once. */
  take(session: WebSession): Notice | undefined {
    const notice = this.bySession.get(session.id);
    this.bySession.delete(session.id);
    return notice;
  }
}

/** The site's time zone as stored (UTC before a site is imported). */
export function siteZone(store: Store): string {
  return store.siteConfig()?.site.timezone ?? "UTC";
}

/** An instant as the site's wall time, `2027-03-22 17:30:05`. */
export function localTime(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone }).toFormat("yyyy-MM-dd HH:mm:ss");
}

/** An instant for a datetime-local field in the site's zone, `2027-03-22T17:30`. */
export function localInput(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
}

/** Issue 11 §3: a viewer sees a card's last 4 characters only; desk and above see it whole. */
export function cardFor(session: WebSession, card: string): string {
  return roleAtLeast(session.role, "desk") ? card : maskCard(card);
}

/** A form or query field trimmed; undefined when absent or blank. */
export function field(fields: URLSearchParams, name: string): string | undefined {
  const value = fields.get(name)?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/**
 * A time typed in a form (`HH:MM` today, `YYYY-MM-DD HH:MM`, a datetime-local value or ISO 8601)
 * in the site's zone; throws a FormError naming the field when it is not a time.
 */
export function timeField(text: string, label: string, zone: string, now: number): number {
  const ms = parseTimeText(text, zone, now);
  if (ms === null)
    throw new FormError(`${label} "${text}" is not a time: use HH:MM, YYYY-MM-DD HH:MM or ISO 8601`);
  return ms;
}

/** A form's bad input, its message shown to the person who typed it. */
export class FormError extends Error {
  readonly code = "FORM_INVALID";
}
