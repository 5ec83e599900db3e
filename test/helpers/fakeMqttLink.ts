/** An in-memory MQTT link for unit tests of drivers on the shared broker connection. */
import { MqttError, type MqttHandler, type MqttLink } from "../../drivers/mqtt/mqttTypes.js";
import { topicMatches } from "../../drivers/mqtt/topics.js";
import { Listeners } from "../../drivers/transport/listeners.js";
import type { Health } from "../../drivers/transport/reconnecting.js";

/** An in-memory broker link: records publishes, lets the test deliver messages and drop the link. */
export class FakeLink implements MqttLink {
  readonly published: string[] = [];
  /** Called on each publish, to play the device. */
  device: (topic: string, payload: string) => void = () => {};
  private readonly handlers = new Set<[string, MqttHandler]>();
  private readonly listeners = new Listeners<{ state: (h: Health) => void }>();
  private open = true;
  private id = 0;

  subscribe(filter: string, handler: MqttHandler): () => void {
    const entry: [string, MqttHandler] = [filter, handler];
    this.handlers.add(entry);
    return () => this.handlers.delete(entry);
  }

  publish(topic: string, payload: string | Uint8Array): Promise<void> {
    if (!this.open) return Promise.reject(new MqttError("MQTT_NOT_CONNECTED", "fake", "not connected"));
    const text = typeof payload === "string" ? payload : Buffer.from(payload).toString();
    this.published.push(`${topic} ${text}`);
    this.device(topic, text);
    return Promise.resolve();
  }

  deliver(topic: string, payload: string, retain = false): void {
    for (const [filter, handler] of [...this.handlers])
      if (topicMatches(filter, topic)) handler({ topic, payload: Buffer.from(payload), retain });
  }

  setOpen(open: boolean): void {
    this.open = open;
    this.listeners.emit("state", this.health());
  }

  health(): Health {
    return { state: this.open ? "open" : "waiting", since: 0, lastError: undefined, attempts: 0 };
  }

  isOpen(): boolean {
    return this.open;
  }

  on<K extends "state">(event: K, listener: (h: Health) => void): () => void {
    return this.listeners.on(event, listener);
  }

  nextRequestId(): number {
    return ++this.id;
  }
}
