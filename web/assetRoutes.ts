/**
 * The consoles' static files (style sheet, small ES modules, icons), served from a folder of the
 * package: web/assets/ in the sources, dist/web/assets/ once built (the build copies them, tsc does
 * not). Only a plain file name is served (no folder, no `..`), with its content type, an ETag and a
 * short cache, so a tablet at the front desk does not fetch the style sheet on every page.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Router } from "./router.js";
import type { WebHandler, WebResponse } from "./webTypes.js";

/** This package's shared assets: console.css and the scripts both consoles use. */
export const WEB_ASSETS = fileURLToPath(new URL("./assets/", import.meta.url));

const TYPES: Record<string, string> = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

/** A name that is a file of the folder itself: no separators, no leading dot, a known extension. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The assets may change with an upgrade: a browser asks again after 5 minutes (and gets a 304). */
const CACHE = "public, max-age=300";

/** A handler serving the files of `folder` under a route with a `:name` part. */
export function assetHandler(folder: string): WebHandler {
  return async (req): Promise<WebResponse> => {
    const name = req.params.name ?? "";
    const type = TYPES[extname(name).toLowerCase()];
    if (!FILE_NAME.test(name) || name.includes("..") || type === undefined) return notFound(name);
    let body: Buffer;
    try {
      body = await readFile(join(folder, name));
    } catch {
      return notFound(name);
    }
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    const headers = { "Content-Type": type, "Cache-Control": CACHE, ETag: etag };
    if (req.headers["if-none-match"] === etag) return { status: 304, headers };
    return { status: 200, headers, body: req.method === "HEAD" ? "" : body };
  };
}

/** Mounts this package's shared assets at /assets/NAME (public: the login page needs its style). */
export function addAssetRoutes(router: Router, folder = WEB_ASSETS): void {
  router.open("GET", "/assets/:name", assetHandler(folder));
}

function notFound(name: string): WebResponse {
  return {
    status: 404,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    body: `no asset ${JSON.stringify(name)}\n`,
  };
}
