/** The in-process daemon for tests: started here, stopped after the test (before its store is closed). */
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
