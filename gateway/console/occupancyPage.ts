/**
 * The occupancy page (viewer): per area, the members present now against its capacity. Present is
 * R12's count, the one `area_full` is decided by: members whose last movement today in the area was
 * an entry (presence is forgotten at local midnight).
 */
import { html } from "../../web/html.js";
import type { Router } from "../../web/router.js";
import type { WebResponse, WebSession } from "../../web/webTypes.js";
import { siteModel } from "../decisions.js";
import { localNow } from "../engine/clock.js";
import { presentMembers } from "./consoleQueries.js";
import type { ConsoleContext } from "./consoleRoutes.js";
import { consolePage, localTime } from "./viewParts.js";

/** The occupancy page. */
function occupancyPage(ctx: ConsoleContext, session: WebSession, path: string): WebResponse {
  const notice = ctx.notices.take(session);
  if (!ctx.store.siteConfig())
    return consolePage(session, path, "Occupancy", html`<p>No site has been imported yet.</p>`, notice);
  const site = siteModel(ctx.store);
  const now = ctx.clock();
  const { startOfDay } = localNow(now, site.zone);
  const rows = [...site.areas.values()].map((area) => {
    const present = presentMembers(ctx.store, area.id, startOfDay, now);
    const capacity = area.capacity;
    const full = capacity !== undefined && present.length >= capacity;
    const who = present.map(
      (m) =>
        html`<li>${m.name ?? m.id} <small>since ${localTime(new Date(m.since).toISOString(), site.zone)}</small></li>`,
    );
    return html`<tr data-area="${area.id}"${full ? html` class="full"` : ""}><td>${area.id}</td><td><strong>${present.length}</strong>${capacity === undefined ? " (no capacity set)" : html` of ${capacity}`}${full ? html` <span class="bad">FULL</span>` : ""}</td><td>${present.length === 0 ? "nobody" : html`<ul>${who}</ul>`}</td></tr>`;
  });
  const body = html`<table><thead><tr><th>Area</th><th>Present</th><th>Who</th></tr></thead><tbody>${rows}</tbody></table>`;
  return consolePage(session, path, "Occupancy", body, notice);
}

/** Adds the occupancy page. */
export function occupancyRoutes(router: Router, ctx: ConsoleContext): void {
  router.add("GET", "/console/occupancy", "viewer", (req, session) => occupancyPage(ctx, session, req.path));
}
