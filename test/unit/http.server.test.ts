/**
 * The monitoring server: /healthz and /readyz of a running gateway (a reader down makes it not
 * ready, named), 404 and 405, bad requests that change nothing, HTTPS with a certificate made for
 * the test, unreadable TLS files refused by name, and a taken port that leaves the doors running.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { AccessGwError } from "../../config/errors.js";
import { GatewayConfig } from "../../config/gateway.js";
import type { HttpSettings } from "../../config/http.js";
import { liveness, readiness } from "../../gateway/http/health.js";
import { HttpServer } from "../../gateway/http/httpServer.js";
import { doorConfig, POOL_GATE } from "../helpers/doorRig.js";
import { httpGet, parseScrape } from "../helpers/httpGet.js";
import { memoryLogger, silentLogger } from "../helpers/logs.js";
import { IDLE_STATUS, it } from "../helpers/monitored.js";

/** pool-gate without its inputs: its devices are the two readers and the board. */
const PLAIN_GATE = doorConfig(
  {},
  { ...POOL_GATE, passage: undefined, passageB: undefined, contact: undefined, rex: undefined },
);

const json = (body: string) => JSON.parse(body) as { status: string; problems: string[] };

describe("GET /healthz and /readyz", () => {
  it("answers 200 while the gateway runs with every door's devices connected", async ({ monitored }) => {
    const { url } = await monitored(PLAIN_GATE);
    const live = await httpGet(`${url}/healthz`);
    expect(live.status).toBe(200);
    expect(live.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(json(live.body)).toEqual({ status: "ok", problems: [] });
    const ready = await httpGet(`${url}/readyz`);
    expect([ready.status, json(ready.body)]).toEqual([200, { status: "ok", problems: [] }]);
  });

  it("answers /readyz 503 naming the door and the reader that is down, while /healthz stays 200", async ({
    monitored,
  }) => {
    const { url, readers } = await monitored(PLAIN_GATE);
    readers.get("pool-out")?.state("waiting", "ENOENT: /dev/ttyUSB1 is gone");

    const ready = await httpGet(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(json(ready.body)).toEqual({
      status: "unavailable",
      problems: ["door pool-gate: reader pool-out is waiting (ENOENT: /dev/ttyUSB1 is gone)"],
    });
    expect((await httpGet(`${url}/healthz`)).status).toBe(200);

    readers.get("pool-out")?.state("open");
    expect((await httpGet(`${url}/readyz`)).status).toBe(200);
  });

  it("answers /readyz 503 naming a door's input that cannot be read", async ({ monitored }) => {
    // doorConfig's inputs are outside the inputs feature: as status shows them, never started.
    const { url } = await monitored();
    const ready = await httpGet(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(json(ready.body).problems).toContain("door pool-gate: input pass-a is not started");
  });

  it("answers /healthz 503 once the gateway is stopping or stopped", async ({ monitored }) => {
    const { url, gateway } = await monitored(PLAIN_GATE);
    await gateway.stop();
    const live = await httpGet(`${url}/healthz`);
    expect([live.status, json(live.body)]).toEqual([
      503,
      { status: "unavailable", problems: ["the gateway is not running (starting, or stopped)"] },
    ]);
    expect(liveness("stopping").body.problems).toEqual(["the gateway is stopping"]);
  });
});

describe("readiness: the cache", () => {
  const idle = IDLE_STATUS;
  const noDoors = GatewayConfig.parse({});

  it("is not ready without a site in the cache, nor while the cache cannot be written (R14: scans refused)", () => {
    expect(readiness(noDoors, idle, { hasSite: true, storageProblems: [] }).code).toBe(200);
    expect(readiness(noDoors, idle, { hasSite: false, storageProblems: [] }).body.problems).toEqual([
      "the cache has no site configuration yet (import one, or wait for the central's)",
    ]);
    const full = "storageFailed: the cache cannot be written since … (SQLITE_FULL: database or disk is full)";
    expect(readiness(noDoors, idle, { hasSite: true, storageProblems: [full] })).toEqual({
      code: 503,
      body: { status: "unavailable", problems: [full] },
    });
  });
});

describe("other requests", () => {
  it("answers 404 for other paths (even the names of object properties) and 405 for other methods", async ({
    monitored,
  }) => {
    const { url } = await monitored(PLAIN_GATE);
    for (const path of ["/", "/nope", "/constructor", "/metrics/extra"])
      expect((await httpGet(`${url}${path}`)).status, path).toBe(404);
    const post = await httpGet(`${url}/metrics`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
    const head = await httpGet(`${url}/healthz`, { method: "HEAD" });
    expect([head.status, head.body]).toEqual([200, ""]);
    // A query string does not change the path.
    expect((await httpGet(`${url}/healthz?verbose=1`)).status).toBe(200);
  });

  it("closes a malformed request and goes on answering", async ({ monitored }) => {
    const { url, server } = await monitored(PLAIN_GATE);
    const port = server.address()?.port as number;
    const reply = await new Promise<string>((resolve) => {
      let text = "";
      const socket = connect(port, "127.0.0.1", () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
      socket.on("data", (b) => {
        text += b.toString();
      });
      socket.on("close", () => resolve(text));
    });
    expect(reply).toBe("");
    expect((await httpGet(`${url}/healthz`)).status).toBe(200);
  });
});

/** A server answering from fixed values, for what does not need a gateway. */
function plainServer(settings: HttpSettings, logger = silentLogger()): HttpServer {
  const ok = () => ({ code: 200 as const, body: { status: "ok" as const, problems: [] } });
  return new HttpServer({
    settings,
    file: "/etc/accessgw/gateway.yaml",
    metrics: {
      scrape: async () => "# HELP up up\n# TYPE up gauge\nup 1\n",
      contentType: "text/plain; version=0.0.4",
    },
    live: ok,
    ready: ok,
    logger,
  });
}

describe("HTTPS and the listen address", () => {
  it("serves over HTTPS with the certificate and key that http.tls names", async ({ folder, started }) => {
    const r = spawnSync(
      "openssl",
      // biome-ignore format: openssl's arguments read best in pairs
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
       "-keyout", "gw.key", "-out", "gw.crt", "-days", "1", "-subj", "/CN=127.0.0.1",
       "-addext", "subjectAltName=IP:127.0.0.1"],
      { cwd: folder.dir, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    const tls = { cert: join(folder.dir, "gw.crt"), key: join(folder.dir, "gw.key") };
    const server = await started(plainServer({ listen: "127.0.0.1:0", tls }));
    const url = `https://127.0.0.1:${server.address()?.port}`;

    const answer = await httpGet(`${url}/metrics`, { ca: readFileSync(tls.cert) });
    expect(answer.status).toBe(200);
    expect(parseScrape(answer.body).get("up")?.metrics).toEqual([{ value: "1" }]);
    // Without trusting the certificate the client refuses it: it really is TLS with that certificate.
    await expect(httpGet(`${url}/healthz`)).rejects.toThrow(/self-signed|self signed/);
  });

  it("refuses to start when a TLS file cannot be read, naming the configuration file, the field and the file", async ({
    folder,
  }) => {
    const missing = join(folder.dir, "missing.crt");
    const server = plainServer({ listen: "127.0.0.1:0", tls: { cert: missing, key: missing } });
    const err = await server.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AccessGwError);
    expect(err).toMatchObject({
      code: "CONFIG_INVALID",
      message: `/etc/accessgw/gateway.yaml: http.tls.cert: cannot read ${missing} (ENOENT)`,
    });
  });

  it("logs a port that is taken and starts all the same (the doors matter more than their monitoring)", async ({
    started,
  }) => {
    const first = await started(plainServer({ listen: "127.0.0.1:0" }));
    const port = first.address()?.port as number;
    const { logger, lines } = memoryLogger("info");
    const second = await started(plainServer({ listen: `127.0.0.1:${port}` }, logger));
    expect(second.address()).toBeUndefined();
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "error", port, msg: expect.stringContaining("http: cannot listen") }),
    );
  });
});
