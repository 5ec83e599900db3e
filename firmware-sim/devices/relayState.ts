/** Relay state as a simulated board keeps it: per channel on/off, a timestamped history, `change` events. */
import { Listeners } from "../../drivers/transport/listeners.js";

/** One switch of one channel (a coil address on Modbus boards, a 1-based relay on LCUS boards). */
export interface RelayChange {
  channel: number;
  on: boolean;
  /** When the board applied it (ms, from the injected clock). */
  at: number;
}

/** What a simulated relay board reports. */
export interface RelayBoardEvents {
  change: (change: RelayChange) => void;
}

/** The state half of a simulated board; only real changes are recorded and emitted. */
export class RelayStateRecorder {
  /** Every change, oldest first. */
  readonly history: RelayChange[] = [];
  private readonly clock: () => number;
  private readonly states = new Map<number, boolean>();
  private readonly listeners = new Listeners<RelayBoardEvents>();

  constructor(clock: () => number) {
    this.clock = clock;
  }

  /** Whether `channel` is on (every channel starts off). */
  isOn(channel: number): boolean {
    return this.states.get(channel) ?? false;
  }

  /** Subscribes to "change"; returns a function that unsubscribes. */
  on<K extends keyof RelayBoardEvents>(event: K, listener: RelayBoardEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }

  /** Applies a command; records and emits only when the state actually changes. */
  set(channel: number, on: boolean): void {
    if (this.isOn(channel) === on) return;
    this.states.set(channel, on);
    const change: RelayChange = { channel, on, at: this.clock() };
    this.history.push(change);
    this.listeners.emit("change", change);
  }
}
