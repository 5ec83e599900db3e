/**
 * The devices page (technician): every reader, relay and input in detail (health and why, since
 * when, counters, a reader's last scan, an input's level), the broker and sync links, the
 * problems, fetched again every few seconds by its script (assets/devices.js) so a device's change
 * shows without a reload; and the daemon's `reload` and `log-level`, as the command line asks for
 * them.
 */
import type { StatusInput, StatusReader, StatusRelay } from "../../config/statusDocument.js";
import { LOG_LEVELS } from "../../runtime/logger.js";
import { type Html, html } from "../../web/html.js";
import type { Router } from "../../web/router.js";
import {
  formFields,
  htmlResponse,
  redirect,
  roleAtLeast,
  type WebRequest,
  type WebResponse,
  type WebSession,
} from "../../web/webTypes.js";
import { MAX_FOR_MS, parseDuration } from "../logLevelControl.js";
import { osdpStatusText } from "../osdpStatus.js";
import { eventById } from "../store/events.js";
import type { ConsoleContext } from "./consoleRoutes.js";
import { health } from "./livePage.js";
import { cardFor, consolePage, field, localTime, type Notice, siteZone } from "./viewParts.js";

const PAGE = "/console/devices";
/**
 * The level the form offers first: a technician raises the level to find a fault. The list begins
 * with `fatal`, which as the default would silence the daemon's log at one click on Set.
 */
const TROUBLESHOOT_LEVEL = "debug";

/** Counters as `name n` pairs. */
function counts(pairs: Record<string, number>): string {
  return Object.entries(pairs)
    .map(([k, v]) => `${k} ${v}`)
    .join(" · ");
}

/** When a device's state began, in the site's wall time. */
const since = (iso: string | null, zone: string) => (iso === null ? "" : localTime(iso, zone));

/**
 * The last scan's card as the role may see it: the status keeps it masked (it is written to a
 * file), so desk and above get it whole from the recorded event.
 */
function lastCard(
  ctx: ConsoleContext,
  session: WebSession,
  scan: NonNullable<StatusReader["lastScan"]>,
): string {
  if (!roleAtLeast(session.role, "desk")) return cardFor(session, scan.card);
  const event = eventById(ctx.store, scan.eventId);
  return event && "card" in event && typeof event.card === "string" ? event.card : scan.card;
}

/** A reader's row: health, counters, last scan. */
function readerRow(ctx: ConsoleContext, r: StatusReader, zone: string, session: WebSession): Html {
  const l = r.lastScan;
  const last = l
    ? `${localTime(l.at, zone)} ${l.decision === "grant" ? "GRANTED" : "DENIED"} ${l.reason}, card ${lastCard(ctx, session, l)}${l.relayFailed ? ", RELAY FAILED" : ""}`
    : "none yet";
  const driver = r.driverCounters
    ? ` · bytes ${r.driverCounters.bytes} · reconnects ${r.driverCounters.reconnects}`
    : "";
  // Issue 13 §6: an osdp reader's PD under its link's health (online, secure channel, tamper, power).
  const pd = r.osdp
    ? html`<br><span data-osdp="${r.osdp.address}">${osdpStatusText(r.osdp, " · ")}</span>`
    : "";
  return html`<tr data-device="${r.id}"><td>${r.id}</td><td>${r.driver}</td><td>${health(r)}${r.state !== "open" && r.attempts > 0 ? ` (attempt ${r.attempts})` : ""}${pd}</td><td>${since(r.since, zone)}</td><td>${counts(r.counters)}${driver}</td><td>${last}</td></tr>`;
}

/** A relay's row. */
function relayRow(r: StatusRelay, zone: string): Html {
  const dc = r.driverCounters;
  const driver = dc
    ? ` · completed ${dc.completed} · in flight ${dc.inFlight} · timeouts ${dc.timeouts}`
    : "";
  return html`<tr data-device="${r.id}"><td>${r.id}</td><td>${r.driver}</td><td>${health(r)}</td><td>${since(r.since, zone)}</td><td>pulses ${r.pulses} · relay failures ${r.relayFailures}${driver}</td></tr>`;
}

/** An input's row (D1): its level and since when. */
function inputRow(i: StatusInput, zone: string): Html {
  return html`<tr data-device="${i.id}"><td>${i.id}</td><td>${i.driver}</td><td>${health(i)}</td><td>${i.level}${i.levelSince ? ` since ${localTime(i.levelSince, zone)}` : ""}</td></tr>`;
}

/**
 * The page's device sections (problems, readers, relays, inputs, links), as the status says now:
 * the page's top, and what its script fetches again every few seconds.
 */
