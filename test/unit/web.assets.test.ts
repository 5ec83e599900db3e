import { describe, expect, it } from "vitest";
import { assetHandler, WEB_ASSETS } from "../../web/assetRoutes.js";
import { html } from "../../web/html.js";
import { page } from "../../web/layout.js";
import type { WebRequest } from "../../web/webTypes.js";

const get = (name: string, headers: Record<string, string> = {}): WebRequest => ({
  method: "GET",
  path: `/assets/${name}`,
  query: new URLSearchParams(),
  headers,
  body: Buffer.alloc(0),
  remote: "127.0.0.1",
  secure: false,
  params: { name },
});

describe("the consoles' assets and look (issue 11 §4)", () => {
  const serve = assetHandler(WEB_ASSETS);

  it("serves console.css with its content type, a cache time and an ETag; a matching ETag is a 304", async () => {
    const res = await serve(get("console.css"));
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({
      "Content-Type": "text/css; charset=utf-8",
      "Cache-Control": "public, max-age=300",
    });
    expect(String(res.body)).toContain(".badge.granted");
    const etag = String(res.headers?.ETag);
    expect((await serve(get("console.css", { "if-none-match": etag }))).status).toBe(304);
  });

  it.each(["../layout.ts", "..%2Flayout.ts", ".hidden.css", "layout.ts", "missing.css", "/etc/passwd"])(
    "answers 404 for %j (no file outside the folder, no unknown type)",
    async (name) => {
      expect((await serve(get(name))).status).toBe(404);
    },
  );

  it("keeps the first page small: the style sheet is far under the 200 KB budget", async () => {
    const res = await serve(get("console.css"));
    expect(Buffer.byteLength(res.body ?? "")).toBeLessThan(20_000);
  });

  it("shows a page's notice in the notice area, escaped, and the nav only to the roles it is for", () => {
    const text = page({
      title: "Doors",
      product: "gateway",
      session: { id: "s", user: "vera", role: "viewer", csrf: "tok" },
      nav: [
        { href: "/console", label: "Live", role: "viewer" },
        { href: "/console/devices", label: "Devices", role: "technician" },
      ],
      path: "/console",
      body: html`<p>body</p>`,
      notice: { kind: "error", text: "door <pool> is offline" },
    });
    expect(text).toContain('<p class="notice error" role="alert">door &lt;pool&gt; is offline</p>');
    expect(text).toContain('<a href="/console" aria-current="page">Live</a>');
    expect(text).not.toContain("Devices");
    expect(text).toContain('<input type="hidden" name="_csrf" value="tok">');
  });
});
