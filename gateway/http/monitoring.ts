/**
 * Monitoring over HTTP as the daemon wires it: the metrics (also the access pipeline's observer)
 * and the server answering from the gateway's status, its store and its data folder.
 */
import { join } from "node:path";
import type { Logger } from "pino";
import type { GatewayConfig } from "../../config/gateway.js";
import type { WebRequest } from "../../web/webTypes.js";
import type { ConsoleApp } from "../console/consoleApp.js";
import type { Gateway } from "../daemon.js";
import { DB_FILE, type Store } from "../store/db.js";
import { outboxDepth } from "../store/outbox.js";
import { liveness, readiness } from "./health.js";
import { HttpServer } from "./httpServer.js";
import { GatewayMetrics } from "./metrics.js";

/** What monitoring reads from. */
export interface MonitoringOptions {
  /** The configuration file as given (a TLS problem names it). */
  file: string;
  config: GatewayConfig;
  store: Store;
  dataDir: string;
  logger: Logger;
  clock: () => number;
  /** The gateway, looked up per request (it is made after the metrics it reports to). */
  gateway: () => Gateway;
  /** The console, looked up per request (made after the gateway); without it other paths are 404. */
  app?: () => ConsoleApp | undefined;
}

/** The metrics and the server, when gateway.yaml has an `http:` section; undefined without one. */
export function httpMonitoring(
  o: MonitoringOptions,
): { metrics: GatewayMetrics; server: HttpServer } | undefined {
  const settings = o.config.http;
  if (settings === undefined) return undefined;
  const db = join(o.dataDir, DB_FILE);
  const metrics = new GatewayMetrics({
    status: () => o.gateway().status(),
    outboxDepth: () => outboxDepth(o.store),
    storeFiles: () => [db, `${db}-wal`, `${db}-shm`],
    clock: o.clock,
  });
  const server = new HttpServer({
    settings,
    file: o.file,
    metrics,
    live: () => liveness(o.gateway().status().state),
    ready: () => {
      const gateway = o.gateway();
      const storageProblems = gateway.storage.problems().filter((p) => p.startsWith("storageFailed"));
      return readiness(o.config, gateway.status(), {
        hasSite: o.store.siteConfig() !== null,
        storageProblems,
      });
    },
    logger: o.logger.child({ component: "http" }),
    ...(o.app ? { app: async (req: WebRequest) => o.app?.()?.(req) } : {}),
  });
  return { metrics, server };
}
