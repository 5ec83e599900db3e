import { describe, expect, it } from "vitest";
import type { SyncKind } from "../../config/protocol/payloads.js";
import {
  centralSubscriptions,
  gatewaySubscriptions,
  matchTopic,
  SYNC_KINDS,
  SYNC_QOS,
  SYNC_TOPICS,
  syncTopic,
  syncTopics,
} from "../../config/protocol/topics.js";

describe("the topics of sync.md", () => {
  it("builds every topic of a gateway of a site under the prefix", () => {
    expect(syncTopics("accessgw/v1", "rome-center", "gw-rome-1")).toEqual({
      config: "accessgw/v1/sites/rome-center/config",
      changes: "accessgw/v1/sites/rome-center/changes",
      sync: "accessgw/v1/gateways/gw-rome-1/sync",
      acks: "accessgw/v1/gateways/gw-rome-1/acks",
      hello: "accessgw/v1/gateways/gw-rome-1/hello",
      events: "accessgw/v1/gateways/gw-rome-1/events",
      status: "accessgw/v1/gateways/gw-rome-1/status",
      commands: "accessgw/v1/gateways/gw-rome-1/commands",
      "command-results": "accessgw/v1/gateways/gw-rome-1/command-results",
    });
  });

  it("retains only config and status, and says who sends what, all at QoS 1", () => {
    const table = SYNC_KINDS.map((k) => [k, SYNC_TOPICS[k].direction, SYNC_TOPICS[k].retained]);
    expect(table).toEqual([
      ["config", "toGateway", true],
      ["changes", "toGateway", false],
      ["sync", "toGateway", false],
      ["acks", "toGateway", false],
      ["hello", "toCentral", false],
      ["events", "toCentral", false],
      ["status", "toCentral", true],
      ["commands", "toGateway", false],
      ["command-results", "toCentral", false],
    ]);
    expect(SYNC_QOS).toBe(1);
  });

  it("subscribes a gateway to what the central sends it, and the central to every gateway", () => {
    expect(gatewaySubscriptions("p", "s", "g")).toEqual([
      "p/sites/s/config",
      "p/sites/s/changes",
      "p/gateways/g/sync",
      "p/gateways/g/acks",
      "p/gateways/g/commands",
    ]);
    expect(centralSubscriptions("p")).toEqual([
      "p/gateways/+/hello",
      "p/gateways/+/events",
      "p/gateways/+/status",
      "p/gateways/+/command-results",
    ]);
  });

  it.each(SYNC_KINDS)("round-trips the %s topic through matchTopic", (kind: SyncKind) => {
    const topic = syncTopic(kind, "acme/gyms", "rome-center", "gw-rome-1");
    const match = matchTopic(topic, "acme/gyms");
    expect(match?.kind).toBe(kind);
    expect(match).toEqual(
      SYNC_TOPICS[kind].scope === "sites"
        ? { kind, scope: "sites", siteId: "rome-center" }
        : { kind, scope: "gateways", gatewayId: "gw-rome-1" },
    );
  });

  it("uses the default prefix accessgw/v1", () => {
    expect(matchTopic("accessgw/v1/gateways/gw-1/hello")).toEqual({
      kind: "hello",
      scope: "gateways",
      gatewayId: "gw-1",
    });
  });

  it.each([
    ["another prefix", "other/v1/sites/s/config"],
    ["a kind under the wrong scope", "accessgw/v1/gateways/g/config"],
    ["a gateway kind under sites", "accessgw/v1/sites/s/events"],
    ["an unknown kind", "accessgw/v1/gateways/g/reboot"],
    ["an extra level", "accessgw/v1/gateways/g/events/1"],
    ["an empty id", "accessgw/v1/gateways//events"],
    ["a wildcard id", "accessgw/v1/gateways/+/events"],
    ["the prefix alone", "accessgw/v1"],
    ["a prefix that only starts the same", "accessgw/v10/sites/s/config"],
  ])("matches nothing for %s", (_what, topic) => {
    expect(matchTopic(topic)).toBeNull();
  });
});
