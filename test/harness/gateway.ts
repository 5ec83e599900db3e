/**
 * The in-process daemon for tests, and the simulated serial devices it talks to over tcp:// on
 * 127.0.0.1: each started here and stopped after the test (before its store is closed).
 */
import { SerialDeviceServer } from "../../firmware-sim/devices/serialDeviceServer.js";
import { Gateway, type GatewayOptions } from "../../gateway/daemon.js";
import type { Store } from "../../gateway/store/db.js";
import { silentLogger } from "../helpers/logs.js";
import type { Defer } from "./cleanup.js";

/** What a test gives a gateway: its configuration, and whatever it sets besides the defaults. */
export type TestGatewayOptions = Pick<GatewayOptions, "config"> & Partial<GatewayOptions>;

/**
 * Starts gateways on the test's store (`store()` at the time of the call, so a reopened store is
 * used), id gw-1, a silent logger and the real clock unless the options say otherwise.
 */
export function gateways(store: () => Store, defer: Defer) {
  return async (options: TestGatewayOptions): Promise<Gateway> => {
    const gateway = new Gateway({
      store: store(),
      gatewayId: "gw-1",
      logger: silentLogger(),
      clock: Date.now,
      ...options,
    });
    await gateway.start();
    defer(() => gateway.stop());
    return gateway;
  };
}

/** Starts serial device servers (a simulated device's serial line on a loopback port). */
export function serialServers(defer: Defer) {
  return async (): Promise<SerialDeviceServer> => {
    const server = new SerialDeviceServer();
    await server.start();
    defer(() => server.stop());
    return server;
  };
}

/** A clock that reads `instant` now and runs on with real time (a gateway "at" a site's hour). */
export function clockFrom(instant: number): () => number {
  const start = Date.now();
  return () => instant + (Date.now() - start);
}
