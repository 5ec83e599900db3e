/**
 * The daemon's HTTP server for monitoring (config/http.ts): GET /metrics in the Prometheus text
 * format, GET /healthz and /readyz as JSON; other paths 404, other methods 405. HTTPS when `tls`
 * names a certificate and key. Outside input never throws out of a handler: a bad request is
 * answered or its socket closed, and the doors go on.
 */
import { readFileSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { AccessGwError } from "../../config/errors.js";
import { type HttpSettings, type ListenAddress, parseListen } from "../../config/http.js";
import type { Feature } from "../features/controller.js";
import type { HealthAnswer } from "./health.js";

/** What the server answers from. */
export interface HttpServerOptions {
  settings: HttpSettings;
  /** The configuration file as given, so that a TLS problem names it. */
  file: string;
  /** The exposition text and its content type. */
  metrics: { scrape(): Promise<string>; readonly contentType: string };
  live: () => HealthAnswer;
  ready: () => HealthAnswer;
  logger: Logger;
}

/** A request that takes longer than this (a slow or stuck client) is cut off. */
const REQUEST_TIMEOUT_MS = 10_000;

/** The TLS files, read now; unreadable ones are a configuration problem naming the file and field. */
function readTls(file: string, tls: NonNullable<HttpSettings["tls"]>): { cert: Buffer; key: Buffer } {
  const read = (field: "cert" | "key") => {
    try {
      return readFileSync(tls[field]);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new AccessGwError(
        "CONFIG_INVALID",
        `${file}: http.tls.${field}: cannot read ${tls[field]} (${code})`,
        {
          cause: err,
        },
      );
    }
  };
  return { cert: read("cert"), key: read("key") };
}

/** The monitoring server as a daemon feature. */
export class HttpServer implements Feature {
  readonly name = "http";
  private readonly o: HttpServerOptions;
  private server: Server | undefined;

  constructor(options: HttpServerOptions) {
    this.o = options;
  }

  /**
   * Reads the TLS files (a problem with them refuses the start) and listens. An address that is
   * taken is logged and left: the doors matter more than their monitoring.
   */
  async start(): Promise<void> {
    const { settings, file } = this.o;
    const listen = parseListen(settings.listen) as ListenAddress;
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    let server: Server;
    if (settings.tls) {
      const files = readTls(file, settings.tls);
      try {
        server = createHttpsServer(files, handler);
      } catch (err) {
        throw new AccessGwError(
          "CONFIG_INVALID",
          `${file}: http.tls: ${settings.tls.cert} and ${settings.tls.key} are not a usable certificate and key (${(err as Error).message})`,
          { cause: err },
        );
      }
    } else server = createHttpServer(handler);
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    // A malformed request (or a TLS handshake that fails) is the client's problem: close its socket.
    server.on("clientError", (_err, socket) => socket.destroy());
    server.on("tlsClientError", (err) => this.o.logger.debug({ err }, "http: TLS handshake failed"));
    const error = await new Promise<Error | undefined>((resolve) => {
      server.once("error", resolve);
      server.listen(listen.port, listen.host, () => resolve(undefined));
    });
    if (error) {
      this.o.logger.error(
        { err: error, host: listen.host, port: listen.port },
        "http: cannot listen; /metrics, /healthz and /readyz are off until the next start",
      );
      return;
    }
    server.on("error", (err) => this.o.logger.error({ err }, "http: server error"));
    this.server = server;
    const at = this.address();
    this.o.logger.info(
      { ...at, tls: settings.tls !== undefined },
      "http: serving /metrics, /healthz, /readyz",
    );
  }

  /** Stops listening and closes every connection (a scrape in progress is cut). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** Where the server listens (the port the system chose for port 0); undefined when not listening. */
  address(): ListenAddress | undefined {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? { host: a.address, port: a.port } : undefined;
  }

  /** Routes a request; any failure is a 500 with the error logged, never a throw. */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      const route = ROUTES.get(path);
      if (!route) return send(res, 404, { error: `no such path: ${path} (try /metrics, /healthz, /readyz)` });
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.setHeader("Allow", "GET, HEAD");
        return send(res, 405, { error: `${req.method} is not allowed on ${path}: only GET and HEAD` });
      }
      if (route === "metrics") {
        const text = await this.o.metrics.scrape();
        res.writeHead(200, { "Content-Type": this.o.metrics.contentType });
        res.end(req.method === "HEAD" ? undefined : text);
        return;
      }
      const answer = route === "healthz" ? this.o.live() : this.o.ready();
      send(res, answer.code, answer.body, req.method === "HEAD");
    } catch (err) {
      this.o.logger.error({ err, path: req.url }, "http: request failed");
      if (!res.headersSent) send(res, 500, { error: "internal error; see the daemon's log" });
      else res.destroy();
    }
  }
}

/** A Map, so that a path such as /constructor finds nothing. */
const ROUTES = new Map<string, "metrics" | "healthz" | "readyz">([
  ["/metrics", "metrics"],
  ["/healthz", "healthz"],
  ["/readyz", "readyz"],
]);

/** Answers with a JSON body (none for HEAD); no caching, as each answer is of this moment. */
function send(res: ServerResponse, code: number, body: unknown, head = false): void {
  res.writeHead(code, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  res.end(head ? undefined : `${JSON.stringify(body)}\n`);
}
