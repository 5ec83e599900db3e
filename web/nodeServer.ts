/**
 * The console's pages on a node:http (or node:https) server: each IncomingMessage becomes a
 * WebRequest (its body read whole, up to a limit: larger is a 413), the handler's WebResponse is
 * written back (a `stream` as Server-Sent Events, kept open until the client leaves). Outside input
 * never stops the program serving: a handler that throws is a 500 with the error logged, a malformed
 * request has its socket closed. Used by the central's editor; generic, so the gateway may use it too.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import type { Logger } from "pino";
import { AccessGwError } from "../config/errors.js";
import type { ListenAddress } from "../config/http.js";
import { escapeHtml } from "./html.js";
import type { WebRequest, WebResponse } from "./webTypes.js";

/** The largest request body read by default: the editor's drafts are a few kB, the forms less. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** A request that takes longer than this to arrive (a slow or stuck client) is cut off. */
const REQUEST_TIMEOUT_MS = 10_000;

/** What a NodeWebServer is handed. */
export interface NodeWebServerOptions {
  listen: ListenAddress;
  /** Answers a request; undefined means no such page (404). A Router's `handle` fits. */
  handle(req: WebRequest): Promise<WebResponse | undefined>;
  logger: Logger;
  /** What it serves, for the log line when it listens ("http: serving <this>"). */
  serving: string;
  maxBodyBytes?: number;
  /** PEM certificate and key: HTTPS (and the session cookie `Secure`). */
  tls?: { cert: Buffer | string; key: Buffer | string };
}

/** A request body over the limit. */
class TooLarge extends Error {}

/** An HTTP server answering through a handler of WebRequests; `start()` listens, `stop()` closes. */
export class NodeWebServer {
  private readonly o: NodeWebServerOptions;
  private server: Server | undefined;

  constructor(options: NodeWebServerOptions) {
    this.o = options;
  }

  /** Listens; an address that cannot be taken is an AccessGwError naming it. */
  async start(): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.serve(req, res);
    const server = this.o.tls ? createHttpsServer(this.o.tls, handler) : createHttpServer(handler);
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    // A malformed request (or a failed TLS handshake) is the client's problem: close its socket.
    server.on("clientError", (_err, socket) => socket.destroy());
    const { host, port } = this.o.listen;
    const error = await new Promise<Error | undefined>((resolve) => {
      server.once("error", resolve);
      server.listen(port, host, () => resolve(undefined));
    });
    if (error)
      throw new AccessGwError("USAGE", `http: cannot listen on ${host}:${port} (${error.message})`, {
        cause: error,
      });
    server.on("error", (err) => this.o.logger.error({ err }, "http: server error"));
    this.server = server;
    this.o.logger.info(
      { ...this.address(), tls: this.o.tls !== undefined },
      `http: serving ${this.o.serving}`,
    );
  }

  /** Stops listening and closes every connection (open event streams included). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** Where it listens (the port the system chose for port 0); undefined when not listening. */
  address(): ListenAddress | undefined {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? { host: a.address, port: a.port } : undefined;
  }

  /** One request, start to end; never throws. */
  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let request: WebRequest | undefined;
    try {
      const body = await readBody(req, this.o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
      request = webRequest(req, body);
      const answer = await this.o.handle(request);
      write(req, res, answer ?? notFound(request));
    } catch (err) {
      if (err instanceof TooLarge) {
        const max = this.o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
        res.setHeader("Connection", "close");
        return write(req, res, refusal(req, 413, `the request body is over the limit of ${max} bytes`));
      }
      this.o.logger.error({ err, method: req.method, path: request?.path }, "http: request failed");
      if (!res.headersSent) write(req, res, refusal(req, 500, "internal error; see the server's log"));
      else res.destroy();
    }
  }
}

/** The body, whole; TooLarge as soon as it is over `max` bytes (a Content-Length over it: at once). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > max) {
    req.resume();
    return Promise.reject(new TooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners("data");
        req.resume();
        reject(new TooLarge());
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The WebRequest of an IncomingMessage and its body. */
export function webRequest(req: IncomingMessage, body: Buffer): WebRequest {
  const url = new URL(req.url ?? "/", "http://localhost");
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers))
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  return {
    method: req.method ?? "GET",
    path: url.pathname,
    query: url.searchParams,
    headers,
    body,
    remote: req.socket.remoteAddress ?? "",
    secure: (req.socket as TLSSocket).encrypted === true,
    params: {},
  };
}

/** Writes an answer: its body (none for HEAD), or its event stream until the client leaves. */
function write(req: IncomingMessage, res: ServerResponse, answer: WebResponse): void {
  if (answer.stream) {
    res.writeHead(answer.status, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      Connection: "keep-alive",
      ...answer.headers,
    });
    res.flushHeaders();
    const close = answer.stream.open(
      (chunk) => res.write(chunk),
      () => res.end(),
    );
    res.on("close", close);
    return;
  }
  res.writeHead(answer.status, answer.headers);
  res.end(req.method === "HEAD" ? undefined : answer.body);
}

/** A 404 naming the path. */
function notFound(req: WebRequest): WebResponse {
  return refusalFor(req.headers.accept, 404, `no such page: ${req.path}`);
}

function refusal(req: IncomingMessage, status: number, message: string): WebResponse {
  return refusalFor(req.headers.accept, status, message);
}

/** A refusal: HTML for a browser's page, JSON for a script (Accept says which). */
function refusalFor(accept: string | undefined, status: number, message: string): WebResponse {
  if ((accept ?? "").includes("text/html"))
    return {
      status,
      headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
      body: `<!doctype html><title>${status}</title><p>${escapeHtml(message)}</p>`,
    };
  return {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
    body: `${JSON.stringify({ error: message })}\n`,
  };
}
