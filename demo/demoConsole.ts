/**
 * The demo's console: the gateway's web pages on 127.0.0.1:9180 (any free port when that one is
 * taken), with three demo logins made in the demo's data folder, so that `npm start` shows the front
 * desk, the technician's and a viewer's pages on the demo's simulated doors. The console is the
 * daemon's own (gateway/console/), served by the daemon's HTTP server with /metrics beside it.
 */
import { join } from "node:path";
import type { Logger } from "pino";
import type { Central } from "../central/central.js";
import { centralConsoleRouter } from "../central/centralConsole.js";
import { CentralWeb } from "../central/centralWeb.js";
import type { GatewayConfig } from "../config/gateway.js";
import { gatewayConsoleApp } from "../gateway/console/consoleApp.js";
import { DecisionFeed } from "../gateway/console/decisionFeed.js";
import type { Gateway } from "../gateway/daemon.js";
import { httpMonitoring } from "../gateway/http/monitoring.js";
import { LogLevelControl } from "../gateway/logLevelControl.js";
import { Reloader } from "../gateway/reload.js";
import type { Store } from "../gateway/store/db.js";
import { realScheduler } from "../runtime/scheduler.js";
import { UsersFile } from "../web/users.js";
import type { Role } from "../web/webTypes.js";

/** The demo's logins: name, role and password (printed at start; a demo has nothing to protect). */
export const DEMO_LOGINS: readonly { name: string; role: Role; password: string }[] = [
  { name: "desk", role: "desk", password: "demo-desk" },
  { name: "tech", role: "technician", password: "demo-tech" },
  { name: "viewer", role: "viewer", password: "demo-viewer" },
];

/** Where the demo's console listens when it can. */
export const DEMO_CONSOLE_PORT = 9180;

/** What the demo's console needs, before the gateway is made (the feed is the gateway's observer). */
export interface DemoConsoleOptions {
  /** The demo's gateway.yaml (a reload reads it again). */
  file: string;
  config: GatewayConfig;
  store: Store;
  /** The gateway's data folder: users.json goes there. */
  dataDir: string;
  gatewayId: string;
  logger: Logger;
  clock: () => number;
  /** The port to listen on: DEMO_CONSOLE_PORT, or 0 when that one is taken. */
  port: number;
}

/** The demo's console: its feed (for the gateway's observer) and a start once the gateway exists. */
export function demoConsole(o: DemoConsoleOptions) {
  let gateway: Gateway | undefined;
  const running = () => gateway as Gateway;
  const config = { ...o.config, http: { listen: `127.0.0.1:${o.port}` } };
  const logLevel = new LogLevelControl({
    logger: o.logger,
    configured: o.config.log.level,
    scheduler: realScheduler,
    clock: Date.now,
  });
  let app: ReturnType<typeof gatewayConsoleApp> | undefined;
  const http = httpMonitoring({
    file: o.file,
    config,
    store: o.store,
    dataDir: o.dataDir,
    logger: o.logger,
    clock: o.clock,
    gateway: running,
    app: () => app,
  });
  if (!http) throw new Error("the demo's console has an http: section");
  const feed = new DecisionFeed({ store: o.store, logger: o.logger, forward: http.metrics });
  return {
    feed,
    /** Makes the demo logins, serves the console for `g`; the lines to print, and how to stop. */
    async start(g: Gateway): Promise<{ lines: string[]; stop: () => Promise<void> }> {
      gateway = g;
      const users = new UsersFile(o.dataDir, o.clock);
      for (const login of DEMO_LOGINS)
        if (!users.find(login.name)) await users.add(login.name, login.role, login.password);
      const reloader = new Reloader({
        file: o.file,
        dataDir: o.dataDir,
        gatewayId: o.gatewayId,
        store: o.store,
        gateway: g,
        logger: o.logger.child({ component: "reload" }),
      });
      app = gatewayConsoleApp({
        dataDir: o.dataDir,
        status: () => g.status(),
        config: () => g.config,
        store: o.store,
        commands: g.commands,
        decisions: feed,
        reload: () => reloader.reload(),
        logLevel: (request) => logLevel.handle(request),
        clock: o.clock,
        logger: o.logger,
      });
      await http.server.start();
      const at = http.server.address();
      const stop = async () => {
        await http.server.stop();
        logLevel.stop();
      };
      if (!at) return { lines: ["  console       could not listen (see the log)"], stop };
      const logins = DEMO_LOGINS.map((l) => `${l.name} / ${l.password} (${l.role})`).join(", ");
      return {
        lines: [`  console       http://127.0.0.1:${at.port}/ — log in as ${logins}`],
        stop,
      };
    },
  };
}

/** The gateway's data folder in the demo's. */
export const demoGatewayData = (data: string) => join(data, "gateway");

/** The demo's editor login (the central's data folder). */
export const DEMO_MANAGER = { name: "manager", role: "manager" as Role, password: "demo-manager" };

/** Where the demo's editor listens when it can. */
export const DEMO_EDITOR_PORT = 9280;

/** The central's editor for the demo's central, with the demo manager login; the line to print and how to stop. */
export async function demoEditor(o: {
  central: Central;
  siteId: string;
  siteConfigFile: string;
  membersFile: string;
  dataDir: string;
  port: number;
  clock: () => number;
  logger: Logger;
}): Promise<{ lines: string[]; stop: () => Promise<void> }> {
  const users = new UsersFile(o.dataDir, o.clock);
  if (!users.find(DEMO_MANAGER.name))
    await users.add(DEMO_MANAGER.name, DEMO_MANAGER.role, DEMO_MANAGER.password);
  const router = centralConsoleRouter({
    siteId: o.siteId,
    siteConfigFile: o.siteConfigFile,
    membersFile: o.membersFile,
    dataDir: o.dataDir,
    source: o.central,
    clock: o.clock,
    logger: o.logger,
  });
  const web = new CentralWeb({ listen: { host: "127.0.0.1", port: o.port }, router, logger: o.logger });
  await web.start();
  const port = web.address()?.port;
  return {
    lines: [
      `  editor        http://127.0.0.1:${port}/editor — log in as ${DEMO_MANAGER.name} / ${DEMO_MANAGER.password} (manager)`,
    ],
    stop: () => web.stop(),
  };
}
