/**
 * What the central's `--http` server serves: the logins of the central's data folder (users.json,
 * managed with `accessgw user … --data <central data>`) and the facility manager's editor over the
 * real backend (central/editor/: the site configuration file, the members the central published and
 * the events it holds). `/` goes to the editor.
 */
import type { Logger } from "pino";
import { consoleRouter } from "../web/loginRoutes.js";
import type { Router } from "../web/router.js";
import { UsersFile } from "../web/users.js";
import { redirect } from "../web/webTypes.js";
import { createEditorBackend, type ReplaySource } from "./editor/editorBackend.js";
import { mountEditor } from "./editorWeb/editorRoutes.js";

/** Where the editor starts. */
export const EDITOR_HOME = "/editor";

/** What the central's console is made of. */
export interface CentralConsoleOptions {
  siteId: string;
  siteConfigFile: string;
  membersFile?: string;
  /** The central's data folder: its users.json and the editor's history. */
  dataDir: string;
  /** The members as published and the events held (the Central). */
  source: ReplaySource;
  clock: () => number;
  logger: Logger;
}

/** The router of the central's web server: logins, assets, the editor. */
export function centralConsoleRouter(o: CentralConsoleOptions): Router {
  const logger = o.logger.child({ component: "editor" });
  const { router } = consoleRouter({
    users: new UsersFile(o.dataDir, o.clock),
    now: o.clock,
    logger,
    home: EDITOR_HOME,
    product: "central",
  });
  router.open("GET", "/", () => redirect(EDITOR_HOME));
  const backend = createEditorBackend({
    siteId: o.siteId,
    siteConfigFile: o.siteConfigFile,
    ...(o.membersFile === undefined ? {} : { membersFile: o.membersFile }),
    dataDir: o.dataDir,
    source: o.source,
    logger,
  });
  return mountEditor(router, { backend, clock: o.clock, logger });
}
