/**
 * The outbox publisher against a fake broker link whose publishes resolve (PUBACK) or reject on
 * command, and a scheduler whose zero-delay tasks and ack timers the test fires by hand.
 */
import { describe, expect } from "vitest";
import { isDecision } from "../../config/protocol/events.js";
import { EventsMessage } from "../../config/protocol/payloads.js";
import { type MqttConnectionEvents, MqttError, type MqttLink } from "../../drivers/mqtt/mqttTypes.js";
import type { Health } from "../../drivers/transport/reconnecting.js";
import { scan } from "../../gateway/decisions.js";
import type { Store } from "../../gateway/store/db.js";
import { outboxDepth } from "../../gateway/store/outbox.js";
import { recordRelayFailure } from "../../gateway/store/relayFailure.js";
import { OutboxPublisher } from "../../gateway/sync/outboxPublisher.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { ManualScheduler } from "../helpers/fakeTransport.js";
import { memoryLogger } from "../helpers/logs.js";
import { importExamples, scanReq } from "../store/storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const TOPIC = "accessgw/v1/gateways/gw-1/events";

/** Zero-delay tasks and timers kept apart, so a test runs "soon" without firing the ack timeout. */
class StepScheduler extends ManualScheduler {
  /** How many timers of one kind are queued. */
  count(kind: "soon" | "timeout"): number {
    return [...this.timers.values()].filter((t) => (t.ms === 0) === (kind === "soon")).length;
  }
  /** Fires the queued timers of one kind (those queued meanwhile wait for the next call). */
  fire(kind: "soon" | "timeout"): number {
    const due = [...this.timers.entries()].filter(([, t]) => (t.ms === 0) === (kind === "soon"));
    for (const [id, t] of due) {
      this.timers.delete(id);
      t.fn();
    }
    return due.length;
  }
}

interface Sent {
  topic: string;
  message: EventsMessage;
  qos: number | undefined;
  retain: boolean | undefined;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** A broker link that records publishes (validated with EventsMessage) and settles them on command. */
class FakeLink implements MqttLink {
  open = true;
  readonly sent: Sent[] = [];
  refused = 0;
  private readonly stateListeners = new Set<MqttConnectionEvents["state"]>();
  subscribe(): () => void {
    return () => {};
  }
  publish(topic: string, payload: string | Uint8Array, options: { qos?: 0 | 1 | 2; retain?: boolean } = {}) {
    if (!this.open) {
      this.refused++;
      return Promise.reject(new MqttError("MQTT_NOT_CONNECTED", "mqtt://fake", "not connected"));
    }
    const text = typeof payload === "string" ? payload : Buffer.from(payload).toString("utf8");
    const message = EventsMessage.parse(JSON.parse(text));
    return new Promise<void>((resolve, reject) => {
      this.sent.push({ topic, message, qos: options.qos, retain: options.retain, resolve, reject });
    });
  }
  health(): Health {
    return { state: this.open ? "open" : "waiting", since: 0, lastError: undefined, attempts: 0 };
  }
  isOpen(): boolean {
    return this.open;
  }
  on<K extends keyof MqttConnectionEvents>(_event: K, listener: MqttConnectionEvents[K]): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }
  nextRequestId(): number {
    return 1;
  }
  setOpen(open: boolean): void {
    this.open = open;
    for (const l of this.stateListeners) l(this.health());
  }
  seqs(i: number): number[] {
    return (this.sent[i]?.message.events ?? []).map((e) => e.seq);
  }
}

/** `n` denied scans of unknown cards, one second apart. */
function record(store: Store, n: number, from = 0): void {
  for (let i = from; i < from + n; i++) scan(store, scanReq(`55${i}`, "gym"), MONDAY_10 + i * 1000, "gw-1");
}

