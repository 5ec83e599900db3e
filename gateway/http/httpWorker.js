// @ts-check
/**
 * The daemon's HTTP(S) server, in a worker thread of its own (gateway/http/httpServer.ts starts it),
 * so that a scrape never waits behind the doors: the main thread's event loop decides scans, and a
 * request that had to wait for it would wait as long as the busiest scan burst.
 *
 * - GET /metrics is answered here, from the latest exposition text the main thread posted (it
 *   posts one every second, and on request).
 * - GET /healthz and /readyz are asked of the main thread, which answers at once when its event
 *   loop runs; no answer within `askTimeoutMs` is itself the answer: 503, the main loop is stuck.
 * - Any other path goes to the main thread's console (when it has one) as plain data, and its
 *   answer comes back whole or, for Server-Sent Events, as a stream of chunks.
 *
 * Plain JavaScript checked by tsc (checkJs), because a worker is started from a file, and this one
 * must start the same way from the sources (tests) and from dist/ (the installed package).
 */
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { parentPort, workerData } from "node:worker_threads";

/**
 * @typedef {object} WorkerSettings
 * @property {string} host
 * @property {number} port
 * @property {{ cert: Uint8Array; key: Uint8Array } | null} tls
 * @property {number} requestTimeoutMs a request that takes longer (a slow or stuck client) is cut off
 * @property {number} askTimeoutMs how long /healthz and /readyz wait for the main thread
 * @property {number} forwardTimeoutMs how long a console request waits for the main thread
 * @property {number} bodyLimit the largest request body forwarded (bytes)
 * @property {boolean} forward whether paths other than the monitoring ones go to the main thread
 */

/** @typedef {{ status: number; headers: Record<string, string | string[]>; body: string | Uint8Array | undefined }} Answer */
/** @typedef {import("node:http").ServerResponse} ServerResponse */
/** @typedef {import("node:http").IncomingMessage} IncomingMessage */

const port = /** @type {import("node:worker_threads").MessagePort} */ (parentPort);
const settings = /** @type {WorkerSettings} */ (workerData);

/** The latest exposition text from the main thread. */
let snapshot = /** @type {{ text: string; contentType: string } | undefined} */ (undefined);
/** Requests waiting for the main thread, by id. */
const waiting = new Map();
/** Event streams open to clients, by id. */
const streams = new Map();
let nextId = 1;

/** @param {"debug" | "warn" | "error"} level @param {string} msg @param {Record<string, unknown>} [detail] */
function log(level, msg, detail = {}) {
  port.postMessage({ type: "log", level, msg, detail });
}

/**
 * Answers with a JSON body (none for HEAD); no caching, as each answer is of this moment.
 * @param {ServerResponse} res @param {number} code @param {unknown} body @param {boolean} [head]
 */
function sendJson(res, code, body, head = false) {
  res.writeHead(code, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  res.end(head ? undefined : `${JSON.stringify(body)}\n`);
}

/**
 * Sends `message` to the main thread and waits for its answer, at most `ms`; undefined when none came.
 * @param {Record<string, unknown>} message @param {number} ms
 * @returns {Promise<{ type: string } & Record<string, any> | undefined>}
 */
function ask(message, ms) {
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      resolve(undefined);
    }, ms);
    waiting.set(id, (/** @type {any} */ answer) => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(answer);
    });
    port.postMessage({ ...message, id });
  });
}

