/**
 * The central's web server on a real socket (127.0.0.1, a port the system picks): the editor answers
 * through it, a path nobody serves is a 404, a body over the limit a 413, a bad JSON body a 400
 * naming the problem, a page that throws a 500 logged while the server goes on, an event stream
 * stays open until the client leaves; and `accessgw central --http` serves it.
 */
import { describe, expect } from "vitest";
import { CentralWeb } from "../../central/centralWeb.js";
import { main } from "../../central/cli.js";
import { mountEditor } from "../../central/editorWeb/editorRoutes.js";
import { Router } from "../../web/router.js";
import { UsersFile } from "../../web/users.js";
import { type Defer, it } from "../harness/index.js";
import { editorDouble, SESSIONS, sampleSections, testSessions } from "../helpers/editorDouble.js";
import { memoryLogger } from "../helpers/logs.js";

const manager = { cookie: "session=manager", "x-csrf-token": SESSIONS.manager?.csrf ?? "" };

/** A started CentralWeb with the editor and the test's own routes; its base URL and log. */
async function serve(defer: Defer, extra: (router: Router) => void = () => {}) {
  const log = memoryLogger();
  const ctx = {
    backend: editorDouble(),
    clock: () => Date.parse("2026-12-06T09:00:00Z"),
    logger: log.logger,
  };
  const router = mountEditor(new Router(testSessions), ctx);
  extra(router);
  const web = new CentralWeb({ listen: { host: "127.0.0.1", port: 0 }, router, logger: log.logger });
  await web.start();
  defer(() => web.stop());
  return { base: `http://127.0.0.1:${web.address()?.port}`, log, web };
}

