/**
 * The gateway's console (issue 11 §1): its pages and the front desk's actions, added to a web
 * Router the daemon's HTTP server answers with. `ConsoleDeps` names everything the console reads
 * from the running gateway; the daemon hands in its own, a test hands in a real store and gateway.
 */

import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import type { GatewayConfig } from "../../config/gateway.js";
import type { GatewayStatus } from "../../config/statusDocument.js";
import { assetHandler } from "../../web/assetRoutes.js";
import type { Router } from "../../web/router.js";
import type { CommandOrigin, CommandReply } from "../frontDesk/commandService.js";
import type { LogLevelReply } from "../logLevelControl.js";
import type { ReloadOutcome } from "../reload.js";
import type { Store } from "../store/db.js";
import type { DecisionSource } from "./decisionFeed.js";
import { deskRoutes } from "./deskPage.js";
import { devicesRoutes } from "./devicesPage.js";
import { eventsRoutes } from "./eventsPage.js";
import { liveRoutes } from "./livePage.js";
import { memberRoutes } from "./memberPage.js";
import { occupancyRoutes } from "./occupancyPage.js";
import { Notices } from "./viewParts.js";

/** What the console reads from the running gateway and asks of it. */
export interface ConsoleDeps {
  /** The gateway's status now: doors, readers, relays, inputs, problems (Gateway.status). */
  status: () => GatewayStatus;
  /** The configuration running now (Gateway.config): the readers' doors and areas. */
  config: () => GatewayConfig;
  /** The gateway's cache: members, packs, events. */
  store: Store;
  /** doors.md D5: the front desk's commands (Gateway.commands), done once per id and recorded. */
  commands: { handle(input: unknown, origin: CommandOrigin): Promise<CommandReply> };
  /** Decisions as they are recorded (a DecisionFeed the daemon hands the pipeline as its observer). */
  decisions: DecisionSource & { poke?(): void };
  /** cli.md reload: reads the daemon's gateway.yaml again (startCommand's Reloader.reload). */
  reload: () => Promise<ReloadOutcome>;
  /** `accessgw log-level`'s request (any value: it is checked), answered by the daemon's LogLevelControl.handle. */
  logLevel: (request: unknown) => LogLevelReply;
  clock: () => number;
  logger: Logger;
  /** Whether a session is still valid (Sessions.alive): an open live stream ends with its session. */
  sessionAlive?: (id: string) => boolean;
}

/** Where the console's pages live; the daemon may send "/" here. */
export const CONSOLE_HOME = "/console/live";

/** What the pages share: the deps, and the outcomes waiting for each session's next page. */
export interface ConsoleContext extends ConsoleDeps {
  notices: Notices;
}

/** Adds the gateway console's pages, actions and script to `router`. */
export function consoleRoutes(router: Router, deps: ConsoleDeps): void {
  const ctx: ConsoleContext = {
    ...deps,
    logger: deps.logger.child({ component: "console" }),
    notices: new Notices(),
  };
  // The live page's script, plain browser JavaScript; the build copies assets/ beside this module.
  router.open(
    "GET",
    "/console/assets/:name",
    assetHandler(fileURLToPath(new URL("./assets/", import.meta.url))),
  );
  liveRoutes(router, ctx);
  occupancyRoutes(router, ctx);
  eventsRoutes(router, ctx);
  memberRoutes(router, ctx);
  deskRoutes(router, ctx);
  devicesRoutes(router, ctx);
}
