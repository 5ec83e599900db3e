/**
 * The central's web server (`accessgw central … --http 127.0.0.1:9280`, issue 11 §2): the facility
 * manager's editor and its logins on one Router, served in the central's own process. The router is
 * made outside (centralConsole.ts: the logins and the editor); this file only wires it to the socket. A failing page is a 500
 * logged, never a stopped central.
 */
import type { Logger } from "pino";
import type { ListenAddress } from "../config/http.js";
import { NodeWebServer } from "../web/nodeServer.js";
import type { Router } from "../web/router.js";

/** Where the editor listens unless --http says otherwise: this machine only. */
export const DEFAULT_CENTRAL_HTTP = "127.0.0.1:9280";

/** What the central's web server is handed. */
export interface CentralWebOptions {
  listen: ListenAddress;
  /** What is served: the editor and its logins (centralConsole.ts). */
  router: Router;
  logger: Logger;
}

/** The central's web server as a feature: `start()` listens, `stop()` closes every connection. */
export class CentralWeb {
  readonly name = "http";
  readonly router: Router;
  private readonly server: NodeWebServer;

  constructor(options: CentralWebOptions) {
    this.router = options.router;
    this.server = new NodeWebServer({
      listen: options.listen,
      handle: (req) => this.router.handle(req),
      logger: options.logger,
      serving: "the central's editor",
    });
  }

  /** Listens; an address that cannot be taken is an AccessGwError naming it. */
  start(): Promise<void> {
    return this.server.start();
  }

  /** Stops listening and closes every connection. */
  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Where it listens (the port chosen for port 0); undefined when not listening. */
  address(): ListenAddress | undefined {
    return this.server.address();
  }
}
