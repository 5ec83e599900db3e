/**
 * The front desk's page and actions (desk): doors.md D5's open, admit (the pack chosen), door modes
 * and emergency, carried out by the gateway's command service exactly as the command line's are
 * (done once per id, recorded), with the logged-in user as operator and the reason the form asks
 * for. Every action answers with a redirect to a page showing its outcome (post/redirect/get).
 */
import { randomUUID } from "node:crypto";
import { html } from "../../web/html.js";
import type { Router } from "../../web/router.js";
import {
  formFields,
  redirect,
  type WebRequest,
  type WebResponse,
  type WebSession,
} from "../../web/webTypes.js";
import type { CommandReply } from "../frontDesk/commandService.js";
import type { ConsoleContext } from "./consoleRoutes.js";
import { admitForm, doorForms } from "./deskForms.js";
import { panels } from "./livePage.js";
import { consolePage, FormError, field, type Notice, siteZone, timeField } from "./viewParts.js";

type Verb = "open" | "admit" | "door" | "emergency";

/** The front desk page: the doors as they are now, and the forms. */
function deskPage(ctx: ConsoleContext, req: WebRequest, session: WebSession): WebResponse {
  const doors = ctx.config().doors.map((d) => d.id);
  const body = html`<div id="panels">${panels(ctx)}</div>
${admitForm(session, { readers: ctx.config().readers, back: req.path })}
${doorForms(session, doors, req.path)}`;
  return consolePage(session, req.path, "Front desk", body, ctx.notices.take(session));
}

/** Where to go after an action: a console page the form named, else the front desk page. */
function backTo(fields: URLSearchParams): string {
  const back = field(fields, "back") ?? "";
  return /^\/console(\/[\w\-.~%/]*)?$/.test(back) && !back.includes("//") ? back : "/console/desk";
}

/** The command's args from the form (the command service checks them against D5's schema). */
function argsOf(verb: Verb, f: URLSearchParams, ctx: ConsoleContext): Record<string, unknown> {
  switch (verb) {
    case "open": {
      const direction = field(f, "direction");
      return { door: field(f, "door"), ...(direction === undefined ? {} : { direction }) };
    }
    case "admit": {
      const pack = field(f, "pack");
      const free = pack === "free" || field(f, "free") === "1";
      return {
        card: field(f, "card"),
        reader: field(f, "reader"),
        ...(free ? { free: true } : pack === undefined ? {} : { multipack: pack }),
      };
    }
    case "door": {
      const untilText = field(f, "until");
      const zone = siteZone(ctx.store);
      const until = untilText === undefined ? undefined : timeField(untilText, "until", zone, ctx.clock());
      return {
        door: field(f, "door"),
        mode: field(f, "mode"),
        ...(until === undefined ? {} : { until: new Date(until).toISOString() }),
      };
    }
    case "emergency": {
      const doors = f.getAll("doors").filter((d) => d.trim() !== "");
      return { on: field(f, "on") === "1", ...(doors.length === 0 ? {} : { doors }) };
    }
  }
}

/** What the command did, in words for the page it returns to. */
function outcome(verb: Verb, args: Record<string, unknown>, reply: CommandReply): Notice {
  if (!reply.ok) return { ok: false, text: `${verb} refused: ${reply.error ?? "no reason given"}` };
  switch (verb) {
    case "open":
      return { ok: true, text: `door ${String(args.door)} opened once` };
    case "admit":
      return {
        ok: true,
        text: `admitted: ${reply.decision?.message ?? "granted"} (${reply.decision?.reason ?? ""})`,
      };
    case "door":
      return { ok: true, text: `door ${String(args.door)} is now ${String(args.mode)}` };
    case "emergency":
      return {
        ok: true,
        text: `emergency ${args.on ? "on: doors released" : "off: doors back to their modes"} (${reply.doorEventIds.length} door events)`,
      };
  }
}

/** Carries out one front-desk action from its form; the outcome waits for the page it redirects to. */
async function act(
  ctx: ConsoleContext,
  verb: Verb,
  req: WebRequest,
  session: WebSession,
): Promise<WebResponse> {
  const fields = formFields(req);
  const back = backTo(fields);
  let notice: Notice;
  try {
    const reason = field(fields, "reason");
    // D5: staff say why; the form asks, and an action without a reason is not carried out.
    if (reason === undefined)
      throw new FormError(`${verb} not done: a reason is required (it is recorded with your name)`);
    const args = argsOf(verb, fields, ctx);
    const command = {
      id: randomUUID(),
      at: new Date(ctx.clock()).toISOString(),
      verb,
      args,
      operator: session.user,
      reason,
    };
    const reply = await ctx.commands.handle(command, "local");
    // An admit or open recorded a decision: the live pages show it now.
    ctx.decisions.poke?.();
    notice = outcome(verb, args, reply);
  } catch (err) {
    if (!(err instanceof FormError)) throw err;
    notice = { ok: false, text: err.message };
  }
  ctx.notices.set(session, notice);
  return redirect(back);
}

/** Adds the front desk page and its four actions. */
export function deskRoutes(router: Router, ctx: ConsoleContext): void {
  router.add("GET", "/console/desk", "desk", (req, session) => deskPage(ctx, req, session));
  for (const verb of ["open", "admit", "door", "emergency"] as const)
    router.add("POST", `/console/desk/${verb}`, "desk", (req, session) => act(ctx, verb, req, session));
}