const it = test
  /** What the publishers of a test logged (at info and above). */
  .extend("log", () => memoryLogger("info"))
  /** A publisher on `store` with a fake link and a step scheduler, stopped after the test. */
  .extend(
    "withPublisher",
    ({ log, defer }) =>
      (store: Store, settings: { batchSize?: number; outboxAlarm?: number; waitForHello?: boolean } = {}) => {
        const link = new FakeLink();
        const scheduler = new StepScheduler();
        const p = new OutboxPublisher({
          store,
          link,
          gatewayId: "gw-1",
          topic: TOPIC,
          settings: {
            batchSize: settings.batchSize ?? 500,
            ackTimeoutMs: 10_000,
            outboxAlarm: settings.outboxAlarm ?? 1_000_000,
          },
          scheduler,
          clock: () => MONDAY_10,
          logger: log.logger,
          ...(settings.waitForHello === undefined ? {} : { waitForHello: settings.waitForHello }),
        });
        defer(() => p.stop());
        return { link, scheduler, publisher: p };
      },
  )
  /** The examples with `events` denied scans recorded, and a publisher on them. */
  .extend(
    "setup",
    ({ store: t, withPublisher }) =>
      (events: number, settings: { batchSize?: number; outboxAlarm?: number } = {}) => {
        importExamples(t.store);
        record(t.store, events);
        return { ...withPublisher(t.store, settings), store: t.store };
      },
  );

/** Lets promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs the zero-delay tasks and the promise callbacks they cause until nothing more happens. */
async function drain(scheduler: StepScheduler): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await settle();
    if (scheduler.fire("soon") === 0) return;
  }
  throw new Error("the publisher keeps scheduling tasks");
}

async function ackLast(link: FakeLink, scheduler: StepScheduler): Promise<void> {
  link.sent.at(-1)?.resolve();
  await drain(scheduler);
}

describe("OutboxPublisher: waiting for the hello", () => {
  it("publishes after each (re)connect only once the hello has gone out", async ({
    store: t,
    withPublisher,
  }) => {
    importExamples(t.store);
    record(t.store, 3);
    const { link, scheduler, publisher } = withPublisher(t.store, { waitForHello: true });
    publisher.start();
    link.setOpen(true);
    await drain(scheduler);
    expect(link.sent).toHaveLength(0);
    publisher.helloSent();
    await drain(scheduler);
    expect(link.seqs(0)).toEqual([1, 2, 3]);
    // The link drops before the PUBACK; reconnected, nothing is sent until this connection's hello.
    link.setOpen(false);
    link.sent[0]?.reject(new MqttError("MQTT_NOT_CONNECTED", "mqtt://fake", "lost"));
    await settle();
    link.setOpen(true);
    await drain(scheduler);
    expect(link.sent).toHaveLength(1);
    publisher.helloSent();
    await drain(scheduler);
    expect(link.sent).toHaveLength(2);
    expect(link.seqs(1)).toEqual([1, 2, 3]);
  });
});

describe("OutboxPublisher: order, batching, one in flight", () => {
  it("publishes 1,203 events as 500, 500 and 203 in seq order, the next batch only after PUBACK", async ({
    setup,
  }) => {
    const { link, scheduler, publisher } = setup(1203);
    publisher.start();
    expect(link.sent).toHaveLength(0); // never inside start()'s stack
    await drain(scheduler);
    expect(link.sent).toHaveLength(1);
    publisher.poke();
    await drain(scheduler);
    expect(link.sent).toHaveLength(1); // one in flight
    await ackLast(link, scheduler);
    await ackLast(link, scheduler);
    await ackLast(link, scheduler);
    expect(link.sent.map((s) => s.message.events.length)).toEqual([500, 500, 203]);
    const all = link.sent.flatMap((s) => s.message.events.map((e) => e.seq));
    expect(all).toEqual(Array.from({ length: 1203 }, (_, i) => i + 1));
    for (const s of link.sent) {
      expect(s).toMatchObject({ topic: TOPIC, qos: 1, retain: false });
      expect(s.message.gatewayId).toBe("gw-1");
    }
    expect(publisher.counters()).toMatchObject({ batches: 3, eventsPublished: 1203, republishes: 0 });
    expect(publisher.depth()).toBe(1203); // published is not acked
  });

  it("coalesces pokes into one task and never publishes inside the caller's stack", async ({ setup }) => {
    const { link, scheduler, publisher, store } = setup(0);
    publisher.start();
    await drain(scheduler);
    record(store, 3);
    publisher.poke();
    publisher.poke();
    publisher.poke();
    expect(link.sent).toHaveLength(0);
    expect(scheduler.count("soon")).toBe(1);
    await drain(scheduler);
    expect(link.sent).toHaveLength(1);
    expect(link.seqs(0)).toEqual([1, 2, 3]);
  });
});

