/**
 * The one look of the gateway's console and the central's editor: a page shell with the product's
 * name, the pages the user's role may open, who is logged in (with a logout button carrying the
 * CSRF token) and the page's content. Served HTML, readable on a phone and a front-desk tablet.
 */
import { type Html, html } from "./html.js";
import { type Role, roleAtLeast, type WebSession } from "./webTypes.js";

/** A page in the navigation, shown to `role` and the roles above it. */
export interface NavItem {
  href: string;
  label: string;
  role: Role;
}

/** What a page is made of. */
export interface PageParts {
  title: string;
  /** Which console: "gateway" or "central" (named in the header). */
  product: string;
  session?: WebSession;
  nav: readonly NavItem[];
  /** The current path, so its navigation link is marked. */
  path: string;
  body: Html;
  /** Scripts of the package's assets to load (e.g. "/assets/live.js"). */
  scripts?: readonly string[];
  /** A message above the content: what went wrong (error), what was done (ok), or a hint (info). */
  notice?: Notice;
}

/** A message shown above a page's content. */
export interface Notice {
  kind: "error" | "ok" | "info";
  text: string;
}

/** The notice area; role=alert makes a screen reader say an error at once. */
function noticeHtml(n: Notice | undefined): Html | string {
  if (!n) return "";
  return html`<p class="notice ${n.kind}" role="${n.kind === "error" ? "alert" : "status"}">${n.text}</p>`;
}

/** The whole HTML document of a page. */
export function page(p: PageParts): string {
  const links = p.nav.filter((n) => p.session && roleAtLeast(p.session.role, n.role));
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${p.session ? html`<meta name="csrf-token" content="${p.session.csrf}">` : ""}
<title>${p.title} · accessgw ${p.product}</title>
<link rel="stylesheet" href="/assets/console.css">
</head>
<body>
<header>
<span class="brand">accessgw <span>${p.product}</span></span>
${links.length > 0 ? html`<nav>${links.map((n) => html`<a href="${n.href}"${n.href === p.path ? html` aria-current="page"` : ""}>${n.label}</a>`)}</nav>` : ""}
${
  p.session
    ? html`<form method="post" action="/logout" class="who"><span>${p.session.user} <small>${p.session.role}</small></span><input type="hidden" name="_csrf" value="${p.session.csrf}"><button class="quiet">Log out</button></form>`
    : ""
}
</header>
<main>
<h1>${p.title}</h1>
${noticeHtml(p.notice)}
${p.body}
</main>
${(p.scripts ?? []).map((s) => html`<script src="${s}" defer></script>`)}
</body>
</html>
`.text;
}
