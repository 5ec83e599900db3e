/**
 * The two ends of central sync for tests on the file's broker: the gateway's sync client on a store,
 * and the reference central serving the worked example's files from a temp folder. Both are
 * stopped after the test, before the stores and folders they use go away.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { stringify } from "yaml";
import { Central } from "../../central/central.js";
import type { CentralOptions } from "../../central/centralTypes.js";
import { GatewayConfig } from "../../config/gateway.js";
import type { Store } from "../../gateway/store/db.js";
import { SyncClient, type SyncClientOptions } from "../../gateway/sync/client.js";
import { GATEWAY_FEATURES } from "../../gateway/sync/clientOptions.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { tempDir } from "../helpers/build.js";
import { writeExamples } from "../helpers/examples.js";
import { silentLogger } from "../helpers/logs.js";
import type { Defer } from "./cleanup.js";
import { mqttPeers } from "./mqttPeers.js";

/** The worked example's site (site.yaml `site.id`). */
export const EXAMPLE_SITE = "rome-center";

/** Reconnects within a few hundred ms, every time the same (no jitter): tests wait for them. */
export const FAST_BACKOFF = { baseMs: 50, factor: 2, capMs: 200, jitter: "none" } as const;

/** A sync client for a test: its store, its gateway id and topic prefix, and what it changes. */
export interface TestSyncOptions extends Partial<Omit<SyncClientOptions, "config" | "store" | "gatewayId">> {
  store: Store;
  gatewayId: string;
  /** sync.md `P` (sync.topicPrefix). */
  prefix: string;
  /** The gateway's site (gateway.site; default the worked example's). */
  site?: string;
  /** More of the gateway configuration's `mqtt:` section (the broker's url is set). */
  mqtt?: Record<string, unknown>;
  /** More of its `sync:` section (enabled and topicPrefix are set). */
  sync?: Record<string, unknown>;
}

/**
 * Starts sync clients on the broker at `url`: site rome-center, version 1.0.0-test, the real clock and
 * timers, a silent logger, no credentials from the environment, and quick to react (fast backoff,
 * a hello on every gap, a status at most every 10 ms) unless the options say otherwise.
 */
export function syncClients(url: string, defer: Defer) {
  return (options: TestSyncOptions): SyncClient => {
    const { store, gatewayId, prefix, site, mqtt, sync, ...more } = options;
    const config = GatewayConfig.parse({
      gateway: { id: gatewayId, site: site ?? EXAMPLE_SITE },
      mqtt: { url, ...mqtt },
      sync: { enabled: true, topicPrefix: prefix, ...sync },
    });
    const client = new SyncClient({
      store,
      config,
      gatewayId,
      version: "1.0.0-test",
      clock: Date.now,
      scheduler: realScheduler,
      logger: silentLogger(),
      env: {},
      backoff: FAST_BACKOFF,
      helloIntervalMs: 0,
      statusIntervalMs: 10,
      // What the daemon announces, unless a test plays an older gateway.
      features: [...GATEWAY_FEATURES],
      ...more,
    });
    defer(() => client.stop());
    client.start();
    return client;
  };
}

/** A site folder with the worked example's files, and the reference central serving it. */
export interface CentralSite {
  siteFile: string;
  membersFile: string;
  /** Rewrites the members file (the central reloads it when it watches). */
  writeMembers(doc: { members: unknown[] }): void;
  /** A new central on this folder, not started (stopped after the test). */
  make(): Central;
  /** A new central, started and subscribed. */
  start(): Promise<Central>;
}

/**
 * Central sites on the broker at `url`, one temp folder each: the central's client id follows the
 * topic prefix, so each test (with its own prefix) has its own broker session.
 */
export function centralSites(url: string, defer: Defer) {
  return (prefix: string, options: Partial<CentralOptions> = {}): CentralSite => {
    const folder = tempDir("accessgw-central-");
    defer(folder.cleanup);
    const { siteFile, membersFile } = writeExamples(folder.dir);
    const make = () => {
      const central = new Central({
        siteId: EXAMPLE_SITE,
        siteConfigFile: siteFile,
        membersFile,
        mqtt: { url, clientId: `central-${prefix.replace(/\//g, "-")}` },
        dataDir: join(folder.dir, "central-data"),
        topicPrefix: prefix,
        logger: silentLogger(),
        env: {},
        backoff: FAST_BACKOFF,
        ...options,
      });
      defer(() => central.stop());
      return central;
    };
    return {
      siteFile,
      membersFile,
      writeMembers: (doc) => writeFileSync(membersFile, stringify(doc)),
      make,
      start: async () => {
        const central = make();
        await central.start();
        await central.whenSubscribed();
        return central;
      },
    };
  };
}

/** A plain MQTT client playing the central for one gateway: what it sent, and a way to answer. */
export interface CentralPeer {
  client: MqttClient;
  /** What the gateway published, parsed, by topic (its own answers and acks are not kept). */
  got: { hello: unknown[]; events: unknown[]; status: unknown[] };
  /** Publishes under the prefix (`sites/S/changes`, `gateways/G/acks`…) at QoS 1; a string goes as it is. */
  send(topic: string, payload: unknown, retain?: boolean): Promise<unknown>;
}

/** Central peers on the broker at `url` (client id central-<gateway>), ended after the test. */
export function centralPeers(url: string, defer: Defer) {
  const { connect } = mqttPeers(url, defer);
  return async (prefix: string, gatewayId: string): Promise<CentralPeer> => {
    const client = await connect({ clientId: `central-${gatewayId}` });
    const got: CentralPeer["got"] = { hello: [], events: [], status: [] };
    client.on("message", (topic, payload) => {
      const leaf = topic.split("/").at(-1) as string;
      if (leaf === "hello" || leaf === "events" || leaf === "status")
        got[leaf].push(JSON.parse(payload.toString("utf8")));
    });
    await client.subscribeAsync(`${prefix}/gateways/${gatewayId}/#`, { qos: 1 });
    const send = (topic: string, payload: unknown, retain = false) =>
      client.publishAsync(
        `${prefix}/${topic}`,
        typeof payload === "string" ? payload : JSON.stringify(payload),
        {
          qos: 1,
          retain,
        },
      );
    return { client, got, send };
  };
}