describe("OutboxPublisher: acks and re-publishing", () => {
  it("deletes acked events, carries on with the next batch and stops the ack timer once all are acked", async ({
    setup,
  }) => {
    const { link, scheduler, publisher, store } = setup(5, { batchSize: 2 });
    publisher.start();
    await drain(scheduler);
    await ackLast(link, scheduler);
    expect(link.seqs(1)).toEqual([3, 4]);
    publisher.acked(2);
    expect(outboxDepth(store)).toBe(3);
    await ackLast(link, scheduler);
    expect(link.seqs(2)).toEqual([5]);
    await ackLast(link, scheduler);
    publisher.acked(5);
    await drain(scheduler);
    expect(outboxDepth(store)).toBe(0);
    expect(scheduler.count("timeout")).toBe(0);
    expect(link.sent).toHaveLength(3);
    expect(publisher.counters()).toMatchObject({ acks: 2, ackedUpTo: 5, republishes: 0 });
  });

  it("re-publishes from the first unacked event when no ack covers a published one within ackTimeoutMs", async ({
    setup,
    log: { lines: logged },
  }) => {
    const { link, scheduler, publisher } = setup(4, { batchSize: 2 });
    publisher.start();
    await drain(scheduler);
    await ackLast(link, scheduler);
    await ackLast(link, scheduler);
    publisher.acked(2);
    await drain(scheduler);
    expect(link.sent).toHaveLength(2);
    expect(scheduler.fire("timeout")).toBe(1);
    await drain(scheduler);
    expect(link.seqs(2)).toEqual([3, 4]);
    expect(publisher.counters().republishes).toBe(1);
    expect(logged.some((l) => l.msg.includes("no ack in time"))).toBe(true);
  });

  it("starts again from the first unacked event when the timeout fires while a batch is in flight", async ({
    setup,
  }) => {
    const { link, scheduler, publisher } = setup(4, { batchSize: 2 });
    publisher.start();
    await drain(scheduler);
    await ackLast(link, scheduler);
    expect(link.seqs(1)).toEqual([3, 4]);
    scheduler.fire("timeout");
    await drain(scheduler);
    expect(link.sent).toHaveLength(2); // still one in flight
    await ackLast(link, scheduler); // the PUBACK of the earlier round must not move the new cursor
    expect(link.seqs(2)).toEqual([1, 2]);
  });

  it("re-publishes everything unacked after a reconnect", async ({ setup }) => {
    const { link, scheduler, publisher } = setup(3);
    publisher.start();
    await drain(scheduler);
    await ackLast(link, scheduler);
    link.setOpen(false);
    await drain(scheduler);
    expect(scheduler.count("timeout")).toBe(0); // no timer while down: the open restarts
    link.setOpen(true);
    await drain(scheduler);
    expect(link.sent).toHaveLength(2);
    expect(link.seqs(1)).toEqual([1, 2, 3]);
    expect(publisher.counters().republishes).toBe(1);
  });

  it("attempts nothing while the link is down and publishes once it opens", async ({ setup }) => {
    const { link, scheduler, publisher } = setup(3);
    link.open = false;
    publisher.start();
    publisher.poke();
    await drain(scheduler);
    expect(scheduler.fire("timeout")).toBe(0);
    expect(link.refused).toBe(0);
    expect(link.sent).toHaveLength(0);
    link.setOpen(true);
    await drain(scheduler);
    expect(link.seqs(0)).toEqual([1, 2, 3]);
  });
});

