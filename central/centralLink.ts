/**
 * The parts a Central starts with, made apart from it: its store (locked to one process and bound
 * to one site), its broker connection (a persistent session) and the watcher of its files.
 */
import type { Logger } from "pino";
import { AccessGwError } from "../config/errors.js";
import type { Mqtt } from "../config/gateway.js";
import { DEFAULT_MAX_MESSAGE_BYTES } from "../config/protocol/payloads.js";
import { mqttCredentials } from "../config/sync.js";
import { MqttConnection } from "../drivers/mqtt/connection.js";
import { CentralStore } from "./centralStore.js";
import type { CentralOptions } from "./centralTypes.js";
import { acquireLock } from "./dataLock.js";
import { FileWatcher } from "./fileWatcher.js";

/** sync.md: the session outlives a week away, so QoS 1 messages from the gateways wait for the central. */
const SESSION_EXPIRY_SECONDS = 86_400 * 7;

/**
 * Opens the store in the data folder and takes its lock; refuses (AccessGwError DATA_INVALID) a
 * folder that belongs to another site. On any failure nothing stays open or locked.
 */
export function openSiteStore(o: CentralOptions): { store: CentralStore; release: () => void } {
  const store = CentralStore.open(o.dataDir);
  let release: (() => void) | undefined;
  try {
    release = acquireLock(o.dataDir);
    const storedSite = store.meta("site_id");
    if (storedSite !== undefined && storedSite !== o.siteId)
      throw new AccessGwError(
        "DATA_INVALID",
        `the data folder ${o.dataDir} belongs to site "${storedSite}", not "${o.siteId}" (--site); use another --data`,
      );
    return { store, release };
  } catch (err) {
    store.close();
    release?.();
    throw err;
  }
}

/** The central's broker connection (not started): client id `accessgw-central-<site>` unless set. */
export function centralLink(o: CentralOptions, mqtt: Mqtt, log: Logger): MqttConnection {
  return new MqttConnection({
    config: { ...mqtt, ...mqttCredentials(mqtt, o.env ?? process.env) },
    gatewayId: `central-${o.siteId}`,
    clientId: mqtt.clientId ?? `accessgw-central-${o.siteId}`,
    session: {
      expirySeconds: SESSION_EXPIRY_SECONDS,
      maximumPacketSize: o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    },
    logger: log,
    ...(o.backoff ? { backoff: o.backoff } : {}),
  });
}

/** A started watcher of the site configuration and members files, or undefined with `watch: false`. */
export function watchSources(o: CentralOptions, log: Logger, reload: () => void): FileWatcher | undefined {
  if (o.watch === false) return undefined;
  const files = [o.siteConfigFile, ...(o.membersFile === undefined ? [] : [o.membersFile])];
  const watcher = new FileWatcher({
    files,
    intervalMs: o.watchIntervalMs ?? 300,
    onChange: (changed) => {
      log.info({ files: changed }, "files changed: reloading");
      reload();
    },
  });
  watcher.start();
  return watcher;
}
