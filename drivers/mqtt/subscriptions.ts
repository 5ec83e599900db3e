/**
 * The handlers of one broker connection by topic filter, and which filters the broker has yet to
 * acknowledge in the current session. Bookkeeping only: the connection puts SUBSCRIBE and
 * UNSUBSCRIBE on the wire.
 */
import type { MqttHandler, MqttMessage } from "./mqttTypes.js";
import { topicMatches } from "./topics.js";

/** What handing one message to its handlers gave: promises still running, and what went wrong. */
export interface Delivery {
  /** Promises returned by handlers still at work (flow control waits for them). */
  pending: Promise<unknown>[];
  /** Handlers that answered "rejected" (a bad payload, already counted and logged by them). */
  rejected: number;
  /** Handlers that threw, with what they threw. */
  threw: unknown[];
}

/** Handlers by filter, with the filters not yet acknowledged by the broker. */
export class Subscriptions {
  private readonly handlers = new Map<string, Set<MqttHandler>>();
  /** Filters the broker has not acknowledged in this session. */
  private readonly unacked = new Set<string>();
  /** Filters with an UNSUBSCRIBE on the wire: subscribing again waits for its UNSUBACK. */
  private readonly unsubscribing = new Set<string>();
  private readonly waiters: (() => void)[] = [];

  /** Adds a handler; `isNew` when its filter had none, so a SUBSCRIBE is due. */
  add(filter: string, handler: MqttHandler): { entry: MqttHandler; isNew: boolean } {
    let set = this.handlers.get(filter);
    const isNew = set === undefined;
    if (set === undefined) {
      set = new Set();
      this.handlers.set(filter, set);
      this.unacked.add(filter);
    }
    // The same function may be handed in twice: each call gets its own removable entry.
    const entry: MqttHandler = (m) => handler(m);
    set.add(entry);
    return { entry, isNew };
  }

  /** Removes a handler; true when its filter has no handler left (an UNSUBSCRIBE is due). */
  remove(filter: string, entry: MqttHandler): boolean {
    const set = this.handlers.get(filter);
    if (set === undefined) return false;
    set.delete(entry);
    if (set.size > 0) return false;
    this.handlers.delete(filter);
    this.acked([filter]);
    return true;
  }

  /** True while `filter` still has handlers. */
  has(filter: string): boolean {
    return this.handlers.has(filter);
  }

  /** Every filter with handlers. */
  filters(): string[] {
    return [...this.handlers.keys()];
  }

  /** A new session (or a lost one): every filter must be acknowledged again. */
  unackAll(): void {
    for (const filter of this.handlers.keys()) this.unacked.add(filter);
  }

  /** The broker acknowledged these filters; wakes whenAcked() once none is left. */
  acked(filters: string[]): void {
    for (const filter of filters) this.unacked.delete(filter);
    if (this.unacked.size === 0) this.release();
  }

  /** Resolves once every filter subscribed so far is acknowledged. */
  whenAcked(): Promise<void> {
    if (this.unacked.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Wakes every whenAcked() (also when the connection stops). */
  release(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Marks an UNSUBSCRIBE of `filter` on the wire; false when one already is. */
  startUnsubscribe(filter: string): boolean {
    if (this.unsubscribing.has(filter)) return false;
    this.unsubscribing.add(filter);
    return true;
  }

  /** The UNSUBACK of `filter` arrived. */
  endUnsubscribe(filter: string): void {
    this.unsubscribing.delete(filter);
  }

  /** True while an UNSUBSCRIBE of `filter` is on the wire (aedes may reorder a SUBSCRIBE before it). */
  isUnsubscribing(filter: string): boolean {
    return this.unsubscribing.has(filter);
  }

  /** A new session: no UNSUBSCRIBE of the old one is still on the wire. */
  clearUnsubscribing(): void {
    this.unsubscribing.clear();
  }

  /** Hands a message to every matching handler; nothing a handler throws escapes. */
  deliver(message: MqttMessage): Delivery {
    const delivery: Delivery = { pending: [], rejected: 0, threw: [] };
    for (const [filter, set] of [...this.handlers]) {
      if (!topicMatches(filter, message.topic)) continue;
      for (const handler of [...set]) {
        try {
          const result = handler(message);
          if (result === "rejected") delivery.rejected++;
          else if (result instanceof Promise) delivery.pending.push(result);
        } catch (err) {
          delivery.threw.push(err);
        }
      }
    }
    return delivery;
  }
}
