import { afterAll, beforeAll, describe, expect } from "vitest";
import { consoleRouter, safeNext } from "../../web/loginRoutes.js";
import { LOCK_MS } from "../../web/rateLimit.js";
import { IDLE_MS } from "../../web/sessions.js";
import { UsersFile } from "../../web/users.js";
import { htmlResponse, type WebRequest, type WebResponse } from "../../web/webTypes.js";
import { it } from "../harness/index.js";
import { tempDir } from "../helpers/build.js";
import { memoryLogger } from "../helpers/logs.js";

// One users file for the whole file: each scrypt hash costs a tenth of a second.
const dir = tempDir("accessgw-users-");
const PASSWORDS = { vera: "viewer password", anna: "desk password" };
beforeAll(async () => {
  const users = new UsersFile(dir.dir, () => 0);
  await users.add("vera", "viewer", PASSWORDS.vera);
  await users.add("anna", "desk", PASSWORDS.anna);
});
afterAll(() => dir.cleanup());

/** A request as the HTTP server hands it on. */
function request(
  method: string,
  target: string,
  o: Partial<WebRequest> & { form?: Record<string, string> } = {},
): WebRequest {
  const url = new URL(target, "http://gw.local");
  const { form, headers, ...rest } = o;
  return {
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: {
      host: "gw.local",
      ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      ...headers,
    },
    body: Buffer.from(form ? new URLSearchParams(form).toString() : ""),
    remote: "192.0.2.10",
    secure: false,
    params: {},
    ...rest,
  };
}

/** A console with a desk page and a desk action, on a clock the test moves. */
function consoleUnderTest() {
  const clock = { now: Date.parse("2026-12-01T07:00:00Z") };
  const log = memoryLogger();
  const auth = consoleRouter({
    users: new UsersFile(dir.dir, () => clock.now),
    now: () => clock.now,
    logger: log.logger,
    home: "/console",
    product: "gateway",
  });
  const calls: string[] = [];
  auth.router.add("GET", "/console", "viewer", (_req, s) => htmlResponse(`home of ${s.user}`));
  auth.router.add("GET", "/console/desk", "desk", () => htmlResponse("the desk"));
  auth.router.add("POST", "/console/open", "desk", (_req, s) => {
    calls.push(s.user);
    return htmlResponse("opened");
  });
  const handle = async (req: WebRequest): Promise<WebResponse> => {
    const res = await auth.router.handle(req);
    if (!res) throw new Error(`no route for ${req.path}`);
    return res;
  };
  /** Logs in; returns the cookie to send and the session's CSRF token. */
  const login = async (user: keyof typeof PASSWORDS, o: Partial<WebRequest> = {}) => {
    const res = await handle(request("POST", "/login", { form: { user, password: PASSWORDS[user] }, ...o }));
    expect(res.status).toBe(303);
    const setCookie = String(res.headers?.["Set-Cookie"]);
    const cookie = setCookie.split(";")[0] as string;
    const session = auth.sessions.session(request("GET", "/", { headers: { cookie } }));
    return { cookie, setCookie, csrf: session?.csrf ?? "", res };
  };
  return { clock, log, auth, calls, handle, login };
}

const header = (res: WebResponse, name: string) => res.headers?.[name];

