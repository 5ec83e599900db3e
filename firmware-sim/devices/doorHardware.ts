/**
 * The hardware around a door that the gateway reads (doors.md D1), as a technician operates it: a
 * turnstile whose PASS output per direction pulses active ~200 ms when somebody pushes through
 * (and stays inactive when the member walks away), a door with its position contact and REX
 * button, and a fire panel's release contact. It drives signals; how they reach the gateway (an
 * MQTT input module, a Modbus board's inputs) is the sink's business.
 */
import type { Scheduler } from "../../runtime/scheduler.js";

/** The kinds of door hardware. */
export type HardwareKind = "turnstile" | "door" | "fire-panel";

/** Sets signal `index` (0-based) where the gateway reads it; false when it did not go out. */
export type SignalSink = (index: number, on: boolean) => boolean;

/** The signals of each kind, in wiring order (Switch1/input 0 first). */
export const HARDWARE_SIGNALS: Record<HardwareKind, readonly string[]> = {
  turnstile: ["pass-in", "pass-out"],
  door: ["contact", "rex"],
  "fire-panel": ["fire"],
};

/** What a technician can do at each kind. */
export const HARDWARE_ACTIONS: Record<HardwareKind, readonly string[]> = {
  turnstile: ["pass-in", "pass-out", "walk-away"],
  door: ["open", "close", "rex"],
  "fire-panel": ["alarm", "reset"],
};

/** What a SimDoorHardware is handed. */
export interface SimDoorHardwareOptions {
  kind: HardwareKind;
  sink: SignalSink;
  scheduler: Scheduler;
  /** How long a PASS output or a REX press stays active. */
  pulseMs: number;
}

/** One piece of door hardware; `act()` is what the technician does at it. */
export class SimDoorHardware {
  readonly kind: HardwareKind;
  private readonly options: SimDoorHardwareOptions;
  private readonly levels: boolean[];

  constructor(options: SimDoorHardwareOptions) {
    this.kind = options.kind;
    this.options = options;
    this.levels = HARDWARE_SIGNALS[options.kind].map(() => false);
  }

  /** Each signal's name and level. */
  signals(): { name: string; on: boolean }[] {
    return HARDWARE_SIGNALS[this.kind].map((name, i) => ({ name, on: this.levels[i] ?? false }));
  }

  /** Does `action` (one of HARDWARE_ACTIONS[kind]); returns what happened; throws RangeError for another. */
  act(action: string): string {
    switch (`${this.kind}:${action}`) {
      case "turnstile:pass-in":
        return this.pulse(0, "somebody pushes through inwards: PASS in");
      case "turnstile:pass-out":
        return this.pulse(1, "somebody pushes through outwards: PASS out");
      case "turnstile:walk-away":
        return "the member walks away: no PASS output";
      case "door:open":
        return this.set(0, true, "door opened: contact active");
      case "door:close":
        return this.set(0, false, "door closed: contact inactive");
      case "door:rex":
        return this.pulse(1, "REX button pressed");
      case "fire-panel:alarm":
        return this.set(0, true, "fire alarm: release contact active");
      case "fire-panel:reset":
        return this.set(0, false, "fire panel reset: release contact inactive");
      default:
        throw new RangeError(
          `a ${this.kind} cannot "${action}" (it can: ${HARDWARE_ACTIONS[this.kind].join(", ")})`,
        );
    }
  }

  private set(index: number, on: boolean, what: string): string {
    this.levels[index] = on;
    return this.options.sink(index, on) ? what : `${what} (not sent: the module is unplugged)`;
  }

  /** Active for pulseMs, then inactive again. */
  private pulse(index: number, what: string): string {
    const text = this.set(index, true, `${what} for ${this.options.pulseMs} ms`);
    this.options.scheduler.setTimeout(() => this.set(index, false, ""), this.options.pulseMs);
    return text;
  }
}
