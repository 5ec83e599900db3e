/**
 * The test harness: `test` (and `it`, the same) hands each test the fixtures it names and takes them
 * down after it, the last started first (zwave-js's integrationTest, as vitest fixtures):
 *
 * - `defer(fn)`: runs `fn` after the test; every fixture below stops through it, in reverse order;
 * - `folder`: a fresh temp folder `dir`, with `data` (not created) for a data folder in it;
 *   `writeFile(name, content)`: writes a file into it, returns its path; `exampleFiles`: that
 *   folder with the worked example's `siteFile` and `membersFile` in it;
 * - `store`: a fresh data folder with its open store (`store.store`, `reopen()`); `exampleStore`:
 *   that store with the worked example imported; `newStore()`: another fresh one;
 * - `broker`: a real Mosquitto on a free 127.0.0.1 port, one per test file (started by the first
 *   test that names it, stopped after the file's last test);
 * - `mqttClient(options)`, `watcher(filter)`: plain MQTT clients on that broker (a device, the
 *   central); `started(device)`: starts a simulated device and stops it after;
 * - `syncClient(options)`: the gateway's sync client; `central(prefix)`: the reference central on
 *   the worked example's files; `centralPeer(prefix, gatewayId)`: a plain client playing the central;
 * - `gateway(options)`: the in-process daemon on the test's store;
 * - `serialServer()`: a simulated device's serial line on a loopback port; `ptyLink(options)`: one
 *   on a socat pseudo-terminal pair; `ptyPair(links)`: a bare pair for a test playing the device;
 * - `simulator(text)`: the simulator from a sim.yaml text;
 * - `gatewaySite(options)`: a site with two or three gateway daemons and the reference central on the
 *   broker (test/fixtures/lido); `shelly(device)`: a Shelly Gen2 relay played by the test.
 *
 * Test-scoped fixtures are per test, so `describe.concurrent` tests never share one. Modules that
 * are slow to load (MQTT, the daemon, the central, the simulator) load only in tests that use them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test as base } from "vitest";
import { tempDir } from "../helpers/build.js";
import { writeExamples } from "../helpers/examples.js";
import { startBroker } from "../helpers/mosquitto.js";
import { freshStore, importExamples } from "../store/storeHelpers.js";
import { CleanupStack } from "./cleanup.js";
import type { Watcher, WatcherOptions } from "./mqttPeers.js";

export type { Defer } from "./cleanup.js";
export type { Seen, Watcher } from "./mqttPeers.js";

/** Starts a device (anything with start and stop) and stops it after the test. */
export type Starter = <T extends { start(): unknown; stop(): unknown }>(device: T) => Promise<T>;

export const test = base
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend("defer", async ({}, { onCleanup }) => {
    const stack = new CleanupStack();
    onCleanup(() => stack.run());
    return stack.defer;
  })
  .extend("folder", ({ defer }) => {
    const t = tempDir("accessgw-test-");
    defer(t.cleanup);
    return { dir: t.dir, data: join(t.dir, "data") };
  })
  .extend("writeFile", ({ folder }) => (name: string, content: string | Uint8Array): string => {
    const path = join(folder.dir, name);
    writeFileSync(path, content);
    return path;
  })
  .extend("exampleFiles", ({ folder }) => ({ ...folder, ...writeExamples(folder.dir) }))
  .extend("newStore", ({ defer }) => () => {
    const t = freshStore();
    defer(t.close);
    return t;
  })
  .extend("store", ({ newStore }) => newStore())
  .extend("exampleStore", ({ store }) => {
    importExamples(store.store);
    return store.store;
  })
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend("broker", { scope: "file" }, async ({}, { onCleanup }) => {
    const broker = await startBroker();
    onCleanup(() => broker.dispose());
    return broker;
  })
  .extend(
    "started",
    ({ defer }): Starter =>
      async (device) => {
        await device.start();
        defer(() => device.stop());
        return device;
      },
  )
  .extend(
    "mqttClient",
    async ({ broker, defer }) => (await import("./mqttPeers.js")).mqttPeers(broker.url, defer).connect,
  )
  .extend("watcher", async ({ broker, defer }) => {
    const { mqttPeers } = await import("./mqttPeers.js");
    return (filter: string | string[], options?: WatcherOptions): Promise<Watcher> =>
      mqttPeers(broker.url, defer).watch(filter, options);
  })
  .extend("syncClient", async ({ broker, defer }) =>
    (await import("./sync.js")).syncClients(broker.url, defer),
  )
  .extend("central", async ({ broker, defer }) => (await import("./sync.js")).centralSites(broker.url, defer))
  .extend("centralPeer", async ({ broker, defer }) =>
    (await import("./sync.js")).centralPeers(broker.url, defer),
  )
  .extend("gateway", async ({ store, defer }) =>
    (await import("./gateway.js")).gateways(() => store.store, defer),
  )
  .extend("serialServer", async ({ defer }) => (await import("./devices.js")).serialServers(defer))
  .extend("ptyLink", async ({ defer }) => (await import("./devices.js")).ptyLinks(defer))
  .extend("ptyPair", async ({ defer }) => (await import("./devices.js")).ptyPairs(defer))
  .extend("simulator", async ({ defer }) => (await import("./simulator.js")).simulators(defer))
  .extend("gatewaySite", async ({ broker, defer, folder, mqttClient }) =>
    (await import("./site.js")).testSites(broker.url, defer, folder.dir, () => mqttClient()),
  )
  .extend("shelly", async ({ mqttClient }) => {
    const { shellyDouble } = await import("./site.js");
    return async (device: string) => shellyDouble(await mqttClient(), device);
  });

/** The same as `test`, for files that say `it`. */
export const it = test;