describe("logins and sessions (issue 11 §3)", () => {
  it("a page without a login sends the browser to /login with the page it wanted", async () => {
    const c = consoleUnderTest();
    const res = await c.handle(request("GET", "/console/desk?door=pool"));
    expect(res.status).toBe(303);
    expect(header(res, "Location")).toBe("/login?next=%2Fconsole%2Fdesk%3Fdoor%3Dpool");
    const form = await c.handle(request("GET", "/login?next=%2Fconsole%2Fdesk%3Fdoor%3Dpool"));
    expect(String(form.body)).toContain('name="next" value="/console/desk?door=pool"');
    expect(String(form.body)).toContain('href="/assets/console.css"');
  });

  it("logs in with the right password, goes to `next`, and logs who and from where (never the password)", async () => {
    const c = consoleUnderTest();
    const res = await c.handle(
      request("POST", "/login", { form: { user: "anna", password: PASSWORDS.anna, next: "/console/desk" } }),
    );
    expect(res.status).toBe(303);
    expect(header(res, "Location")).toBe("/console/desk");
    const cookie = String(header(res, "Set-Cookie")).split(";")[0] as string;
    expect((await c.handle(request("GET", "/console/desk", { headers: { cookie } }))).body).toBe("the desk");
    expect(c.log.at("info")).toContainEqual(
      expect.objectContaining({ msg: "login", user: "anna", address: "192.0.2.10" }),
    );
    expect(JSON.stringify(c.log.lines)).not.toContain(PASSWORDS.anna);
  });

  it("sets the cookie HttpOnly, SameSite=Strict, Path=/, and Secure only under TLS", async () => {
    const c = consoleUnderTest();
    const plain = (await c.login("anna")).setCookie;
    expect(plain).toMatch(/^accessgw_session=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    const tls = (await c.login("anna", { secure: true })).setCookie;
    expect(tls).toMatch(/^accessgw_session=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/; Secure$/);
  });

  it("refuses a wrong password with one message for a wrong name or password, and logs it", async () => {
    const c = consoleUnderTest();
    const wrong = await c.handle(
      request("POST", "/login", { form: { user: "anna", password: "not it at all" } }),
    );
    const unknown = await c.handle(
      request("POST", "/login", { form: { user: "nobody", password: "not it at all" } }),
    );
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(String(res.body)).toContain("wrong user name or password");
      expect(header(res, "Set-Cookie")).toBeUndefined();
    }
    expect(c.log.at("warn").map((l) => [l.msg, l.user])).toEqual([
      ["login failed", "anna"],
      // A name nobody has may be a password typed in the wrong field: it is not logged.
      ["login failed", "(unknown user)"],
    ]);
  });

  it("ends a session after 12 h without a request, not while it is used", async () => {
    const c = consoleUnderTest();
    const { cookie } = await c.login("anna");
    const desk = () => c.handle(request("GET", "/console/desk", { headers: { cookie } }));
    c.clock.now += IDLE_MS - 1000;
    expect((await desk()).status).toBe(200);
    c.clock.now += IDLE_MS - 1000;
    expect((await desk()).status).toBe(200);
    c.clock.now += IDLE_MS;
    const res = await desk();
    expect(res.status).toBe(303);
    expect(header(res, "Location")).toMatch(/^\/login\?next=/);
  });

  it("logout ends the session and clears the cookie; its POST needs the CSRF token", async () => {
    const c = consoleUnderTest();
    const { cookie, csrf } = await c.login("anna");
    const noToken = await c.handle(request("POST", "/logout", { headers: { cookie }, form: {} }));
    expect(noToken.status).toBe(403);
    const res = await c.handle(request("POST", "/logout", { headers: { cookie }, form: { _csrf: csrf } }));
    expect(res.status).toBe(303);
    expect(header(res, "Set-Cookie")).toMatch(
      /^accessgw_session=; HttpOnly; SameSite=Strict; Path=\/; Max-Age=0$/,
    );
    expect((await c.handle(request("GET", "/console/desk", { headers: { cookie } }))).status).toBe(303);
    expect(c.log.at("info").map((l) => l.msg)).toEqual(["login", "logout"]);
  });

  it("ends a user's sessions at the next request once the user is removed or given a new password", async () => {
    const c = consoleUnderTest();
    const users = new UsersFile(dir.dir, () => 0);
    const { cookie } = await c.login("vera");
    await users.passwd("vera", "another password");
    expect((await c.handle(request("GET", "/console", { headers: { cookie } }))).status).toBe(303);
    expect(c.log.at("info")).toContainEqual(
      expect.objectContaining({ msg: "session ended", why: "password changed" }),
    );
    await users.passwd("vera", PASSWORDS.vera);
    const again = await c.login("vera");
    users.remove("vera");
    expect((await c.handle(request("GET", "/console", { headers: { cookie: again.cookie } }))).status).toBe(
      303,
    );
    await users.add("vera", "viewer", PASSWORDS.vera);
  });
});

