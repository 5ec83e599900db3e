/**
 * The card readers: one driver per configured reader, started last so every card they report
 * finds the access pipeline and the relays running, stopped first so no card arrives while the
 * daemon shuts down.
 */
import type { Logger } from "pino";
import type { Reader } from "../../config/gateway.js";
import type { createReader, ReaderDeps } from "../../drivers/readers/createReader.js";
import type {
  CardEvent,
  KeypadEvent,
  ReaderDriver,
  ReaderStateEvent,
} from "../../drivers/readers/readerDriver.js";
import type { HealthState } from "../../drivers/transport/reconnecting.js";
import type { Feature } from "./controller.js";
import { startSlots, stopSlots } from "./reconcile.js";

/** A reader's link as the readers feature knows it (its decisions are the pipeline's). */
export interface ReaderLink {
  config: Reader;
  driver: ReaderDriver | undefined;
  /** Why no driver could be made. */
  problem: string | undefined;
  state: HealthState | "unavailable";
  health: Omit<ReaderStateEvent, "readerId" | "state"> | undefined;
}

interface ReaderSlot extends ReaderLink {
  unsubscribe: (() => void)[];
}

/** What the readers feature is handed. */
export interface ReadersOptions {
  readers: readonly Reader[];
  factory: typeof createReader;
  /** The drivers' dependencies without the logger, asked for at start (the shared broker exists by then). */
  deps: () => Omit<ReaderDeps, "logger">;
  /** The daemon's logger; each driver gets a child naming its reader. */
  logger: Logger;
  /** A card was read (the access pipeline decides it). */
  onCard: (reader: Reader, e: CardEvent) => void;
  /** R21: keys were pressed on a reader's keypad (the PIN step takes them). */
  onKeypad?: (reader: Reader, e: KeypadEvent) => void;
  /** R21: the reader stopped (the PIN step forgets the card waiting at it). */
  onStopped?: (reader: Reader) => void;
  /** The reader's link changed state (the pipeline forgets its last card, R17). */
  onState: (reader: Reader) => void;
  /** The status shows something new (a rejected read was counted). */
  changed: () => void;
}

/** The readers as a feature. */
export class ReadersFeature implements Feature {
  readonly name = "readers";
  private readonly options: ReadersOptions;
  private readonly slots = new Map<string, ReaderSlot>();

  constructor(options: ReadersOptions) {
    this.options = options;
  }

  /** Makes every reader's driver (a reader that cannot be made is a problem, not a failure) and starts them. */
  start(): void {
    const all = new Set(this.options.readers.map((r) => r.id));
    startSlots(this.slots, this.options.readers, all, (r) => this.makeReader(r), startReader);
  }

  /** Stops listening first (no card is decided after this), then stops the drivers. */
  async stop(): Promise<void> {
    // The slots stay: the last status still lists every device.
    await Promise.allSettled([...this.slots.values()].map((slot) => this.stopReader(slot)));
  }

  /** Reload: stops the readers of `ids` (removed or about to restart); the others keep reading. */
  async stopSome(ids: Iterable<string>): Promise<void> {
    await stopSlots(this.slots, ids, (slot) => this.stopReader(slot));
  }

  /** Reload: makes and starts the readers of `ids` from `next`, which is the readers' order from now on. */
  startSome(next: readonly Reader[], ids: ReadonlySet<string>): void {
    startSlots(this.slots, next, ids, (r) => this.makeReader(r), startReader);
  }

  /** Each reader's link, in configuration order. */
  links(): readonly ReaderLink[] {
    return [...this.slots.values()];
  }

  /** Stops listening first (no card of this reader is decided after this), then its driver. */
  private async stopReader(slot: ReaderSlot): Promise<void> {
    for (const off of slot.unsubscribe.splice(0)) off();
    this.options.onStopped?.(slot.config);
    await slot.driver?.stop();
  }

  private makeReader(config: Reader): ReaderSlot {
    const slot: ReaderSlot = {
      config,
      driver: undefined,
      problem: undefined,
      state: "unavailable",
      health: undefined,
      unsubscribe: [],
    };
    const { factory, deps, logger, onCard, onKeypad, onState, changed } = this.options;
    const child = logger.child({ component: "reader", readerId: config.id });
    const made = factory(config, { ...deps(), logger: child });
    if (!made.ok) {
      slot.problem = made.error.message;
      logger
        .child({ component: "gateway" })
        .error({ err: made.error, readerId: config.id, driver: config.driver }, "reader not started");
      return slot;
    }
    slot.driver = made.reader;
    slot.state = "connecting";
    slot.unsubscribe.push(
      made.reader.on("card", (e) => onCard(config, e)),
      made.reader.on("keypad", (e) => onKeypad?.(config, e)),
      made.reader.on("state", (e) => {
        slot.state = e.state;
        const { readerId: _id, state: _state, ...health } = e;
        slot.health = health;
        onState(config);
      }),
      // Counted by the driver; the status file shows the new count soon.
      made.reader.on("rejected", () => changed()),
    );
    return slot;
  }
}

function startReader(slot: ReaderSlot): void {
  slot.driver?.start();
}
