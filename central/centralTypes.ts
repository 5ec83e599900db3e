/** The reference central's vocabulary: its options, counters, and what a reload reports. */
import type { Logger } from "pino";
import type { Mqtt } from "../config/gateway.js";
import type { DecisionEvent } from "../config/protocol/events.js";
import type { BackoffOptions } from "../drivers/transport/backoff.js";

/** What a Central is handed. */
export interface CentralOptions {
  /** The site it serves (sync.md `S`); the site configuration's site.id must be this. */
  siteId: string;
  siteConfigFile: string;
  membersFile?: string;
  /** The broker: a URL, or an `mqtt:` section (TLS files, client id). One of the two is needed. */
  brokerUrl?: string;
  mqtt?: Mqtt;
  /** The data folder (created when missing). */
  dataDir: string;
  /** sync.md `P` (default accessgw/v1). */
  topicPrefix?: string;
  /** At most this many members (and deleted ids) per sync part or changes message (default 500). */
  partMembers?: number;
  /** At most this many bytes of JSON per sync part or changes message (default 1000000). */
  partBytes?: number;
  /** A gateway more revisions behind than this gets a snapshot (default 10000). */
  replayLimit?: number;
  /**
   * An offline gateway heard from (hello or status) longer ago than this many days no longer holds
   * its site's shaping and config gate back (default 30; 0: every gateway ever heard of counts).
   */
  staleGatewayDays?: number;
  /** Payloads larger than this are refused (default 16 MiB, as sync.maxMessageBytes). */
  maxMessageBytes?: number;
  /** Required: the central's warnings (refused payloads, lost publishes) must reach its log. */
  logger: Logger;
  /** Where ACCESSGW_MQTT_USERNAME / _PASSWORD are read (process.env by default). */
  env?: Record<string, string | undefined>;
  clock?: () => number;
  /** Reload when the files change (default true). */
  watch?: boolean;
  /** How often the files are polled, in ms (default 300). */
  watchIntervalMs?: number;
  backoff?: BackoffOptions;
  /**
   * Called with the decisions of a batch of this site's events once they are stored: the ones new to
   * the central and the ones a copy settled (D2), so a chain can relay them to its other sites.
   */
  onDecisions?: (events: DecisionEvent[]) => void;
}

/** Running totals since start. */
export interface CentralCounters {
  /** Payloads that failed validation (logged with topic and problem, dropped). */
  badPayloads: number;
  hellos: number;
  /** Hellos of gateways of another site (ignored). */
  hellosOtherSite: number;
  snapshots: number;
  replays: number;
  /** Hellos answered with one empty part: the gateway was in step. */
  inStep: number;
  partsSent: number;
  eventBatches: number;
  eventsStored: number;
  eventsDuplicate: number;
  /** Events stored again because a copy settled them: `relayFailed: true`, or `passed` set (D2). */
  eventsReplaced: number;
  /** Events of gateways not known to belong to this site (not stored, not acked). */
  eventsIgnored: number;
  ledgerEntries: number;
  /** Ledger entries for a multipack the files do not have (kept). */
  unknownEntries: number;
  /** Events of a chain's other sites stored here (new or settled), for their visits and entries. */
  eventsRelayed: number;
  /** Relayed events refused: another event is stored under the same gateway and seq. */
  relayConflicts: number;
  acksSent: number;
  changesPublished: number;
  configsPublished: number;
  /** Config revisions withheld: a gateway of the site lacks a feature they need (sync.md "Features"). */
  configsWithheld: number;
  /** Publishes that failed (broker away); what they carried stays stored. */
  publishFailures: number;
  statuses: number;
  reloadsAccepted: number;
  reloadsRefused: number;
}

/** Fresh counters, all zero. */
export function newCounters(): CentralCounters {
  return {
    badPayloads: 0,
    hellos: 0,
    hellosOtherSite: 0,
    snapshots: 0,
    replays: 0,
    inStep: 0,
    partsSent: 0,
    eventBatches: 0,
    eventsStored: 0,
    eventsDuplicate: 0,
    eventsReplaced: 0,
    eventsIgnored: 0,
    ledgerEntries: 0,
    unknownEntries: 0,
    eventsRelayed: 0,
    relayConflicts: 0,
    acksSent: 0,
    changesPublished: 0,
    configsPublished: 0,
    configsWithheld: 0,
    publishFailures: 0,
    statuses: 0,
    reloadsAccepted: 0,
    reloadsRefused: 0,
  };
}

/** What a reload of the files did. */
export interface ReloadOutcome {
  /** False when the files had a problem: nothing changed and nothing was published. */
  accepted: boolean;
  problems: string[];
  configRev: number;
  /** The site revisions the edit took (none when no member changed). */
  revs: number[];
}
