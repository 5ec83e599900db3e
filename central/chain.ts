/**
 * A chain served from one process (`accessgw central --chain FILE`, docs/central.md "Chains"): one
 * Central per site, each with its own store in `DIR/<site>`, on the same broker and topic prefix.
 * Each site's Central stores and acks only its own gateways' events; the decisions among them are
 * handed to every other site's Central, which stores them as events of that site, so a multipack used
 * at two sites has one ledger and the visits at one site reach the others (sync.md, R20).
 */
import { join } from "node:path";
import type { Logger } from "pino";
import { AccessGwError } from "../config/errors.js";
import type { DecisionEvent } from "../config/protocol/events.js";
import { Central } from "./central.js";
import type { CentralOptions } from "./centralTypes.js";
import { loadSources } from "./sourceFiles.js";

/** Rows of a site's events read at a time when its decisions are handed again at start. */
const CATCH_UP_PAGE = 1000;

/** One site of the chain as a Central serves it. */
export interface ChainSiteFiles {
  siteId: string;
  siteConfigFile: string;
  membersFile: string;
}

/** What a Chain is handed: its sites, the folder their stores go in, what every Central shares. */
export interface ChainOptions {
  sites: ChainSiteFiles[];
  /** DIR: each site keeps its state in DIR/<site>. */
  dataDir: string;
  /** Options every site's Central takes (broker, topic prefix, message limits…). */
  shared: Omit<
    CentralOptions,
    "siteId" | "siteConfigFile" | "membersFile" | "dataDir" | "logger" | "onDecisions"
  >;
  /** Each site's Central logs through a child with its `siteId`. */
  logger: Logger;
}

/** A client id given for the chain gets the site appended: each site's Central keeps its own session. */
function siteMqtt(shared: ChainOptions["shared"], siteId: string): Pick<CentralOptions, "mqtt"> {
  const mqtt = shared.mqtt;
  if (mqtt?.clientId === undefined) return {};
  return { mqtt: { ...mqtt, clientId: `${mqtt.clientId}-${siteId}` } };
}

/** The chain's Centrals; the constructor only assigns, `start()` starts them all, `stop()` stops them. */
export class Chain {
  private readonly o: ChainOptions;
  private readonly log: Logger;
  private readonly sites = new Map<string, Central>();

  constructor(options: ChainOptions) {
    this.o = options;
    this.log = options.logger;
  }

  /**
   * Checks every site's files first (AccessGwError DATA_INVALID listing every problem of every site:
   * nothing connects while one is bad), then starts the Centrals in order (one that fails stops the
   * ones started), then hands each site's stored decisions to the others again.
   */
  async start(): Promise<void> {
    if (this.sites.size > 0) return;
    const problems = this.o.sites.flatMap((s) => loadSources(s, s.siteId, () => undefined).problems);
    if (problems.length > 0) {
      const head = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
      throw new AccessGwError("DATA_INVALID", `refused (${head}):\n  ${problems.join("\n  ")}`, { problems });
    }
    try {
      for (const s of this.o.sites) {
        const central = new Central({
          ...this.o.shared,
          ...siteMqtt(this.o.shared, s.siteId),
          ...s,
          dataDir: join(this.o.dataDir, s.siteId),
          logger: this.log.child({ siteId: s.siteId }),
          onDecisions: (events) => this.relay(s.siteId, events),
        });
        this.sites.set(s.siteId, central);
        await central.start();
      }
      await this.catchUp();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stops every site's Central (the last started first); a relay still in flight is handed again at the next start. */
  async stop(): Promise<void> {
    const all = [...this.sites.values()].reverse();
    this.sites.clear();
    for (const central of all) await central.stop();
  }

  /** The Centrals by site, in the chain file's order. */
  centrals(): ReadonlyMap<string, Central> {
    return this.sites;
  }

  /** Resolves when every site's Central has handled everything received and relayed so far. */
  async idle(): Promise<void> {
    for (const central of this.sites.values()) await central.idle();
  }

  /** Hands a site's stored decisions to every other site of the chain. */
  private relay(from: string, events: DecisionEvent[]): void {
    for (const [siteId, central] of this.sites) {
      if (siteId === from) continue;
      // Null: the site is stopping, or storing failed (logged by the site): handed again at the next start.
      void central.takeRelayed(from, events).then((out) => {
        if (out === null)
          this.log.warn(
            { fromSite: from, toSite: siteId, events: events.length },
            "chain: relay not delivered (the site is stopping or failed); handed again at the next start",
          );
      });
    }
  }

  /**
   * A relay cut short by a stop or a crash is completed: every site's own decisions, handed to the
   * others again (stored by id, so what they have changes nothing).
   */
  private async catchUp(): Promise<void> {
    for (const [from, central] of this.sites) {
      let after = 0;
      for (;;) {
        const page = central.ownDecisions(after, CATCH_UP_PAGE);
        if (page.last === after) break;
        after = page.last;
        if (page.events.length === 0) continue;
        for (const [to, other] of this.sites) if (to !== from) await other.takeRelayed(from, page.events);
      }
    }
  }
}
