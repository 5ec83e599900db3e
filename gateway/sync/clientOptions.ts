/**
 * What a SyncClient (client.ts) is handed, and the broker packet limit it derives from
 * sync.maxMessageBytes.
 */
import type { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { GatewayConfig } from "../../config/gateway.js";
import type { StatusReader } from "../../config/statusDocument.js";
import type { BackoffOptions } from "../../drivers/transport/backoff.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { Store } from "../store/db.js";
import type { CommandHandler } from "./commandChannel.js";

/** What a SyncClient is handed. */
export interface SyncClientOptions {
  store: Store;
  /** Needs `mqtt`, `gateway.site` and `sync` (syncConfigProblems has checked them). */
  config: GatewayConfig;
  gatewayId: string;
  /** The gateway's version, for hello and status. */
  version: string;
  clock: () => number;
  scheduler: Scheduler;
  logger: Logger;
  /** The readers as the gateway's status shows them; the published status says which are open. */
  readers?: () => readonly Pick<StatusReader, "id" | "state">[];
  /** The gateway's other problems (a reader or relay down), for the retained status. */
  problems?: () => string[];
  /**
   * doors.md D5: carries out a command from the central (any JSON value: it validates) and resolves
   * with its result; without it a command is answered as unavailable.
   */
  commands?: CommandHandler;
  /** sync.md "Features": what the hello announces (the daemon's: GATEWAY_FEATURES); left out when undefined. */
  features?: string[];
  /** Where ACCESSGW_MQTT_USERNAME / _PASSWORD are read (process.env by default). */
  env?: Record<string, string | undefined>;
  backoff?: BackoffOptions;
  /** At most one hello per this many ms while a gap persists (default 5000). */
  helloIntervalMs?: number;
  /** At most one status publish per this many ms (default 1000). */
  statusIntervalMs?: number;
  /** While in step, the last sync time is refreshed this often (default 60 s). */
  freshnessIntervalMs?: number;
  /**
   * An answer whose parts stop coming for this long (a broker that dropped queued parts, a central
   * that restarted mid-answer) is asked for again with a hello (default 60 s).
   */
  answerStallMs?: number;
  /**
   * Starts the thread that validates changes and sync parts (by default partCheckWorker.js); handed
   * in like a transport, so a worker that fails can be put in its place.
   */
  partCheckWorker?: () => Worker;
}

/**
 * The MQTT 5 Maximum Packet Size the link asks of the broker: twice sync.maxMessageBytes (at least
 * 1 MiB more). A message just over the limit still arrives, so the gateway can refuse it itself —
 * logged with its topic and counted (sync.md) — while a runaway one never reaches its memory.
 */
export function packetGuard(maxMessageBytes: number): number {
  return Math.min(268_435_455, Math.max(2 * maxMessageBytes, maxMessageBytes + 1_048_576));
}

/**
 * sync.md "Features": what this gateway's daemon announces in its hello. It carries front-desk
 * commands out (doors.md D5); decides limits by the member's home site (R20), so a central may send
 * it limits with `at`; merges the site's visits and presence from member documents; and applies
 * `ledgerBefore` (the history horizon).
 */
export const GATEWAY_FEATURES: readonly string[] = ["commands", "homeSite", "visits", "historyHorizon"];
