/**
 * A gateway's message to the central, routed by its topic (sync.md: hello, events, status,
 * command-results) after validation; a bad payload goes to `refused` and nowhere else.
 */
import type { SyncPayload } from "../config/protocol/payloads.js";
import { matchTopic } from "../config/protocol/topics.js";
import type { MqttMessage } from "../drivers/mqtt/mqttTypes.js";
import { type GatewayKind, parseGatewayPayload } from "./centralInbound.js";

/** What the central does with each kind of validated gateway message. */
export interface GatewayMessageHandlers {
  hello(hello: SyncPayload<"hello">): void;
  events(batch: SyncPayload<"events">): void;
  status(gatewayId: string, status: SyncPayload<"status">): void;
  commandResult(gatewayId: string, result: SyncPayload<"command-results">): void;
  /** A payload that failed validation: the topic and what is wrong with it. */
  refused(topic: string, problem: string): void;
}

/** Validates a message under `prefix` and hands it to its handler; "rejected" when it was refused. */
export function routeGatewayMessage(
  m: MqttMessage,
  prefix: string,
  maxBytes: number,
  h: GatewayMessageHandlers,
): "rejected" | undefined {
  const match = matchTopic(m.topic, prefix);
  if (match === null || match.scope !== "gateways") return undefined;
  const g = match.gatewayId;
  const parse = <K extends GatewayKind>(kind: K): SyncPayload<K> | undefined => {
    const parsed = parseGatewayPayload(kind, m.topic, m.payload, g, maxBytes);
    if (parsed.ok) return parsed.value;
    h.refused(m.topic, parsed.problem);
    return undefined;
  };
  switch (match.kind) {
    case "hello": {
      const hello = parse("hello");
      if (hello === undefined) return "rejected";
      h.hello(hello);
      return undefined;
    }
    case "events": {
      const batch = parse("events");
      if (batch === undefined) return "rejected";
      h.events(batch);
      return undefined;
    }
    case "status": {
      // An empty retained payload clears the status topic: nothing to record.
      if (m.payload.byteLength === 0) return undefined;
      const status = parse("status");
      if (status === undefined) return "rejected";
      h.status(g, status);
      return undefined;
    }
    case "command-results": {
      const result = parse("command-results");
      if (result === undefined) return "rejected";
      h.commandResult(g, result);
      return undefined;
    }
    default:
      return undefined;
  }
}
