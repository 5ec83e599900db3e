/**
 * The daemon's HTTP server (config/http.ts): GET /metrics in the Prometheus text format, GET
 * /healthz and /readyz as JSON, and the console's pages when the daemon has one; HTTPS when `tls`
 * names a certificate and key. The server itself runs in a worker thread (httpWorker.js) so that no
 * request waits behind the doors' event loop: this side posts the exposition text every second,
 * answers the health questions, and hands console requests to the console. Outside input never
 * throws out of a handler: a bad request is answered or its socket closed, and the doors go on.
 */
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { AccessGwError } from "../../config/errors.js";
import { type HttpSettings, type ListenAddress, parseListen } from "../../config/http.js";
import type { WebRequest, WebResponse } from "../../web/webTypes.js";
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
  /** The console: answers the other paths (undefined: 404); without it they are all 404. */
  app?: (req: WebRequest) => Promise<WebResponse | undefined>;
  /** How often the exposition text is made again for /metrics, in ms (1000 by default). */
  snapshotMs?: number;
  /** How long /healthz and /readyz wait for this thread before they answer that it is stuck (ms). */
  askTimeoutMs?: number;
}

/** A request that takes longer than this (a slow or stuck client) is cut off. */
const REQUEST_TIMEOUT_MS = 10_000;
/** /healthz and /readyz wait this long for the main thread before they say it is stuck. */
const ASK_TIMEOUT_MS = 2_000;
/** A console request waits this long for its answer. */
const FORWARD_TIMEOUT_MS = 30_000;
/** The largest console request body (the editor's drafts are far smaller). */
const BODY_LIMIT = 1024 * 1024;

/** A request from the worker, as plain data. */
interface ForwardedRequest {
  type: "request";
  id: number;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
  remote: string;
  secure: boolean;
}

/** What the worker says. */
type FromWorker =
  | { type: "listening"; host: string; port: number }
  | { type: "listen-error"; code?: string; message: string }
  | { type: "ask"; id: number; route: "healthz" | "readyz" }
  | ForwardedRequest
  | { type: "stream-closed"; id: number }
  | { type: "snapshot-taken"; seq: number }
  | { type: "log"; level: "debug" | "warn" | "error"; msg: string; detail: Record<string, unknown> }
  | { type: "stopped" };

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

/** The server as a daemon feature. */
export class HttpServer implements Feature {
  readonly name = "http";
  private readonly o: HttpServerOptions;
  private worker: Worker | undefined;
  private listening: ListenAddress | undefined;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private readonly acks = new Map<number, () => void>();
  private readonly streams = new Map<number, () => void>();
  private stopped: (() => void) | undefined;
  private exited = false;

  constructor(options: HttpServerOptions) {
    this.o = options;
  }

  /**
   * Reads the TLS files (a problem with them refuses the start), makes the first exposition text and
   * starts the server. An address that is taken is logged and left: the doors matter more.
   */
  async start(): Promise<void> {
    const { settings, file } = this.o;
    const listen = parseListen(settings.listen) as ListenAddress;
    const tls = settings.tls ? readTls(file, settings.tls) : null;
    const worker = new Worker(new URL("./httpWorker.js", import.meta.url), {
      workerData: {
        host: listen.host,
        port: listen.port,
        tls,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        askTimeoutMs: this.o.askTimeoutMs ?? ASK_TIMEOUT_MS,
        forwardTimeoutMs: FORWARD_TIMEOUT_MS,
        bodyLimit: BODY_LIMIT,
        forward: this.o.app !== undefined,
      },
    });
    this.worker = worker;
    this.exited = false;
    const started = new Promise<FromWorker>((resolve) => {
      worker.on("message", (m: FromWorker) => {
        if (m.type === "listening" || m.type === "listen-error") resolve(m);
        else this.onMessage(m);
      });
      worker.once("error", (err) => resolve({ type: "listen-error", message: err.message }));
    });
    worker.on("error", (err) => this.o.logger.error({ err }, "http: the server failed"));
    worker.on("exit", (code) => {
      this.exited = true;
      if (this.worker === worker && !this.stopped)
        this.o.logger.error({ code }, "http: the server stopped; /metrics, /healthz and /readyz are off");
    });
    await this.refresh();
    const outcome = await started;
    if (outcome.type === "listen-error") {
      const tlsProblem = tls !== null && outcome.code === undefined;
      if (tlsProblem) {
        await this.stop();
        throw new AccessGwError(
          "CONFIG_INVALID",
          `${file}: http.tls: ${settings.tls?.cert} and ${settings.tls?.key} are not a usable certificate and key (${outcome.message})`,
        );
      }
      this.o.logger.error(
        { err: { code: outcome.code, message: outcome.message }, host: listen.host, port: listen.port },
        "http: cannot listen; /metrics, /healthz and /readyz are off until the next start",
      );
      await this.stop();
      return;
    }
    if (outcome.type !== "listening") return;
    this.listening = { host: outcome.host, port: outcome.port };
    this.timer = setInterval(() => void this.refresh(), this.o.snapshotMs ?? 1000);
    this.timer.unref();
    this.o.logger.info(
      { ...this.listening, tls: settings.tls !== undefined, console: this.o.app !== undefined },
      this.o.app
        ? "http: serving the console, /metrics, /healthz, /readyz"
        : "http: serving /metrics, /healthz, /readyz",
    );
  }

