/**
 * The server's worker thread: /metrics answered from the text the main thread made last (a scrape
 * never runs the metrics), /healthz telling a stuck main loop by its silence, and the console's
 * requests carried to the main thread and back — whole answers, Server-Sent Events, a body too
 * large, a handler that throws — while the monitoring paths stay the worker's own.
 */
import { request } from "node:http";
import { describe, expect, vi } from "vitest";
import type { HealthAnswer } from "../../gateway/http/health.js";
import { HttpServer } from "../../gateway/http/httpServer.js";
import type { WebRequest, WebResponse } from "../../web/webTypes.js";
import { it } from "../harness/index.js";
import { httpGet } from "../helpers/httpGet.js";
import { silentLogger } from "../helpers/logs.js";

const OK: HealthAnswer = { code: 200, body: { status: "ok", problems: [] } };

/** A server on a free port whose metrics count how often they were made. */
function server(o: {
  live?: () => HealthAnswer;
  app?: (req: WebRequest) => Promise<WebResponse | undefined>;
  snapshotMs?: number;
  askTimeoutMs?: number;
}) {
  const made = { count: 0 };
  const s = new HttpServer({
    settings: { listen: "127.0.0.1:0" },
    file: "gateway.yaml",
    metrics: {
      scrape: async () => {
        made.count++;
        return `# TYPE made counter\nmade_total ${made.count}\n`;
      },
      contentType: "text/plain; version=0.0.4",
    },
    live: o.live ?? (() => OK),
    ready: () => OK,
    logger: silentLogger(),
    ...(o.app ? { app: o.app } : {}),
    snapshotMs: o.snapshotMs ?? 60_000,
    ...(o.askTimeoutMs ? { askTimeoutMs: o.askTimeoutMs } : {}),
  });
  return { s, made };
}

describe("the monitoring paths, in the worker", () => {
  it("answers /metrics from the text made last, without making it again; refresh() makes it now", async ({
    started,
  }) => {
    const { s, made } = server({});
    await started(s);
    const url = `http://127.0.0.1:${s.address()?.port}/metrics`;
    expect(made.count).toBe(1); // made once before the server listened
    expect((await httpGet(url)).body).toContain("made_total 1");
    expect((await httpGet(url)).body).toContain("made_total 1");
    expect(made.count).toBe(1);
    await s.refresh();
    expect((await httpGet(url)).body).toContain("made_total 2");
  });

  it("makes the text again every snapshotMs", async ({ started }) => {
    const { s, made } = server({ snapshotMs: 20 });
    await started(s);
    await vi.waitFor(() => expect(made.count).toBeGreaterThanOrEqual(3), { timeout: 5000, interval: 10 });
    const body = (await httpGet(`http://127.0.0.1:${s.address()?.port}/metrics`)).body;
    expect(Number(/made_total (\d+)/.exec(body)?.[1])).toBeGreaterThanOrEqual(3);
  });

  it("answers /healthz 503 when the main loop does not answer in time, and 200 once it does again", async ({
    started,
  }) => {
    let stuck = true;
    const { s } = server({
      askTimeoutMs: 100,
      live: () => {
        // The main loop blocked for longer than the worker waits: a stuck gateway.
        const until = Date.now() + (stuck ? 400 : 0);
        while (Date.now() < until) {}
        return OK;
      },
    });
    await started(s);
    const url = `http://127.0.0.1:${s.address()?.port}/healthz`;
    const answer = await httpGet(url);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toEqual({
      status: "unavailable",
      problems: ["the gateway's main loop has not answered for 0.1 s (busy or stuck)"],
    });
    stuck = false;
    expect((await httpGet(url)).status).toBe(200);
  });
});

/** Sends a request with a body; the answer's status, headers and body. */
function send(url: string, method: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(url, { method, headers, agent: false }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on("error", reject);
      req.end(body);
    },
  );
}

