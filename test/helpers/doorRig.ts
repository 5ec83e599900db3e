/**
 * A gateway on the worked example with fake devices the test drives: readers to present cards
 * on, relays that record every pulse and hold (and the resting states they were handed on open),
 * and the inputs (doors.md D1) as a fake InputSignals whose levels the test sets.
 */
import { GatewayConfig, type Reader, type Relay } from "../../config/gateway.js";
import type { CreateReaderResult } from "../../drivers/readers/createReader.js";
import type { CardEvent, ReaderDriver, ReaderEvents } from "../../drivers/readers/readerDriver.js";
import { RelayError } from "../../drivers/relays/errors.js";
import type { RelayDriver, RelayEvents, RestingStates } from "../../drivers/relays/relayDriver.js";
import { Listeners } from "../../drivers/transport/listeners.js";
import type { Gateway, GatewayOptions } from "../../gateway/daemon.js";
import type { InputLevel, InputSignals } from "../../gateway/features/inputSignals.js";

/** A reader the test presents cards on. */
export class FakeReader implements ReaderDriver {
  readonly listeners = new Listeners<ReaderEvents>();
  constructor(readonly id: string) {}
  start(): void {}
  async stop(): Promise<void> {}
  on<K extends keyof ReaderEvents>(event: K, listener: ReaderEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }
  counters() {
    return { cards: 0, rejected: {}, bytes: 0, reconnects: 0 };
  }
  present(card: string): void {
    const e: CardEvent = { readerId: this.id, card, at: 0 };
    this.listeners.emit("card", e);
  }
  /** The link reports `state` (and why it is not open), as the real drivers do. */
  state(state: "open" | "waiting", reason?: string): void {
    this.listeners.emit("state", {
      readerId: this.id,
      state,
      since: 0,
      reason,
      attempts: state === "open" ? 0 : 1,
    });
  }
}

/** A relay board that keeps each channel's state and a log of what it was told ("pulse 1", "hold 1 on", "rest 1 off"). */
export class RecordingRelay implements RelayDriver {
  readonly listeners = new Listeners<RelayEvents>();
  readonly log: string[] = [];
  readonly on_ = new Map<number, boolean>();
  /** While down, pulses and holds fail at once (D8). */
  down = false;
  constructor(
    readonly id: string,
    private readonly resting: RestingStates,
  ) {}
  start(): void {
    this.rest();
  }
  async stop(): Promise<void> {}
  /** The link came back: the resting states are put again (as the real drivers do on every open). */
  reopen(): void {
    this.down = false;
    this.rest();
  }
  pulse(channel: number, ms: number): Promise<void> {
    if (this.down) return Promise.reject(this.fail(channel));
    this.log.push(`pulse ${channel} ${ms}`);
    return Promise.resolve();
  }
  hold(channel: number, on: boolean): Promise<void> {
    if (this.down) return Promise.reject(this.fail(channel));
    this.log.push(`hold ${channel} ${on ? "on" : "off"}`);
    this.on_.set(channel, on);
    return Promise.resolve();
  }
  isOn(channel: number): boolean {
    return this.on_.get(channel) === true;
  }
  health() {
    return {
      relayId: this.id,
      state: this.down ? ("waiting" as const) : ("open" as const),
      since: 0,
      lastError: undefined,
    };
  }
  on<K extends keyof RelayEvents>(event: K, listener: RelayEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }
  counters() {
    return { pulses: 0, completed: 0, failed: 0, inFlight: 0, timeouts: 0, exceptions: 0 };
  }
  private rest(): void {
    for (const { channel, on } of this.resting()) {
      this.log.push(`rest ${channel} ${on ? "on" : "off"}`);
      this.on_.set(channel, on);
    }
  }
  private fail(channel: number): RelayError {
    return new RelayError("RELAY_FAILED", { relayId: this.id, channel, failure: "transport_down" }, "down");
  }
}

/** The inputs as the test sets them (every input unknown until set). */
export class FakeInputs implements InputSignals {
  private readonly levels = new Map<string, InputLevel>();
  private readonly listeners = new Set<(id: string, level: InputLevel, at: number) => void>();
  constructor(
    private readonly clock: () => number,
    initial: Record<string, InputLevel> = {},
  ) {
    for (const [id, level] of Object.entries(initial)) this.levels.set(id, level);
  }
  level(id: string): InputLevel {
    return this.levels.get(id) ?? "unknown";
  }
  onChange(listener: (id: string, level: InputLevel, at: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(id: string, level: InputLevel): void {
    this.levels.set(id, level);
    for (const l of this.listeners) l(id, level, this.clock());
  }
  /** Somebody went through: the passage input active, then inactive. */
  pass(id: string): void {
    this.set(id, "active");
    this.set(id, "inactive");
  }
}

/** The pool gate: a turnstile on board channels 1 (in) and 2 (out) with passage inputs, a contact and a REX. */
export const POOL_GATE = {
  id: "pool-gate",
  relay: "board",
  channel: 1,
  channelB: 2,
  pulseMs: 1000,
  passage: "pass-a",
  passageB: "pass-b",
  passageTimeoutSeconds: 10,
  contact: "pool-contact",
  rex: "pool-rex",
};

/** The pool gate's inputs all reading (a healthy site: no input_fault). */
export const HEALTHY: Record<string, InputLevel> = {
  "pass-a": "inactive",
  "pass-b": "inactive",
  "pool-contact": "inactive",
  "pool-rex": "inactive",
};

/** A gateway config: pool-in and pool-out at the pool gate, plus what the test adds. */
export function doorConfig(
  extra: Record<string, unknown> = {},
  gate: Record<string, unknown> = {},
): GatewayConfig {
  const reader = (id: string, direction: string) => ({
    id,
    driver: "serial-line",
    port: "tcp://127.0.0.1:1",
    area: "pool",
    direction,
    door: "pool-gate",
  });
  return GatewayConfig.parse({
    readers: [reader("pool-in", "in"), reader("pool-out", "out")],
    doors: [{ ...POOL_GATE, ...gate }],
    relays: [{ id: "board", driver: "lcus-serial", port: "tcp://127.0.0.1:2" }],
    ...extra,
  });
}

/** A started gateway's fake devices. */
export interface DoorRig {
  gateway: Gateway;
  readers: Map<string, FakeReader>;
  relays: Map<string, RecordingRelay>;
  inputs: FakeInputs;
  present(readerId: string, card: string): void;
}

/** Starts a gateway with `start` (the harness's `gateway` fixture) and fake devices on `inputs`. */
export async function startDoorRig(
  start: (o: Pick<GatewayOptions, "config"> & Partial<GatewayOptions>) => Promise<Gateway>,
  config: GatewayConfig,
  inputs: FakeInputs,
  options: Partial<GatewayOptions> = {},
): Promise<DoorRig> {
  const readers = new Map<string, FakeReader>();
  const relays = new Map<string, RecordingRelay>();
  const gateway = await start({
    config,
    clock: Date.now,
    inputs,
    readerFactory: (c: Reader): CreateReaderResult => {
      const r = new FakeReader(c.id);
      readers.set(c.id, r);
      return { ok: true, reader: r };
    },
    relayFactory: (c: Relay, deps): RelayDriver => {
      const r = new RecordingRelay(c.id, deps.restingStates);
      relays.set(c.id, r);
      return r;
    },
    ...options,
  });
  const present = (readerId: string, card: string) => {
    const r = readers.get(readerId);
    if (!r) throw new Error(`no reader ${readerId}`);
    r.present(card);
  };
  return { gateway, readers, relays, inputs, present };
}
