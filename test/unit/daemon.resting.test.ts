import { describe, expect } from "vitest";
import { GatewayConfig, type Relay } from "../../config/gateway.js";
import type { RelayDeps } from "../../drivers/relays/createRelay.js";
import type { RelayDriver, RelayEvents } from "../../drivers/relays/relayDriver.js";
import { Listeners } from "../../drivers/transport/listeners.js";
import { it } from "../harness/index.js";

/** A relay that only keeps what the daemon handed it. */
class IdleRelay implements RelayDriver {
  readonly listeners = new Listeners<RelayEvents>();
  constructor(readonly id: string) {}
  start(): void {}
  async stop(): Promise<void> {}
  pulse(): Promise<void> {
    return Promise.resolve();
  }
  hold(): Promise<void> {
    return Promise.resolve();
  }
  health() {
    return { relayId: this.id, state: "open" as const, since: 0, lastError: undefined };
  }
  on<K extends keyof RelayEvents>(event: K, listener: RelayEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }
  counters() {
    return { pulses: 0, completed: 0, failed: 0, inFlight: 0, timeouts: 0, exceptions: 0 };
  }
}

describe("the daemon's resting states for its relays", () => {
  it("hands each relay the channel and channelB of every door on it, OFF, and nothing for channels no door uses", async ({
    gateway: startGateway,
  }) => {
    const config = GatewayConfig.parse({
      doors: [
        { id: "pool-gate", relay: "board", channel: 1, channelB: 2 },
        { id: "gym-gate", relay: "board", channel: 4 },
        { id: "spa-door", relay: "other", channel: 1 },
        { id: "pool-side", relay: "board", channel: 2 },
      ],
      relays: [
        { id: "board", driver: "lcus-serial", port: "tcp://127.0.0.1:1" },
        { id: "other", driver: "modbus-rtu", port: "tcp://127.0.0.1:2" },
        { id: "spare", driver: "lcus-serial", port: "tcp://127.0.0.1:3" },
      ],
    });
    const handed = new Map<string, RelayDeps>();
    await startGateway({
      config,
      clock: () => 0,
      relayFactory: (c: Relay, deps: RelayDeps) => {
        handed.set(c.id, deps);
        return new IdleRelay(c.id);
      },
    });
    const resting = (id: string) => handed.get(id)?.restingStates();
    expect(resting("board")).toEqual([
      { channel: 1, on: false },
      { channel: 2, on: false },
      { channel: 4, on: false },
    ]);
    expect(resting("other")).toEqual([{ channel: 1, on: false }]);
    expect(resting("spare")).toEqual([]);
  });
});
