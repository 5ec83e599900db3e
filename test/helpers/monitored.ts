/**
 * A gateway on the worked example with fake devices (doorRig.ts), its metrics as the access
 * pipeline's observer and its monitoring server on 127.0.0.1 on a port the system picks: the
 * `monitored(config?)` fixture of the /metrics, /healthz and /readyz tests.
 */
import { expect } from "vitest";
import type { GatewayConfig } from "../../config/gateway.js";
import type { GatewayStatus } from "../../config/statusDocument.js";
import type { Gateway } from "../../gateway/daemon.js";
import { httpMonitoring } from "../../gateway/http/monitoring.js";
import { test } from "../harness/index.js";
import { at } from "./build.js";
import { type DoorRig, doorConfig, FakeInputs, HEALTHY, startDoorRig } from "./doorRig.js";
import { httpGet, parseScrape } from "./httpGet.js";
import { silentLogger } from "./logs.js";

/** The gateway's clock: a Monday morning, when the worked example's members may swim. */
export const MONDAY_10 = at("2027-03-22T10:00");

/** A gateway on the worked example with fake devices, its metrics as the pipeline's observer, served on a free port. */
export const it = test.extend("monitored", ({ exampleStore, store, gateway, defer }) => {
  return async (config: GatewayConfig = doorConfig()) => {
    const running: { gateway?: Gateway } = {};
    const monitoring = httpMonitoring({
      file: "gateway.yaml",
      config: { ...config, http: { listen: "127.0.0.1:0" } },
      store: exampleStore,
      dataDir: store.dir,
      logger: silentLogger(),
      clock: () => MONDAY_10,
      gateway: () => running.gateway as Gateway,
    });
    if (!monitoring) throw new Error("http: section not taken");
    // Each reading of the latency clock is 2 ms after the last: a decision takes 2 ms, a grant's
    // card-to-relay 4 ms (read, decided, relay commanded).
    let ms = 0;
    const rig: DoorRig = await startDoorRig(gateway, config, new FakeInputs(() => MONDAY_10, HEALTHY), {
      clock: () => MONDAY_10,
      observer: monitoring.metrics,
      monotonic: () => {
        ms += 2;
        return ms;
      },
    });
    running.gateway = rig.gateway;
    for (const reader of rig.readers.values()) reader.state("open");
    await monitoring.server.start();
    defer(() => monitoring.server.stop());
    const port = monitoring.server.address()?.port;
    const url = `http://127.0.0.1:${port}`;
    const scrape = async () => {
      await monitoring.server.refresh(); // /metrics answers from the text made last: make it now
      const answer = await httpGet(`${url}/metrics`);
      expect(answer.status).toBe(200);
      return parseScrape(answer.body);
    };
    return { ...rig, url, scrape, server: monitoring.server };
  };
});

/** A running gateway's status with no devices, doors, links or problems (the pure health and docs tests). */
export const IDLE_STATUS: GatewayStatus = {
  state: "running",
  readers: [],
  relays: [],
  inputs: [],
  doors: [],
  mqtt: null,
  sync: null,
  totals: { scans: 0, grants: 0, denies: 0, errors: 0, relayFailures: 0 },
  problems: [],
};