function deviceSections(ctx: ConsoleContext, session: WebSession): Html {
  const s = ctx.status();
  const zone = siteZone(ctx.store);
  const links = [
    ...(s.mqtt ? [{ ...s.mqtt, id: "mqtt broker", driver: s.mqtt.url }] : []),
    ...(s.sync ? [{ ...s.sync, id: "sync link", driver: s.sync.url }] : []),
  ];
  return html`<section><h2>Problems</h2>${
    s.problems.length === 0
      ? html`<p>No problems.</p>`
      : html`<ul class="problems">${s.problems.map((p) => html`<li>${p}</li>`)}</ul>`
  }</section>
<section><h2>Readers</h2><table><thead><tr><th>Id</th><th>Driver</th><th>Health</th><th>Since</th><th>Counters</th><th>Last scan</th></tr></thead><tbody>${s.readers.map((r) => readerRow(ctx, r, zone, session))}</tbody></table></section>
<section><h2>Relays</h2><table><thead><tr><th>Id</th><th>Driver</th><th>Health</th><th>Since</th><th>Counters</th></tr></thead><tbody>${s.relays.map((r) => relayRow(r, zone))}</tbody></table></section>
<section><h2>Inputs</h2>${
    s.inputs.length === 0
      ? html`<p>No inputs configured.</p>`
      : html`<table><thead><tr><th>Id</th><th>Driver</th><th>Health</th><th>Level</th></tr></thead><tbody>${s.inputs.map((i) => inputRow(i, zone))}</tbody></table>`
  }</section>
${links.length > 0 ? html`<section><h2>Links</h2><table><tbody>${links.map((l) => html`<tr><td>${l.id}</td><td>${l.driver}</td><td>${health(l)}</td><td>${since(l.since, zone)}</td></tr>`)}</tbody></table></section>` : ""}`;
}

/** The devices page: the device sections (kept up to date by devices.js), then reload and log level. */
function devicesPage(ctx: ConsoleContext, req: WebRequest, session: WebSession): WebResponse {
  const csrf = html`<input type="hidden" name="_csrf" value="${session.csrf}">`;
  const body = html`<div id="devices" data-refresh="${PAGE}/sections">${deviceSections(ctx, session)}</div>
<section><h2>Reload</h2><p>Reads the gateway's configuration file again and restarts only what changed; a file with any problem is refused whole.</p>
<form method="post" action="${PAGE}/reload">${csrf}<button>Reload the configuration</button></form></section>
<section><h2>Log level</h2><form method="post" action="${PAGE}/log-level" class="action">${csrf}
<label>Level <select name="level">${[...LOG_LEVELS, "reset"].map((l) => html`<option${l === TROUBLESHOOT_LEVEL ? html` selected` : ""}>${l}</option>`)}</select></label>
<label>For <input name="for" placeholder="e.g. 10m, 2h (empty: until reset)"></label>
<label>Why <input name="why" maxlength="500"></label>
<button>Set</button></form></section>`;
  return consolePage(session, req.path, "Devices", body, ctx.notices.take(session), [
    "/console/assets/devices.js",
  ]);
}

/** cli.md reload: the outcome, changes or problems, for the page. */
async function reload(ctx: ConsoleContext, session: WebSession): Promise<WebResponse> {
  let notice: Notice;
  try {
    const outcome = await ctx.reload();
    ctx.logger.info({ user: session.user, ok: outcome.ok }, "console: reload asked for");
    notice = outcome.ok
      ? { ok: true, text: `reloaded ${outcome.file}: ${outcome.changes.join("; ") || "nothing changed"}` }
      : {
          ok: false,
          text: `reload refused, the running configuration stays: ${outcome.problems.join("; ")}`,
        };
  } catch (err) {
    notice = { ok: false, text: `reload failed: ${(err as Error).message}` };
  }
  ctx.notices.set(session, notice);
  return redirect(PAGE);
}

/** `accessgw log-level LEVEL [--for D]` for the logged-in user. */
function logLevel(ctx: ConsoleContext, req: WebRequest, session: WebSession): WebResponse {
  const f = formFields(req);
  const forText = field(f, "for");
  const forMs = forText === undefined ? null : parseDuration(forText);
  let notice: Notice;
  if (forText !== undefined && (forMs === null || forMs > MAX_FOR_MS))
    notice = { ok: false, text: `for "${forText}" is not a duration up to 24h: use e.g. 90s, 10m or 2h` };
  else {
    const request = {
      daemon: "log-level",
      level: field(f, "level"),
      forMs,
      who: session.user,
      why: field(f, "why") ?? null,
    };
    const reply = ctx.logLevel(request);
    notice = reply.ok
      ? {
          ok: true,
          text: `log level ${reply.level}${reply.until ? ` until ${localTime(reply.until, siteZone(ctx.store))}` : ""} (configured: ${reply.configured})`,
        }
      : { ok: false, text: `log level not changed: ${reply.error}` };
  }
  ctx.notices.set(session, notice);
  return redirect(PAGE);
}

/** Adds the devices page, reload and log level. */
export function devicesRoutes(router: Router, ctx: ConsoleContext): void {
  router.add("GET", PAGE, "technician", (req, session) => devicesPage(ctx, req, session));
  router.add("GET", `${PAGE}/sections`, "technician", (_req, session) =>
    htmlResponse(deviceSections(ctx, session).text),
  );
  router.add("POST", `${PAGE}/reload`, "technician", (_req, session) => reload(ctx, session));
  router.add("POST", `${PAGE}/log-level`, "technician", (req, session) => logLevel(ctx, req, session));
}
