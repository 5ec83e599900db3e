/**
 * The relay boards: one driver per configured relay, started before the readers so the first grant
 * finds its door, stopped after the access pipeline has finished its pulses.
 */
import type { Logger } from "pino";
import type { Relay } from "../../config/gateway.js";
import { isoTime, type StatusRelay } from "../../config/statusDocument.js";
import type { createRelay, RelayDeps } from "../../drivers/relays/createRelay.js";
import { RelayError } from "../../drivers/relays/errors.js";
import type { RelayDriver, RestingChannel } from "../../drivers/relays/relayDriver.js";
import type { Feature } from "./controller.js";
import { startSlots, stopSlots } from "./reconcile.js";

/** One configured relay: its driver (when one could be made) and what the gateway counted. */
interface RelaySlot {
  config: Relay;
  driver: RelayDriver | undefined;
  problem: string | undefined;
  pulses: number;
  relayFailures: number;
  unsubscribe: (() => void)[];
}

/** What the relays feature is handed. */
export interface RelaysOptions {
  relays: readonly Relay[];
  /** The state of each door channel on a relay, put on every (re)open of its link: the doors' modes (D3, D8). */
  restingStates: (relayId: string) => readonly RestingChannel[];
  factory: typeof createRelay;
  /** The drivers' dependencies, asked for at start (the shared broker exists by then). */
  deps: () => Omit<RelayDeps, "logger" | "restingStates">;
  /** The daemon's logger; each driver gets a child naming its relay. */
  logger: Logger;
  /** A relay's state changed (the status shows something new). */
  changed: () => void;
}

/** The relays as a feature; `pulse()` is how the access pipeline opens a door. */
export class RelaysFeature implements Feature {
  readonly name = "relays";
  private readonly options: RelaysOptions;
  private readonly slots = new Map<string, RelaySlot>();

  constructor(options: RelaysOptions) {
    this.options = options;
  }

  /** Makes every relay's driver (a relay that cannot be made is a problem, not a failure) and starts them. */
  start(): void {
    const all = new Set(this.options.relays.map((r) => r.id));
    startSlots(this.slots, this.options.relays, all, (r) => this.makeRelay(r), startRelay);
  }

  /** Stops every driver (pulses in flight were awaited by the access pipeline before this). */
  async stop(): Promise<void> {
    // The slots stay: the last status still lists every device.
    await Promise.allSettled([...this.slots.values()].map(stopRelay));
  }

  /** Reload: stops the relays of `ids` (removed or about to restart); the others keep their doors. */
  async stopSome(ids: Iterable<string>): Promise<void> {
    await stopSlots(this.slots, ids, stopRelay);
  }

  /** Reload: makes and starts the relays of `ids` from `next` (each opens into its doors' modes). */
  startSome(next: readonly Relay[], ids: ReadonlySet<string>): void {
    startSlots(this.slots, next, ids, (r) => this.makeRelay(r), startRelay);
  }

  /** Pulses a channel of a relay; rejects with a RelayError when the relay has no driver or the pulse failed. */
  async pulse(relayId: string, channel: number, ms: number): Promise<void> {
    const slot = this.slots.get(relayId);
    try {
      if (!slot?.driver)
        throw new RelayError(
          "RELAY_FAILED",
          { relayId, channel, failure: "unsupported" },
          slot?.problem ?? "no such relay",
        );
      slot.pulses++;
      await slot.driver.pulse(channel, ms);
    } catch (err) {
      if (slot) slot.relayFailures++;
      throw err;
    }
  }

  /** D3: holds a channel on or off; rejects with a RelayError when the relay has no driver or is down (D8). */
  async hold(relayId: string, channel: number, on: boolean): Promise<void> {
    const slot = this.slots.get(relayId);
    if (!slot?.driver)
      throw new RelayError(
        "RELAY_FAILED",
        { relayId, channel, failure: "unsupported" },
        slot?.problem ?? "no such relay",
      );
    await slot.driver.hold(channel, on);
  }

  /** Each relay as status() shows it. */
  status(): StatusRelay[] {
    return [...this.slots.values()].map((slot): StatusRelay => {
      const h = slot.driver?.health();
      return {
        id: slot.config.id,
        driver: slot.config.driver,
        state: h ? h.state : "unavailable",
        since: isoTime(h?.since),
        reason: slot.problem ?? h?.lastError?.message ?? null,
        pulses: slot.pulses,
        relayFailures: slot.relayFailures,
        driverCounters: slot.driver ? slot.driver.counters() : null,
      };
    });
  }

  private makeRelay(config: Relay): RelaySlot {
    const slot: RelaySlot = {
      config,
      driver: undefined,
      problem: undefined,
      pulses: 0,
      relayFailures: 0,
      unsubscribe: [],
    };
    try {
      const logger = this.options.logger.child({ component: "relay", relayId: config.id });
      // A relay left ON (a crash mid-pulse) would hold its door open: on every (re)open of the
      // link, each channel a door uses is put into its door's mode (D3: locked in normal mode).
      const restingStates = () => this.options.restingStates(config.id);
      slot.driver = this.options.factory(config, { ...this.options.deps(), logger, restingStates });
      slot.unsubscribe.push(slot.driver.on("state", () => this.options.changed()));
    } catch (err) {
      slot.problem = err instanceof Error ? err.message : String(err);
      this.options.logger
        .child({ component: "gateway" })
        .error({ err, relayId: config.id, driver: config.driver }, "relay not started");
    }
    return slot;
  }
}

function startRelay(slot: RelaySlot): void {
  slot.driver?.start();
}

async function stopRelay(slot: RelaySlot): Promise<void> {
  await slot.driver?.stop();
  for (const off of slot.unsubscribe.splice(0)) off();
}