describe("roles and CSRF (issue 11 §3)", () => {
  it("a viewer gets 403 on a desk page, naming the role needed; a desk user gets it", async () => {
    const c = consoleUnderTest();
    const viewer = await c.login("vera");
    const res = await c.handle(
      request("GET", "/console/desk", { headers: { cookie: viewer.cookie, accept: "text/html" } }),
    );
    expect(res.status).toBe(403);
    expect(String(res.body)).toContain("vera is viewer; this needs the desk role");
    const desk = await c.login("anna");
    expect(
      (await c.handle(request("GET", "/console/desk", { headers: { cookie: desk.cookie } }))).status,
    ).toBe(200);
  });

  it("a POST without the token or with a wrong one is 403 and the action is not done", async () => {
    const c = consoleUnderTest();
    const { cookie, csrf } = await c.login("anna");
    const none = await c.handle(
      request("POST", "/console/open", { headers: { cookie }, form: { door: "pool" } }),
    );
    const wrongField = await c.handle(
      request("POST", "/console/open", { headers: { cookie }, form: { _csrf: `${csrf.slice(0, -1)}x` } }),
    );
    const wrongHeader = await c.handle(
      request("POST", "/console/open", { headers: { cookie, "x-csrf-token": "nope" } }),
    );
    for (const res of [none, wrongField, wrongHeader]) expect(res.status).toBe(403);
    expect(c.calls).toEqual([]);
  });

  it("a POST with the session's token, as header X-CSRF-Token or as form field _csrf, is done", async () => {
    const c = consoleUnderTest();
    const { cookie, csrf } = await c.login("anna");
    expect(
      (await c.handle(request("POST", "/console/open", { headers: { cookie, "x-csrf-token": csrf } })))
        .status,
    ).toBe(200);
    expect(
      (await c.handle(request("POST", "/console/open", { headers: { cookie }, form: { _csrf: csrf } })))
        .status,
    ).toBe(200);
    expect(c.calls).toEqual(["anna", "anna"]);
  });

  it("another session's token is refused", async () => {
    const c = consoleUnderTest();
    const mine = await c.login("anna");
    const theirs = await c.login("anna");
    const res = await c.handle(
      request("POST", "/console/open", { headers: { cookie: mine.cookie, "x-csrf-token": theirs.csrf } }),
    );
    expect(res.status).toBe(403);
    expect(c.calls).toEqual([]);
  });

  it("a login form posted from another site's page is refused", async () => {
    const c = consoleUnderTest();
    const res = await c.handle(
      request("POST", "/login", {
        headers: { origin: "https://evil.example" },
        form: { user: "anna", password: PASSWORDS.anna },
      }),
    );
    expect(res.status).toBe(403);
    expect(header(res, "Set-Cookie")).toBeUndefined();
  });
});

describe("login rate limits (issue 11 §3)", () => {
  it("5 failures lock the user for 15 minutes: the right password is refused, then accepted again", async () => {
    const c = consoleUnderTest();
    const fail = (remote: string) =>
      c.handle(request("POST", "/login", { remote, form: { user: "anna", password: "wrong password" } }));
    for (let i = 1; i <= 4; i++) expect((await fail(`198.51.100.${i}`)).status).toBe(401);
    const fifth = await fail("198.51.100.5");
    expect(fifth.status).toBe(429);
    expect(String(fifth.body)).toContain("too many failed logins for anna: locked, try again in 15 minutes");
    expect(header(fifth, "Retry-After")).toBe("900");
    expect(c.log.at("warn")).toContainEqual(
      expect.objectContaining({ msg: "login locked", user: "anna", lockedOn: "user" }),
    );
    c.clock.now += 5 * 60_000;
    const sixth = await c.handle(
      request("POST", "/login", { remote: "203.0.113.9", form: { user: "anna", password: PASSWORDS.anna } }),
    );
    expect(sixth.status).toBe(429);
    expect(String(sixth.body)).toContain("try again in 10 minutes");
    expect(header(sixth, "Set-Cookie")).toBeUndefined();
    c.clock.now += LOCK_MS - 5 * 60_000;
    await c.login("anna", { remote: "203.0.113.9" });
  });

  it("5 failures from one address lock that address, whatever names it tries", async () => {
    const c = consoleUnderTest();
    for (const user of ["a1", "a2", "a3", "a4", "a5"])
      await c.handle(request("POST", "/login", { form: { user, password: "guess guess" } }));
    const res = await c.handle(
      request("POST", "/login", { form: { user: "anna", password: PASSWORDS.anna } }),
    );
    expect(res.status).toBe(429);
    expect(String(res.body)).toContain("too many failed logins from this device");
    // Another address is not locked, nor is anna.
    await c.login("anna", { remote: "203.0.113.7" });
  });
});

describe("the page after the login is of this site only (no open redirect)", () => {
  it.each([
    ["/console/members?q=42", "/console/members?q=42"],
    ["https://evil.example/", "/console"],
    ["//evil.example/x", "/console"],
    ["/\\evil.example", "/console"],
    ["/\t/evil.example", "/console"],
    ["javascript:alert(1)", "/console"],
    ["/login?next=/x", "/console"],
    ["", "/console"],
  ])("next=%j goes to %j", (next, to) => {
    expect(safeNext(next, "/console")).toBe(to);
  });
});
