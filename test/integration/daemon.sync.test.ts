/**
 * The daemon with `sync.enabled`: a scan at a simulated reader becomes an event at the central
 * (a plain MQTT client playing it here), the central's ack empties the outbox, and the retained
 * status says online with the reader connected, then offline after a clean stop.
 */
import { describe, expect, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { isDecision } from "../../config/protocol/events.js";
import { EventsMessage } from "../../config/protocol/payloads.js";
import { SimSerialLineReader } from "../../firmware-sim/devices/serialLineReader.js";
import { outboxDepth } from "../../gateway/store/outbox.js";
import { it } from "../harness/index.js";
import { at, clockFrom } from "../helpers/build.js";
import { importExamples } from "../store/storeHelpers.js";

describe("the daemon with central sync enabled", () => {
  it("sends each decision to the central, forgets it on ack, and keeps a retained status", async ({
    store: t,
    broker,
    serialServer,
    watcher,
    gateway: startGateway,
  }) => {
    importExamples(t.store);
    const line = await serialServer();
    const reader = new SimSerialLineReader({ link: line, lineEnding: "CR" });
    reader.start();

    const { client: central, seen } = await watcher("accessgw/v1/gateways/+/+", { qos: 1 });

    const config = GatewayConfig.parse({
      gateway: { id: "gw-sync", site: "rome-center" },
      readers: [{ id: "pool-in", driver: "serial-line", port: line.target, area: "pool", direction: "in" }],
      mqtt: { url: broker.url },
      sync: { enabled: true },
    });
    const gateway = await startGateway({
      config,
      gatewayId: "gw-sync",
      clock: clockFrom(at("2027-03-22T10:00")),
      version: "9.9.9-test",
    });

    // On connect: hello with the gateway's revisions and an empty outbox.
    await vi.waitFor(() => expect(seen.some((m) => m.topic.endsWith("/gw-sync/hello"))).toBe(true), {
      timeout: 5000,
    });
    const hello = JSON.parse(seen.find((m) => m.topic.endsWith("/hello"))?.payload ?? "{}");
    expect(hello).toEqual({
      gatewayId: "gw-sync",
      siteId: "rome-center",
      lastRev: 0,
      configRev: 0,
      version: "9.9.9-test",
      outbox: { firstSeq: null, lastSeq: null },
      // doors.md D5: the gateway carries front-desk commands out; R20: it decides home/away limits;
      // sync.md: it merges the site's visits and applies ledgerBefore.
      features: ["commands", "homeSite", "visits", "historyHorizon"],
      // sync.md "History horizon": the worked example's weekly studio limit.
      historyDays: 7,
    });
    await vi.waitFor(() => expect(gateway.status().readers[0]?.state).toBe("open"), { timeout: 5000 });

    // Anna swims: the event, with its ledger entry, reaches the central.
    reader.present("1234567");
    await vi.waitFor(() => expect(seen.some((m) => m.topic.endsWith("/gw-sync/events"))).toBe(true), {
      timeout: 5000,
    });
    const batch = EventsMessage.parse(
      JSON.parse(seen.find((m) => m.topic.endsWith("/events"))?.payload ?? ""),
    );
    expect(batch.events.filter(isDecision).map((e) => [e.id, e.decision, e.creditsDeducted])).toEqual([
      ["gw-sync:1", "grant", 1],
    ]);
    expect(batch.events.filter(isDecision)[0]?.ledger.map((l) => [l.id, l.multipackId, l.amount])).toEqual([
      ["gw-sync:1", "mp-anna-swim", 1],
    ]);
    expect(outboxDepth(t.store)).toBe(1);

    // The central has stored it: its ack empties the outbox.
    await central.publishAsync("accessgw/v1/gateways/gw-sync/acks", JSON.stringify({ upTo: 1 }), { qos: 1 });
    await vi.waitFor(() => expect(outboxDepth(t.store)).toBe(0), { timeout: 5000 });
    // `accessgw status` sees the sync link: connected, not in step yet (the central never answered
    // the hello), the outbox empty and acked up to 1.
    expect(gateway.status().sync).toMatchObject({
      state: "open",
      inStep: false,
      lastRev: 0,
      outbox: { pending: 0, firstSeq: null, ackedUpTo: 1 },
      counters: { hellos: 1, acks: 1 },
    });

    // The retained status says online with the reader connected; a clean stop leaves offline.
    await vi.waitFor(
      () => {
        const last = seen.filter((m) => m.topic.endsWith("/gw-sync/status")).at(-1);
        expect(JSON.parse(last?.payload ?? "{}")).toMatchObject({
          online: true,
          version: "9.9.9-test",
          readers: [{ id: "pool-in", connected: true }],
        });
      },
      { timeout: 5000 },
    );
    await gateway.stop();
    await vi.waitFor(
      () => {
        const last = seen.filter((m) => m.topic.endsWith("/gw-sync/status")).at(-1);
        expect(JSON.parse(last?.payload ?? "{}")).toEqual({ online: false });
      },
      { timeout: 5000 },
    );
  });
});
