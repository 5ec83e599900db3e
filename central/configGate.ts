/**
 * sync.md "Features": a site configuration with limits `at: home | away` (R20) is decided right only
 * by gateways stating `homeSite`. While a gateway of the site the central has heard of lacks it,
 * such a configuration is withheld: not published (the last one published stays in force on the
 * broker), warned about once per revision and counted, and let out by the hello of an upgraded one.
 */
import type { Logger } from "pino";
import type { CentralStore } from "./centralStore.js";
import type { CentralCounters } from "./centralTypes.js";
import { configRefusers } from "./docShape.js";
import { type Staleness, siteHellos } from "./gatewayStore.js";
import type { ConfigToPublish } from "./reconcile.js";

/** What a ConfigGate is handed. */
export interface ConfigGateOptions {
  store: () => CentralStore;
  siteId: string;
  log: Logger;
  counters: CentralCounters;
  /** Which gateways still count (gatewayStore.ts countsForSite), read at each check. */
  staleness: () => Staleness;
}

/** Decides whether a configuration may go out to the site now. */
export class ConfigGate {
  private readonly o: ConfigGateOptions;
  /** The last revision withheld (0: none). */
  private withheld = 0;

  constructor(options: ConfigGateOptions) {
    this.o = options;
  }

  /** Whether `msg` may be published now; when not, it is warned about (once per revision) and counted. */
  allows(msg: ConfigToPublish): boolean {
    const refusers = configRefusers(
      msg.config,
      siteHellos(this.o.store(), this.o.siteId, this.o.staleness()),
    );
    if (refusers.length === 0) return true;
    if (this.withheld !== msg.rev) {
      this.withheld = msg.rev;
      this.o.counters.configsWithheld++;
      this.o.log.warn(
        { configRev: msg.rev, gateways: refusers },
        "config withheld: its limits use at (home/away) and these gateways lack the homeSite feature; the last config published stays in force",
      );
    }
    return false;
  }

  /** Whether a revision withheld is newer than `published`: a hello may let it out. */
  holding(published: number): boolean {
    return this.withheld > published;
  }
}
