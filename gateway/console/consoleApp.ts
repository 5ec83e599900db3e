/**
 * The gateway's console as the daemon serves it on its `http:` listener: the logins of the data
 * folder's users.json (web/), the console's pages (consoleRoutes.ts), and `/` sent to the live
 * page. The HTTP server (gateway/http/) hands it every path that is not /metrics, /healthz or
 * /readyz.
 */
import type { Logger } from "pino";
import { consoleRouter } from "../../web/loginRoutes.js";
import { UsersFile } from "../../web/users.js";
import { redirect, type WebRequest, type WebResponse } from "../../web/webTypes.js";
import { CONSOLE_HOME, type ConsoleDeps, consoleRoutes } from "./consoleRoutes.js";

/** What the console is made of: the data folder (its users), and the pages' deps. */
export interface ConsoleAppOptions extends ConsoleDeps {
  dataDir: string;
}

/** The console's request handler; undefined for a path it does not have (the server says 404). */
export type ConsoleApp = (req: WebRequest) => Promise<WebResponse | undefined>;

/** The console on its own router, with the logins of `dataDir`. */
export function gatewayConsoleApp(o: ConsoleAppOptions): ConsoleApp {
  const logger: Logger = o.logger.child({ component: "console" });
  const { router, sessions } = consoleRouter({
    users: new UsersFile(o.dataDir, o.clock),
    now: o.clock,
    logger,
    home: CONSOLE_HOME,
    product: "gateway",
  });
  router.open("GET", "/", () => redirect(CONSOLE_HOME));
  consoleRoutes(router, { ...o, sessionAlive: (id) => sessions.alive(id) });
  return (req) => router.handle(req);
}
