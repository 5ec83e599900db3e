/**
 * A simulated generic MQTT reader (an ESPHome `mqtt.publish` setup). In `json` format it publishes
 * an object with the card at a configured dot-separated field path on a configured topic, e.g.
 * field "data.uid" gives `{"data":{"uid":"…"}}`: numbers go out as JSON numbers (a decimal read
 * on the gateway side), strings as strings (hex when all hex digits). In `text` format the payload
 * is the card itself, as ESPHome's documented `payload: !lambda 'return x;'` sends it ("7616525",
 * "74-10-37-94"): the gateway's `mqtt-text` driver reads it.
 */
import {
  type SimMqttBrokerOptions,
  SimMqttConnection,
  SimMqttDevice,
  simClientId,
} from "./mqttDeviceClient.js";
import { ReaderDisplay } from "./readerDisplay.js";

/** What a SimMqttJsonReader is handed. */
export interface SimMqttJsonReaderOptions extends SimMqttBrokerOptions {
  /** Where reads are published, e.g. "esphome/pool-in/card". */
  topic: string;
  /** Dot-separated path of the card field, e.g. "card" or "data.uid" (json format). */
  field: string;
  /** `json` (default): the card at `field`; `text`: the payload is the card. */
  format?: "json" | "text";
  /** Extra fields sent with every read (merged under the card field), e.g. {"reader":"pool"}. */
  extra?: Record<string, unknown>;
  /** Availability topic (online/offline, retained); default `<topic>/status`. */
  statusTopic?: string;
  /** D6: where the gateway publishes its feedback (`{decision, reason, message, undone}`); none when absent. */
  feedbackTopic?: string;
  /** Stamps what the reader shows (ms); default Date.now. */
  clock?: () => number;
}

/** A JSON-over-MQTT reader; start() connects, stop() disconnects cleanly. */
export class SimMqttJsonReader extends SimMqttDevice {
  private readonly topic: string;
  private readonly path: readonly string[];
  private readonly extra: Record<string, unknown>;
  private readonly format: "json" | "text";
  protected readonly connection: SimMqttConnection;
  /** D6: the feedback messages it showed, oldest first. */
  readonly display: ReaderDisplay;

  constructor(options: SimMqttJsonReaderOptions) {
    super();
    const path = options.field.split(".");
    if (path.some((key) => key === "")) {
      throw new RangeError(`field must be a dot-separated path like "data.uid", found "${options.field}"`);
    }
    this.topic = options.topic;
    this.path = path;
    this.extra = options.extra ?? {};
    this.format = options.format ?? "json";
    const statusTopic = options.statusTopic ?? `${options.topic}/status`;
    this.display = new ReaderDisplay(options.clock ?? Date.now);
    const feedbackTopic = options.feedbackTopic;
    this.connection = new SimMqttConnection({
      ...options,
      clientId: options.clientId ?? simClientId("esphome"),
      availability: { topic: statusTopic, online: "online", offline: "offline" },
      subscriptions: feedbackTopic === undefined ? [] : [feedbackTopic],
      onMessage: (topic, payload) => {
        if (topic === feedbackTopic) this.showFeedback(payload.toString());
      },
    });
  }

  /** D6: shows the message of a feedback payload; anything else is shown as it came, marked unreadable. */
  private showFeedback(text: string): void {
    const f = parseFeedback(text);
    if (f === null) this.display.show("feedback", `(unreadable feedback) ${text}`);
    else this.display.show("feedback", f.message, f.decision);
  }

  /** Publishes one read (`card` at the field path, or as the payload); returns false when not connected. */
  present(card: string | number): boolean {
    const payload = this.format === "text" ? String(card) : JSON.stringify(this.payload(card));
    return this.connection.publish(this.topic, payload);
  }

  /** Publishes raw text or bytes on the topic (garbage, a payload without the field); false when offline. */
  garbage(payload: string | Uint8Array): boolean {
    return this.connection.publish(this.topic, payload);
  }

  /** The object present() publishes for `card`. */
  payload(card: string | number): Record<string, unknown> {
    const root: Record<string, unknown> = structuredClone(this.extra);
    let node = root;
    for (const key of this.path.slice(0, -1)) {
      const next = node[key];
      const child: Record<string, unknown> =
        typeof next === "object" && next !== null && !Array.isArray(next)
          ? (next as Record<string, unknown>)
          : {};
      node[key] = child;
      node = child;
    }
    node[this.path[this.path.length - 1] ?? ""] = card;
    return root;
  }
}

/** The message (and decision) of an mqtt-json feedback payload, or null when it has none. */
function parseFeedback(text: string): { message: string; decision?: string } | null {
  try {
    const f = JSON.parse(text) as { decision?: unknown; message?: unknown } | null;
    if (typeof f?.message !== "string") return null;
    return typeof f.decision === "string"
      ? { message: f.message, decision: f.decision }
      : { message: f.message };
  } catch {
    return null;
  }
}