describe("OutboxPublisher: failures", () => {
  it("logs a refused publish, retries it after the ack timeout and loses nothing", async ({
    setup,
    log: { lines: logged },
  }) => {
    const { link, scheduler, publisher } = setup(5, { batchSize: 2 });
    publisher.start();
    await drain(scheduler);
    link.sent[0]?.reject(new MqttError("MQTT_PUBLISH_FAILED", "mqtt://fake", "refused"));
    await drain(scheduler);
    expect(link.sent).toHaveLength(1); // no hot retry loop
    expect(publisher.counters().failures).toBe(1);
    expect(logged.some((l) => l.level === "warn")).toBe(true);
    scheduler.fire("timeout");
    await drain(scheduler);
    for (let i = 1; i < 4; i++) await ackLast(link, scheduler);
    const seqs = new Set(link.sent.slice(1).flatMap((s) => s.message.events.map((e) => e.seq)));
    expect([...seqs].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
  });

  it("retries a batch lost with the link on the next open", async ({ setup }) => {
    const { link, scheduler, publisher } = setup(3);
    publisher.start();
    await drain(scheduler);
    link.open = false;
    link.sent[0]?.reject(new MqttError("MQTT_NOT_CONNECTED", "mqtt://fake", "dropped"));
    link.setOpen(false);
    await drain(scheduler);
    expect(link.sent).toHaveLength(1);
    link.setOpen(true);
    await drain(scheduler);
    expect(link.seqs(1)).toEqual([1, 2, 3]);
  });

  it("stop() ends publishing and cancels its timers", async ({ setup }) => {
    const { link, scheduler, publisher } = setup(2);
    publisher.start();
    await drain(scheduler);
    await ackLast(link, scheduler);
    publisher.stop();
    expect(scheduler.pending).toBe(0);
    link.setOpen(true);
    publisher.poke();
    await drain(scheduler);
    expect(link.sent).toHaveLength(1);
  });

  it("logs instead of throwing when the store cannot be read or written", async ({
    setup,
    log: { lines: logged },
  }) => {
    const { link, scheduler, publisher, store } = setup(2);
    publisher.start();
    store.close();
    await drain(scheduler);
    expect(link.sent).toHaveLength(0);
    expect(() => publisher.acked(2)).not.toThrow();
    expect(logged.filter((l) => l.level === "error").map((l) => l.msg)).toEqual([
      "outbox: could not read pending events; retrying after the ack timeout",
      "outbox: could not apply an ack",
    ]);
  });

  it("re-sends an event queued again after a relay failure below the cursor, though all was acked", async ({
    store: t,
    withPublisher,
  }) => {
    importExamples(t.store);
    const store = t.store;
    const { link, scheduler, publisher } = withPublisher(store);
    // Anna's charged swim: the door fails, the event goes out again with its refund entry.
    const e = scan(store, scanReq("0001234567", "pool"), MONDAY_10, "gw-1");
    expect(e).toMatchObject({ decision: "grant", creditsDeducted: 1 });
    publisher.start();
    await drain(scheduler);
    await ackLast(link, scheduler);
    publisher.acked(e.seq);
    expect(scheduler.count("timeout")).toBe(0);
    recordRelayFailure(store, e, MONDAY_10 + 500);
    publisher.poke();
    await drain(scheduler);
    expect(scheduler.fire("timeout")).toBe(1);
    await drain(scheduler);
    expect(link.sent[1]?.message.events.filter(isDecision).map((x) => [x.id, x.relayFailed])).toEqual([
      [e.id, true],
    ]);
    // Both entries travel with it (the fake link checks every batch against EventsMessage).
    expect(
      link.sent[1]?.message.events.filter(isDecision)[0]?.ledger.map((l) => [l.id, l.amount, l.kind]),
    ).toEqual([
      [e.id, 1, "usage"],
      [`${e.id}:refund`, -1, "refund"],
    ]);
    await ackLast(link, scheduler);
    publisher.acked(e.seq);
    expect(outboxDepth(store)).toBe(0);
  });
});

describe("OutboxPublisher: an undone grant goes out again at once (sync.md)", () => {
  it("re-sends a grant undone after its ack at once, without waiting for the ack timeout", async ({
    store: t,
    withPublisher,
  }) => {
    importExamples(t.store);
    const store = t.store;
    const { link, scheduler, publisher } = withPublisher(store);
    const e = scan(store, scanReq("0001234567", "pool"), MONDAY_10, "gw-1");
    publisher.start();
    await drain(scheduler);
    await ackLast(link, scheduler);
    publisher.acked(e.seq);
    recordRelayFailure(store, e, MONDAY_10 + 500);
    publisher.resend(e.seq);
    await drain(scheduler);
    // Published again before any timer fired.
    expect(scheduler.count("timeout")).toBeLessThanOrEqual(1);
    expect(link.sent[1]?.message.events.filter(isDecision).map((x) => [x.id, x.relayFailed])).toEqual([
      [e.id, true],
    ]);
    await ackLast(link, scheduler);
    publisher.acked(e.seq);
    expect(outboxDepth(store)).toBe(0);
  });

  it("re-sends from the undone grant while a later batch is in flight, and that batch's PUBACK does not skip it", async ({
    store: t,
    withPublisher,
  }) => {
    importExamples(t.store);
    const store = t.store;
    const { link, scheduler, publisher } = withPublisher(store);
    const first = scan(store, scanReq("0001234567", "pool"), MONDAY_10, "gw-1");
    publisher.start();
    await drain(scheduler);
    // Published, not acked yet; the grant is undone and a new event is recorded meanwhile.
    recordRelayFailure(store, first, MONDAY_10 + 500);
    publisher.resend(first.seq);
    await ackLast(link, scheduler);
    expect(scheduler.count("timeout")).toBeLessThanOrEqual(1);
    const ids = link.sent.flatMap((b) => b.message.events.map((x) => x.id));
    expect(ids.filter((id) => id === first.id).length).toBeGreaterThanOrEqual(2);
  });
  it("forgets a grant undone before it was ever published on the first ack that covers it (no copy of it was out to be acked)", async ({
    store: t,
    withPublisher,
  }) => {
    importExamples(t.store);
    const store = t.store;
    const { link, scheduler, publisher } = withPublisher(store);
    publisher.start();
    await drain(scheduler);
    // The relay failed at once (its port gone), before the publisher's turn came.
    const e = scan(store, scanReq("0001234567", "pool"), MONDAY_10, "gw-1");
    recordRelayFailure(store, e, MONDAY_10 + 10);
    publisher.resend(e.seq);
    await drain(scheduler);
    expect(link.sent.map((b) => b.message.events.filter(isDecision).map((x) => x.relayFailed))).toEqual([
      [true],
    ]);
    await ackLast(link, scheduler);
    publisher.acked(e.seq);
    expect(outboxDepth(store)).toBe(0);
    expect(scheduler.count("timeout")).toBe(0);
  });
});

describe("OutboxPublisher: depth and alarm", () => {
  it("raises the alarm above sync.outboxAlarm, logs an error once, and clears it after acks", async ({
    setup,
    log: { lines: logged },
  }) => {
    const { scheduler, publisher } = setup(3, { outboxAlarm: 2 });
    publisher.start();
    await drain(scheduler);
    expect(publisher.depth()).toBe(3);
    expect(publisher.alarm()).toBe(true);
    expect(publisher.alarm()).toBe(true);
    expect(logged.filter((l) => l.level === "error")).toHaveLength(1);
    publisher.acked(1);
    expect(publisher.alarm()).toBe(false);
  });

  it("keeps no state that matters: a new publisher on the reopened store starts at the first unacked", async ({
    store: t,
    setup,
    withPublisher,
  }) => {
    const first = setup(4, { batchSize: 10 });
    first.publisher.start();
    await drain(first.scheduler);
    await ackLast(first.link, first.scheduler);
    first.publisher.acked(2);
    first.publisher.stop();
    const { link, scheduler, publisher } = withPublisher(t.reopen(), { batchSize: 10 });
    publisher.start();
    await drain(scheduler);
    expect(link.seqs(0)).toEqual([3, 4]);
  });
});