describe("the console's requests", () => {
  it("carries method, path, query, headers, body and address to the console, and its answer back", async ({
    started,
  }) => {
    const seen: WebRequest[] = [];
    const { s } = server({
      app: async (req) => {
        seen.push(req);
        if (req.path !== "/console/x") return undefined;
        return {
          status: 201,
          headers: { "Content-Type": "text/plain", "Set-Cookie": ["a=1; HttpOnly", "b=2"] },
          body: `got ${req.body.toString()}`,
        };
      },
    });
    await started(s);
    const base = `http://127.0.0.1:${s.address()?.port}`;
    const answer = await send(`${base}/console/x?who=me`, "POST", "name=Ann", { "X-CSRF-Token": "t" });
    expect(answer).toMatchObject({ status: 201, body: "got name=Ann" });
    expect(answer.headers["set-cookie"]).toEqual(["a=1; HttpOnly", "b=2"]);
    expect(seen[0]).toMatchObject({
      method: "POST",
      path: "/console/x",
      remote: "127.0.0.1",
      secure: false,
      params: {},
    });
    expect(seen[0]?.query.get("who")).toBe("me");
    expect(seen[0]?.headers["x-csrf-token"]).toBe("t");

    const missing = await httpGet(`${base}/nothing/here`);
    expect([missing.status, JSON.parse(missing.body)]).toEqual([
      404,
      { error: "no such path: /nothing/here" },
    ]);
    // The monitoring paths stay the worker's own.
    expect((await httpGet(`${base}/healthz`)).status).toBe(200);
    expect(seen.map((r) => r.path)).toEqual(["/console/x", "/nothing/here"]);
  });

  it("answers 500 when the console throws, and goes on; 413 for a body over 1 MiB, unseen by the console", async ({
    started,
  }) => {
    let calls = 0;
    const { s } = server({
      app: async (req) => {
        calls++;
        if (req.path === "/boom") throw new Error("boom");
        return { status: 200, body: "fine" };
      },
    });
    await started(s);
    const base = `http://127.0.0.1:${s.address()?.port}`;
    const boom = await httpGet(`${base}/boom`);
    expect([boom.status, JSON.parse(boom.body)]).toEqual([
      500,
      { error: "internal error; see the daemon's log" },
    ]);
    expect((await httpGet(`${base}/fine`)).body).toBe("fine");
    const big = await send(`${base}/fine`, "POST", Buffer.alloc(1024 * 1024 + 1, 97));
    expect(big.status).toBe(413);
    expect(calls).toBe(2);
  });

  it("streams Server-Sent Events to the client and tells the console when the client leaves", async ({
    started,
  }) => {
    const left = vi.fn();
    const sends: Array<(chunk: string) => void> = [];
    const { s } = server({
      app: async () => ({
        status: 200,
        headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-store" },
        stream: {
          open: (write) => {
            sends.push(write);
            write(": hello\n\n");
            return left;
          },
        },
      }),
    });
    await started(s);
    const chunks: string[] = [];
    const req = request(`http://127.0.0.1:${s.address()?.port}/console/live/events`, { agent: false });
    const res = await new Promise<import("node:http").IncomingMessage>((resolve) => {
      req.on("response", resolve);
      req.end();
    });
    expect(res.headers["content-type"]).toBe("text/event-stream");
    res.setEncoding("utf8");
    res.on("data", (c: string) => chunks.push(c));
    await vi.waitFor(() => expect(chunks.join("")).toBe(": hello\n\n"));
    sends[0]?.('event: decision\ndata: {"door":"pool-gate"}\n\n');
    await vi.waitFor(() => expect(chunks.join("")).toContain('data: {"door":"pool-gate"}'));
    req.destroy();
    await vi.waitFor(() => expect(left).toHaveBeenCalledTimes(1));
  });

  it("ends a stream the console ends (its session is over): the client's response ends, the console is told once", async ({
    started,
  }) => {
    const closed = vi.fn();
    const ends: Array<() => void> = [];
    const { s } = server({
      app: async () => ({
        status: 200,
        headers: { "Content-Type": "text/event-stream" },
        stream: {
          open: (write, end) => {
            write(": hello\n\n");
            ends.push(end);
            return closed;
          },
        },
      }),
    });
    await started(s);
    const body = await new Promise<string>((resolve) => {
      const req = request(`http://127.0.0.1:${s.address()?.port}/console/live/stream`, { agent: false });
      req.on("response", (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
          ends[0]?.();
        });
        res.on("end", () => resolve(text));
      });
      req.end();
    });
    expect(body).toBe(": hello\n\n");
    await vi.waitFor(() => expect(closed).toHaveBeenCalledTimes(1));
  });
});
