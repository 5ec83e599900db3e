/**
 * The inputs (doors.md D1): one driver per configured input, started after the relays and before
 * the access pipeline, so the door logic finds every level known (or unknown, with a reason) by the
 * first card. It is the gateway's InputSignals: the levels and a feed of their changes.
 */
import type { Logger } from "pino";
import type { Input } from "../../config/inputs.js";
import { isoTime, type StatusInput } from "../../config/statusDocument.js";
import type { createInput, InputDeps } from "../../drivers/inputs/createInput.js";
import type { InputDriver } from "../../drivers/inputs/inputDriver.js";
import { Listeners } from "../../drivers/transport/listeners.js";
import type { Feature } from "./controller.js";
import type { InputLevel, InputSignals } from "./inputSignals.js";
import { startSlots, stopSlots } from "./reconcile.js";

/** One configured input: its driver (when one could be made), or why not. */
interface InputSlot {
  config: Input;
  driver: InputDriver | undefined;
  problem: string | undefined;
  unsubscribe: (() => void)[];
}

/** What the inputs feature is handed. */
export interface InputsOptions {
  inputs: readonly Input[];
  factory: typeof createInput;
  /** The drivers' dependencies without the logger, asked for at start (the shared broker exists by then). */
  deps: () => Omit<InputDeps, "logger">;
  /** The daemon's logger; each driver gets a child naming its input. */
  logger: Logger;
  /** The status shows something new (a level, a link, a reject). */
  changed: () => void;
}

type ChangeListener = (inputId: string, level: InputLevel, at: number) => void;

/** The inputs as a feature, and as the door logic's InputSignals. */
export class InputsFeature implements Feature, InputSignals {
  readonly name = "inputs";
  private readonly options: InputsOptions;
  private readonly slots = new Map<string, InputSlot>();
  private readonly listeners = new Listeners<{ change: ChangeListener }>();

  constructor(options: InputsOptions) {
    this.options = options;
  }

  /** Makes every input's driver (one that cannot be made is a problem, not a failure) and starts them. */
  start(): void {
    const all = new Set(this.options.inputs.map((i) => i.id));
    startSlots(this.slots, this.options.inputs, all, (i) => this.makeInput(i), startInput);
  }

  /** Stops listening, then stops every driver. */
  async stop(): Promise<void> {
    // The slots stay: the last status still lists every device.
    await Promise.allSettled([...this.slots.values()].map(stopInput));
  }

  /** Reload: stops the inputs of `ids` (removed or about to restart); their level reads unknown until back. */
  async stopSome(ids: Iterable<string>): Promise<void> {
    await stopSlots(this.slots, ids, stopInput);
  }

  /** Reload: makes and starts the inputs of `ids` from `next`. */
  startSome(next: readonly Input[], ids: ReadonlySet<string>): void {
    startSlots(this.slots, next, ids, (i) => this.makeInput(i), startInput);
  }

  /** D1: the input's level now; unknown for an input without a running driver. */
  level(inputId: string): InputLevel {
    return this.slots.get(inputId)?.driver?.level() ?? "unknown";
  }

  /** Calls `listener` on every counted change of any input's level; returns an unsubscribe. */
  onChange(listener: ChangeListener): () => void {
    return this.listeners.on("change", listener);
  }

  /** Each input as status() shows it, in configuration order. */
  status(): StatusInput[] {
    return [...this.slots.values()].map((slot): StatusInput => {
      const d = slot.driver;
      const h = d?.health();
      return {
        id: slot.config.id,
        driver: slot.config.driver,
        state: h ? h.state : "unavailable",
        since: isoTime(h?.since),
        level: d ? d.level() : "unknown",
        levelSince: isoTime(d?.levelSince()),
        reason: slot.problem ?? h?.reason ?? null,
        downSince: isoTime(h?.downSince),
        counters: d ? d.counters() : null,
      };
    });
  }

  /** One problem per input whose level is unknown: why, and since when. */
  problems(): string[] {
    return this.status()
      .filter((i) => i.level === "unknown")
      .map((i) =>
        i.state === "unavailable"
          ? (i.reason ?? `input ${i.id}: unavailable`)
          : `input ${i.id}: level unknown since ${i.downSince ?? "start"} (${i.reason ?? "no reason given"})`,
      );
  }

  private makeInput(config: Input): InputSlot {
    const slot: InputSlot = { config, driver: undefined, problem: undefined, unsubscribe: [] };
    const { factory, deps, logger, changed } = this.options;
    try {
      const driver = factory(config, {
        ...deps(),
        logger: logger.child({ component: "input", inputId: config.id }),
      });
      slot.driver = driver;
      slot.unsubscribe.push(
        driver.on("level", (c) => {
          this.listeners.emit("change", c.inputId, c.level, c.at);
          changed();
        }),
        driver.on("state", () => changed()),
        driver.on("rejected", () => changed()),
      );
    } catch (err) {
      slot.problem = err instanceof Error ? err.message : String(err);
      logger
        .child({ component: "gateway" })
        .error({ err, inputId: config.id, driver: config.driver }, "input not started");
    }
    return slot;
  }
}

function startInput(slot: InputSlot): void {
  slot.driver?.start();
}

async function stopInput(slot: InputSlot): Promise<void> {
  for (const off of slot.unsubscribe.splice(0)) off();
  await slot.driver?.stop();
}