describe("the central's web server", () => {
  it("serves the editor's page and logs where it listens", async ({ defer }) => {
    const { base, log, web } = await serve(defer);
    const res = await fetch(`${base}/editor/areas`, { headers: { cookie: "session=manager" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await res.text()).toContain('<meta name="csrf-token" content="csrf-marta">');
    expect(log.at("info")).toContainEqual(
      expect.objectContaining({
        msg: "http: serving the central's editor",
        host: "127.0.0.1",
        port: web.address()?.port,
      }),
    );
  });

  it("round-trips a draft's check as JSON", async ({ defer }) => {
    const { base } = await serve(defer);
    const res = await fetch(`${base}/editor/check`, {
      method: "POST",
      headers: { ...manager, "content-type": "application/json" },
      body: JSON.stringify(sampleSections()),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, problems: [] });
  });

  it("answers 404 for a path nobody serves, and no body to HEAD", async ({ defer }) => {
    const { base } = await serve(defer);
    const res = await fetch(`${base}/nothing/here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "no such page: /nothing/here" });
    const head = await fetch(`${base}/editor/assets/editor.css`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("answers 413 for a body over 1 MB and serves the next request", async ({ defer }) => {
    const { base } = await serve(defer);
    const res = await fetch(`${base}/editor/check`, {
      method: "POST",
      headers: { ...manager, "content-type": "application/json" },
      body: "x".repeat(1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "the request body is over the limit of 1048576 bytes" });
    expect((await fetch(`${base}/editor/assets/editor.js`)).status).toBe(200);
  });

  it("answers 413 as soon as a chunked body without a length goes over the limit", async ({ defer }) => {
    const { base } = await serve(defer);
    const chunk = new Uint8Array(64 * 1024);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Far more than the limit: the server must not wait for (nor keep) all of it.
        if (sent++ < 1024) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${base}/editor/check`, {
      method: "POST",
      headers: { ...manager, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(1024);
  });

  it("answers 400 naming the problem for a POST whose body is not JSON", async ({ defer }) => {
    const { base } = await serve(defer);
    const res = await fetch(`${base}/editor/diff`, {
      method: "POST",
      headers: { ...manager, "content-type": "application/json" },
      body: '{"areas": [',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^the body is not valid JSON: /);
  });

  it("answers 500 for a page that throws, logs it, and goes on", async ({ defer }) => {
    const { base, log } = await serve(defer, (r) => {
      r.open("GET", "/broken", () => {
        throw new Error("the disk fell off");
      });
    });
    const res = await fetch(`${base}/broken`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: "internal error; see the server's log" });
    expect(log.at("error")).toEqual([
      expect.objectContaining({
        msg: "http: request failed",
        method: "GET",
        path: "/broken",
        err: expect.objectContaining({ message: "the disk fell off" }),
      }),
    ]);
    expect((await fetch(`${base}/editor/areas`, { headers: { cookie: "session=manager" } })).status).toBe(
      200,
    );
  });

  it("keeps an event stream open, writing as it is told, until the client leaves", async ({ defer }) => {
    let closed = 0;
    let send: (chunk: string) => void = () => {};
    const { base } = await serve(defer, (r) => {
      r.open("GET", "/events", () => ({
        status: 200,
        stream: {
          open(write) {
            send = write;
            write("retry: 1000\n\n");
            return () => closed++;
          },
        },
      }));
    });
    const abort = new AbortController();
    const res = await fetch(`${base}/events`, { signal: abort.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const text = async () => new TextDecoder().decode((await reader.read()).value);
    expect(await text()).toBe("retry: 1000\n\n");
    send("data: hello\n\n");
    expect(await text()).toBe("data: hello\n\n");
    abort.abort();
    await expect.poll(() => closed).toBe(1);
  });

  it("refuses an address it cannot take, naming it", async ({ defer }) => {
    const { web } = await serve(defer);
    const port = web.address()?.port;
    const second = new CentralWeb({
      listen: { host: "127.0.0.1", port: port ?? 0 },
      router: new Router(testSessions),
      logger: memoryLogger().logger,
    });
    await expect(second.start()).rejects.toThrow(`http: cannot listen on 127.0.0.1:${port}`);
  });
});

describe("accessgw central --http", () => {
  it.for([true, false])(
    "serves on the address given and says where in its ready line (--json: %s)",
    async (json, { exampleFiles: f, defer }) => {
      const log = memoryLogger();
      // The central's logins live in its data folder (accessgw user add … --data <central data>).
      const users = new UsersFile(f.data, Date.now);
      await users.add("marta", "manager", "manager-pw");
      await users.add("dora", "desk", "desk-pass");
      const out: string[] = [];
      let stop: (signal: NodeJS.Signals) => void = () => {};
      const argv = ["--site", "rome-center", "--site-config", f.siteFile, "--members", f.membersFile];
      // The broker is never reached: the central starts and serves while it keeps trying.
      argv.push("--broker", "mqtt://127.0.0.1:9", "--data", f.data, "--http", "127.0.0.1:0");
      if (json) argv.push("--json");
      const done = main(argv, {
        out: (t) => out.push(t),
        err: (t) => out.push(t),
        env: {},
        onSignal: (listener) => {
          stop = listener;
          return () => {};
        },
        stderrIsTty: false,
        logger: log.logger,
      });
      defer(async () => {
        stop("SIGTERM");
        await done;
      });
      await expect.poll(() => out.length).toBeGreaterThan(0);
      const http = json
        ? (JSON.parse(out[0] ?? "{}") as { http?: string }).http
        : /; editor http:\/\/(127\.0\.0\.1:\d+)\/editor$/.exec(out[0] ?? "")?.[1];
      expect(http).toMatch(/^127\.0\.0\.1:\d+$/);
      const res = await fetch(`http://${http}/nothing`);
      expect(res.status).toBe(404);
      // Logged out, the editor sends the browser to the login page.
      const away = await fetch(`http://${http}/editor/access-types`, { redirect: "manual" });
      expect([away.status, away.headers.get("location")]).toEqual([
        303,
        "/login?next=%2Feditor%2Faccess-types",
      ]);
      // The manager logs in and gets the editor over the real configuration file.
      const cookie = async (user: string, password: string) => {
        const login = await fetch(`http://${http}/login`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ user, password }).toString(),
          redirect: "manual",
        });
        expect(login.status).toBe(303);
        return (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      };
      const page = await fetch(`http://${http}/editor/access-types`, {
        headers: { cookie: await cookie("marta", "manager-pw") },
      });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("gym-all");
      // A desk login is not a manager's.
      const desk = await fetch(`http://${http}/editor/access-types`, {
        headers: { cookie: await cookie("dora", "desk-pass"), accept: "text/html" },
      });
      expect(desk.status).toBe(403);
      expect(log.at("info")).toContainEqual(
        expect.objectContaining({ msg: "http: serving the central's editor" }),
      );
      stop("SIGTERM");
      expect(await done).toBe(0);
    },
  );

  it("refuses an --http that is not an address (exit 2)", async ({ exampleFiles: f }) => {
    const err: string[] = [];
    const code = await main(
      [
        "--site",
        "rome-center",
        "--site-config",
        f.siteFile,
        "--broker",
        "mqtt://127.0.0.1:9",
        "--http",
        "here",
      ],
      { out: () => {}, err: (t) => err.push(t), env: {}, onSignal: () => () => {}, stderrIsTty: false },
    );
    expect(code).toBe(2);
    expect(err[0]).toBe(
      'accessgw central: --http: expected "host:port" or a port (e.g. 127.0.0.1:9180 or 9180), found "here"',
    );
  });
});