  /** Stops listening and closes every connection (a scrape or an event stream in progress is cut). */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    clearInterval(this.timer);
    for (const close of this.streams.values()) close();
    this.streams.clear();
    const stopped = new Promise<void>((resolve) => {
      this.stopped = resolve;
      worker.once("exit", () => resolve());
    });
    if (!this.exited) {
      worker.postMessage({ type: "stop" });
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    await worker.terminate();
    this.worker = undefined;
    this.listening = undefined;
    this.stopped = undefined;
    for (const ack of this.acks.values()) ack();
    this.acks.clear();
  }

  /** Where the server listens (the port the system chose for port 0); undefined when not listening. */
  address(): ListenAddress | undefined {
    return this.listening;
  }

  /**
   * Makes the exposition text now and hands it to the server; resolves once the server has it, so a
   * scrape after this sees everything counted before it. A failure is logged; the older text stays.
   */
  async refresh(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    let text: string;
    try {
      text = await this.o.metrics.scrape();
    } catch (err) {
      this.o.logger.error({ err }, "http: the metrics could not be read; /metrics shows the last ones");
      return;
    }
    const seq = ++this.seq;
    const taken = new Promise<void>((resolve) => this.acks.set(seq, resolve));
    worker.postMessage({ type: "snapshot", seq, text, contentType: this.o.metrics.contentType });
    await taken;
  }

  /** Handles what the worker asks; never throws. */
  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case "snapshot-taken":
        this.acks.get(m.seq)?.();
        this.acks.delete(m.seq);
        return;
      case "ask": {
        const answer = this.health(m.route);
        this.worker?.postMessage({ type: "answer", id: m.id, ...answer });
        return;
      }
      case "request":
        void this.forwarded(m);
        return;
      case "stream-closed":
        this.streams.get(m.id)?.();
        this.streams.delete(m.id);
        return;
      case "log":
        this.o.logger[m.level](m.detail, m.msg);
        return;
      case "stopped":
        this.stopped?.();
        return;
    }
  }

  /** /healthz or /readyz; a failure to work it out is a 503 naming it. */
  private health(route: "healthz" | "readyz"): HealthAnswer {
    try {
      return route === "healthz" ? this.o.live() : this.o.ready();
    } catch (err) {
      this.o.logger.error({ err, route }, "http: health check failed");
      return {
        code: 503,
        body: { status: "unavailable", problems: [`the ${route} check failed: ${(err as Error).message}`] },
      };
    }
  }

  /** A console request: answered by the app, whole or as a stream; a throw is a 500, logged. */
  private async forwarded(m: ForwardedRequest): Promise<void> {
    const post = (message: Record<string, unknown>) => this.worker?.postMessage({ ...message, id: m.id });
    let answer: WebResponse | undefined;
    try {
      answer = await this.o.app?.(webRequest(m));
    } catch (err) {
      this.o.logger.error({ err, path: m.url }, "http: request failed");
      answer = {
        status: 500,
        headers: { "Content-Type": "application/json; charset=utf-8" },
        body: '{"error":"internal error; see the daemon\'s log"}\n',
      };
    }
    if (!answer) {
      const path = new URL(m.url, "http://localhost").pathname;
      post({
        type: "answer",
        status: 404,
        headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
        body: `${JSON.stringify({ error: `no such path: ${path}` })}\n`,
      });
      return;
    }
    if (answer.stream) {
      post({ type: "stream-open", status: answer.status, headers: answer.headers ?? {} });
      const ended = () => {
        const close = this.streams.get(m.id);
        if (!close) return;
        this.streams.delete(m.id);
        post({ type: "stream-end" });
        close();
      };
      // Registered before open: a stream may end itself at once (its session already over).
      this.streams.set(m.id, () => {});
      const close = answer.stream.open((chunk) => post({ type: "stream-data", chunk }), ended);
      if (this.streams.has(m.id)) this.streams.set(m.id, close);
      else close();
      return;
    }
    post({ type: "answer", status: answer.status, headers: answer.headers ?? {}, body: answer.body });
  }
}

/** The worker's plain request as the console's WebRequest. */
function webRequest(m: ForwardedRequest): WebRequest {
  const url = new URL(m.url, "http://localhost");
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(m.headers))
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  return {
    method: m.method,
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: Buffer.from(m.body),
    remote: m.remote,
    secure: m.secure,
    params: {},
  };
}
