/** A broker per test file and the gateway-side watcher the simulator's MQTT device tests share. */
import mqtt from "mqtt";
import { afterAll, afterEach, beforeAll } from "vitest";
import { ManualScheduler } from "./fakeTransport.js";
import { startBroker, type TestBroker } from "./mosquitto.js";

/** A ManualScheduler that also remembers the delay of every timer. */
export class RecordingScheduler extends ManualScheduler {
  readonly delays: number[] = [];
  override setTimeout(fn: () => void, ms: number): unknown {
    this.delays.push(ms);
    return super.setTimeout(fn, ms);
  }
}

/** One message a watcher saw. */
export interface Seen {
  topic: string;
  payload: string;
  retain: boolean;
}

/** Registers beforeAll/afterAll/afterEach hooks: a broker for the file, cleanups after each test. */
export function mqttTestBed() {
  let current: (TestBroker & { dispose(): Promise<void> }) | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    current = await startBroker();
  });
  afterAll(async () => {
    await current?.dispose();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const broker = (): TestBroker => {
    if (current === undefined) throw new Error("the broker starts in beforeAll");
    return current;
  };

  /** Another client on the broker (the gateway's seat): what it sees under `filter`, and a way to publish. */
  async function watcher(filter: string) {
    const client = await mqtt.connectAsync(broker().url, { reconnectPeriod: 0 });
    cleanups.push(() => client.endAsync());
    const seen: Seen[] = [];
    client.on("message", (topic, payload, packet) => {
      seen.push({ topic, payload: payload.toString(), retain: packet.retain });
    });
    await client.subscribeAsync(filter);
    return {
      seen,
      on: (topic: string) => seen.filter((m) => m.topic === topic).map((m) => m.payload),
      send: (message: { topic: string; payload: string }) =>
        client.publishAsync(message.topic, message.payload),
    };
  }

  /** Starts a device and stops it after the test. */
  async function started<T extends { start(): Promise<void>; stop(): Promise<void> }>(device: T): Promise<T> {
    await device.start();
    cleanups.push(() => device.stop());
    return device;
  }

  return { broker, cleanups, watcher, started };
}