/**
 * Reads a request's body, at most `limit` bytes; undefined when it is longer.
 * @param {IncomingMessage} req @param {number} limit @returns {Promise<Buffer | undefined>}
 */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on("data", (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** @param {IncomingMessage} req @param {ServerResponse} res @param {"healthz" | "readyz"} route */
async function health(req, res, route) {
  const answer = await ask({ type: "ask", route }, settings.askTimeoutMs);
  if (!answer) {
    const seconds = settings.askTimeoutMs / 1000;
    const problem = `the gateway's main loop has not answered for ${seconds} s (busy or stuck)`;
    sendJson(res, 503, { status: "unavailable", problems: [problem] }, req.method === "HEAD");
    return;
  }
  sendJson(res, answer.code, answer.body, req.method === "HEAD");
}

/** @param {IncomingMessage} req @param {ServerResponse} res */
function metrics(req, res) {
  if (!snapshot) {
    sendJson(res, 503, { error: "the metrics are not ready yet; ask again in a second" });
    return;
  }
  res.writeHead(200, { "Content-Type": snapshot.contentType, "Cache-Control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : snapshot.text);
}

/**
 * A console request: sent to the main thread as plain data; its answer written back.
 * @param {IncomingMessage} req @param {ServerResponse} res
 */
async function forward(req, res) {
  const body = await readBody(req, settings.bodyLimit);
  if (body === undefined) {
    sendJson(res, 413, { error: `the request body is larger than ${settings.bodyLimit} bytes` });
    return;
  }
  const socket = /** @type {import("node:net").Socket & { encrypted?: boolean }} */ (req.socket);
  const id = nextId++;
  const request = {
    type: "request",
    method: req.method ?? "GET",
    url: req.url ?? "/",
    headers: req.headers,
    body,
    remote: socket.remoteAddress ?? "",
    secure: socket.encrypted === true,
  };
  const answer = await new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      resolve(undefined);
    }, settings.forwardTimeoutMs);
    waiting.set(id, (/** @type {any} */ a) => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(a);
    });
    port.postMessage({ ...request, id });
  });
  if (!answer) {
    sendJson(res, 504, { error: "the gateway did not answer in time; try again" });
    return;
  }
  if (answer.type === "stream-open") {
    res.writeHead(answer.status, answer.headers);
    res.flushHeaders();
    streams.set(id, res);
    res.on("close", () => {
      if (streams.delete(id)) port.postMessage({ type: "stream-closed", id });
    });
    return;
  }
  res.writeHead(answer.status, answer.headers);
  res.end(req.method === "HEAD" ? undefined : answer.body);
}

/** The monitoring paths, answered here whatever the console does. A Map, so /constructor finds nothing. */
const MONITORING = new Map([
  ["/metrics", "metrics"],
  ["/healthz", "healthz"],
  ["/readyz", "readyz"],
]);

/** Routes a request; any failure is a 500, never a throw. @param {IncomingMessage} req @param {ServerResponse} res */
async function handle(req, res) {
  try {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const route = MONITORING.get(path);
    if (!route) {
      if (settings.forward) return await forward(req, res);
      return sendJson(res, 404, { error: `no such path: ${path} (try /metrics, /healthz, /readyz)` });
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return sendJson(res, 405, { error: `${req.method} is not allowed on ${path}: only GET and HEAD` });
    }
    if (route === "metrics") return metrics(req, res);
    await health(req, res, route === "healthz" ? "healthz" : "readyz");
  } catch (err) {
    log("error", "http: request failed", { path: req.url, message: String(err) });
    if (!res.headersSent) sendJson(res, 500, { error: "internal error; see the daemon's log" });
    else res.destroy();
  }
}

/** @param {IncomingMessage} req @param {ServerResponse} res */
const handler = (req, res) => void handle(req, res);
const server = settings.tls
  ? createHttpsServer({ cert: Buffer.from(settings.tls.cert), key: Buffer.from(settings.tls.key) }, handler)
  : createHttpServer(handler);
server.requestTimeout = settings.requestTimeoutMs;
// A malformed request (or a TLS handshake that fails) is the client's problem: close its socket.
server.on("clientError", (_err, socket) => socket.destroy());
server.on("tlsClientError", (err) => log("debug", "http: TLS handshake failed", { message: err.message }));

port.on("message", (/** @type {any} */ m) => {
  switch (m.type) {
    case "snapshot":
      snapshot = { text: m.text, contentType: m.contentType };
      port.postMessage({ type: "snapshot-taken", seq: m.seq });
      return;
    case "answer":
    case "stream-open":
      waiting.get(m.id)?.(m);
      return;
    case "stream-data":
      streams.get(m.id)?.write(m.chunk);
      return;
    case "stream-end": {
      const res = streams.get(m.id);
      streams.delete(m.id);
      res?.end();
      return;
    }
    case "stop":
      server.close(() => port.postMessage({ type: "stopped" }));
      server.closeAllConnections();
      return;
  }
});

/** @param {Error} err */
const listenFailed = (err) => {
  const code = /** @type {NodeJS.ErrnoException} */ (err).code;
  port.postMessage({ type: "listen-error", code, message: err.message });
};
server.once("error", listenFailed);
server.listen(settings.port, settings.host, () => {
  server.off("error", listenFailed);
  server.on("error", (err) => log("error", "http: server error", { message: err.message }));
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  port.postMessage({ type: "listening", host: address.address, port: address.port });
});
