/**
 * The gateway console on a running gateway with fake devices (doorRig.ts) and the worked example:
 * its router with a session per role (the session lookup reads a `session=<role>` cookie), and
 * requests made in-process, no socket.
 */

import { afterEach, beforeEach, vi } from "vitest";
import { type ConsoleDeps, consoleRoutes } from "../../gateway/console/consoleRoutes.js";
import { DecisionFeed } from "../../gateway/console/decisionFeed.js";
import type { ReloadOutcome } from "../../gateway/reload.js";
import type { Store } from "../../gateway/store/db.js";
import { Router, type SessionLookup } from "../../web/router.js";
import type { Role, WebRequest, WebResponse, WebSession } from "../../web/webTypes.js";
import { test } from "../harness/index.js";
import { at } from "./build.js";
import { type DoorRig, doorConfig, FakeInputs, HEALTHY, startDoorRig } from "./doorRig.js";
import { silentLogger } from "./logs.js";

/** The user each role's test session belongs to. */
export const USERS: Record<Role, string> = {
  viewer: "vera",
  desk: "giulia",
  technician: "tomas",
  manager: "marta",
};

/** The test session of a role: its id, user and CSRF token named after the role. */
export function sessionOf(role: Role): WebSession {
  return { id: `s-${role}`, user: USERS[role], role, csrf: `csrf-${role}` };
}

/** Sessions by the `session=<role>` cookie; none without it. */
const sessions: SessionLookup = {
  session(req) {
    const role = /session=(\w+)/.exec(req.headers.cookie ?? "")?.[1] as Role | undefined;
    return role === undefined ? undefined : sessionOf(role);
  },
};

/** A request as the HTTP server would hand it over. */
export function request(
  method: string,
  target: string,
  role?: Role,
  form?: Record<string, string | string[]>,
): WebRequest {
  const url = new URL(target, "http://gateway.test");
  const body = new URLSearchParams();
  // Every form carries the session's token unless the test gives its own.
  if (form && role && !("_csrf" in form)) body.append("_csrf", sessionOf(role).csrf);
  for (const [k, v] of Object.entries(form ?? {})) for (const one of [v].flat()) body.append(k, one);
  return {
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: {
      accept: "text/html",
      ...(role === undefined ? {} : { cookie: `session=${role}` }),
      ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
    },
    body: Buffer.from(body.toString()),
    remote: "127.0.0.1",
    secure: false,
    params: {},
  };
}

/** The console of a rig, what it was asked to do, and requests to it. */
export interface ConsoleRig {
  router: Router;
  feed: DecisionFeed;
  /** What the console asked of the daemon: reloads, and log-level requests. */
  asked: { reloads: number; logLevels: unknown[] };
  /** Session ids the test has ended (logout, expiry): sessionAlive answers false for them. */
  ended: Set<string>;
  get(target: string, role?: Role): Promise<WebResponse>;
  post(target: string, role: Role, form: Record<string, string | string[]>): Promise<WebResponse>;
  /** Presents a card at a reader and waits for the live feed to have read the decision. */
  scan(readerId: string, card: string): Promise<void>;
  /** GET, expecting a page: its HTML. */
  page(target: string, role: Role): Promise<string>;
}

/**
 * Starts a door rig whose pipeline reports to a DecisionFeed (as the daemon wires it), and the
 * console's routes on its gateway and `store`, reload and log level recorded.
 */
export async function startConsole(
  start: (feed: DecisionFeed) => Promise<DoorRig>,
  store: Store,
  reload?: () => Promise<ReloadOutcome>,
): Promise<ConsoleRig & { rig: DoorRig }> {
  const feed = new DecisionFeed({ store, logger: silentLogger() });
  const rig = await start(feed);
  return { rig, ...consoleOn(rig, store, feed, reload) };
}

/** The console's routes on `rig`'s gateway and `store`, reload and log level recorded. */
function consoleOn(
  rig: DoorRig,
  store: Store,
  feed: DecisionFeed,
  reload?: () => Promise<ReloadOutcome>,
): ConsoleRig {
  const router = new Router(sessions);
  const out: ConsoleRig = {
    router,
    feed,
    asked: { reloads: 0, logLevels: [] },
    ended: new Set(),
    scan: async (readerId, card) => {
      rig.present(readerId, card);
      // The feed reads the store in a microtask queued by the decision: this one runs after it.
      await new Promise<void>((resolve) => queueMicrotask(resolve));
    },
    get: async (target, role) => answer(router, request("GET", target, role)),
    post: async (target, role, form) => answer(router, request("POST", target, role, form)),
    page: async (target, role) => {
      const res = await out.get(target, role);
      if (res.status !== 200) throw new Error(`GET ${target} as ${role}: ${res.status}`);
      return String(res.body);
    },
  };
  const deps: ConsoleDeps = {
    status: () => rig.gateway.status(),
    config: () => rig.gateway.config,
    store,
    commands: rig.gateway.commands,
    decisions: feed,
    reload: async () => {
      out.asked.reloads++;
      return reload ? reload() : { ok: true, file: "gateway.yaml", changes: [], problems: [] };
    },
    logLevel: (request) => {
      out.asked.logLevels.push(request);
      return { ok: true, error: null, level: "debug", configured: "info", until: null };
    },
    clock: Date.now,
    logger: silentLogger(),
    sessionAlive: (id) => !out.ended.has(id),
  };
  consoleRoutes(router, deps);
  return out;
}

/** The router's answer; a path it does not know is a test failure. */
async function answer(router: Router, req: WebRequest): Promise<WebResponse> {
  const res = await router.handle(req);
  if (!res) throw new Error(`no route for ${req.method} ${req.path}`);
  return res;
}

/**
 * The harness's `test` with `open(reload?)`: the console on a started pool-gate rig (no passage
 * inputs) over the worked example, the pipeline reporting to its DecisionFeed.
 */
export const consoleTest = test.extend(
  "open",
  ({ exampleStore, gateway }) =>
    (reload?: () => Promise<ReloadOutcome>) =>
      startConsole(
        (feed) =>
          startDoorRig(
            gateway,
            doorConfig({}, { passage: undefined, passageB: undefined }),
            new FakeInputs(Date.now, HEALTHY),
            { observer: feed, onChange: () => feed.changed() },
          ),
        exampleStore,
        reload,
      ),
);

/** Fake timers at Monday 22 March 2027, 17:30 in Rome (peak time at the pool), for each test of the file. */
export function atMondayPeak(): void {
  beforeEach(() => {
    vi.useFakeTimers({
      toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
      now: at("2027-03-22T17:30"),
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
