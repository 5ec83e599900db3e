/**
 * doors.md D6 on a real Mosquitto: the daemon tells MQTT readers what it decided, in the member's
 * language — the Italian message on an mqtt-json feedback topic and on a Tasmota display, the
 * Tasmota buzzer (one beep, three beeps), and the words of an undo after a relay failure.
 */
import { readFileSync } from "node:fs";
import { describe, expect, vi } from "vitest";
import { parse } from "yaml";
import { GatewayConfig } from "../../config/gateway.js";
import { SimMqttJsonReader } from "../../firmware-sim/devices/mqttJsonReader.js";
import { SimTasmotaDevice } from "../../firmware-sim/devices/tasmotaDevice.js";
import type { Store } from "../../gateway/store/db.js";
import { listEvents } from "../../gateway/store/events.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { it } from "../harness/index.js";
import { at, clockFrom } from "../helpers/build.js";
import { importExamples, importInputs } from "../store/storeHelpers.js";

/** The examples with an Italian site whose pool is called "Piscina", and Bruno speaking German. */
function italianSite(store: Store): void {
  importExamples(store);
  const site = parse(readFileSync("test/fixtures/examples/site.yaml", "utf8")) as {
    site: Record<string, unknown>;
    areas: { id: string; name?: string }[];
  };
  site.site.locale = "it-IT";
  for (const area of site.areas) if (area.id === "pool") area.name = "Piscina";
  const bruno = {
    id: "m-bruno",
    name: "Bruno",
    locale: "de",
    cards: [{ number: "7654321" }],
    multipacks: [{ id: "mp-bruno-flex", product: "gymflex", purchasedAt: "2027-03-20T10:00:00+01:00" }],
  };
  importInputs(store, [
    { name: "site.yaml", value: site },
    { name: "bruno.yaml", value: { members: [bruno] } },
  ]);
}

describe("D6: feedback at MQTT readers on a real broker", () => {
  it("D6: the Italian message on an mqtt-json feedback topic and on a Tasmota display, with the buzzer", async ({
    store: t,
    broker,
    started,
    watcher,
    gateway: startGateway,
  }) => {
    italianSite(t.store);
    const device = { url: broker.url, reconnectMs: 100 };
    const poolReader = await started(
      new SimMqttJsonReader({ ...device, topic: "pool/scan", field: "uid", feedbackTopic: "pool/display" }),
    );
    const gymReader = await started(
      new SimTasmotaDevice({ ...device, topic: "gym-reader", relays: 0, scheduler: realScheduler }),
    );
    const seen = await watcher(["pool/display", "cmnd/gym-reader/+"]);
    const config = GatewayConfig.parse({
      readers: [
        {
          id: "pool-in",
          driver: "mqtt-json",
          topic: "pool/scan",
          field: "uid",
          feedbackTopic: "pool/display",
          area: "pool",
          direction: "in",
        },
        {
          id: "gym-in",
          driver: "mqtt-tasmota",
          topic: "gym-reader",
          display: true,
          cardNumber: "decimal",
          area: "gym",
          direction: "in",
        },
      ],
      mqtt: { url: broker.url },
    });
    // Monday 06:30: the pool opens at 07:00 (pool-offpeak).
    const gateway = await startGateway({
      config,
      gatewayId: "gw-d6",
      clock: clockFrom(at("2027-03-22T06:30")),
    });
    await vi.waitFor(() => expect(gateway.status().readers.map((r) => r.state)).toEqual(["open", "open"]), {
      timeout: 5000,
    });

    // Anna (site language: Italian) at the pool before it opens.
    expect(poolReader.present("1234567")).toBe(true);
    await vi.waitFor(() => expect(seen.on("pool/display")).toHaveLength(1), { timeout: 5000 });
    expect(JSON.parse(seen.on("pool/display")[0] as string)).toEqual({
      decision: "deny",
      reason: "outside_time_window",
      message: "Piscina apre alle 07:00",
      undone: false,
    });
    await vi.waitFor(() => expect(poolReader.display.texts).toEqual(["Piscina apre alle 07:00"]), {
      timeout: 5000,
    });

    // Anna at the gym: her swim pack is not valid there — three beeps and the Italian words.
    expect(gymReader.presentCard(1_234_567)).toBe(true);
    await vi.waitFor(() => expect(seen.on("cmnd/gym-reader/DisplayText")).toHaveLength(1), { timeout: 5000 });
    expect(seen.on("cmnd/gym-reader/Buzzer")).toEqual(["3"]);
    expect(seen.on("cmnd/gym-reader/DisplayText")).toEqual(["[z]Non valido per quest'area"]);
    await vi.waitFor(
      () =>
        expect(gymReader.display.history.map((o) => [o.via, o.text])).toEqual([
          ["buzzer", "3 beeps"],
          ["display", "Non valido per quest'area"],
        ]),
      { timeout: 5000 },
    );

    // Bruno speaks German (his own locale beats the site's): one short beep.
    expect(gymReader.presentCard(7_654_321)).toBe(true);
    await vi.waitFor(() => expect(seen.on("cmnd/gym-reader/DisplayText")).toHaveLength(2), { timeout: 5000 });
    expect(seen.on("cmnd/gym-reader/Buzzer")).toEqual(["3", "1"]);
    expect(seen.on("cmnd/gym-reader/DisplayText")[1]).toBe("[z]Willkommen Bruno");

    // Reasons in the events stay English codes; the message is what the member saw.
    expect(listEvents(t.store).map((e) => [e.readerId, e.reason, e.message])).toEqual([
      ["pool-in", "outside_time_window", "Piscina apre alle 07:00"],
      ["gym-in", "wrong_area", "Non valido per quest'area"],
      ["gym-in", "ok", "Willkommen Bruno"],
    ]);
  });

  it("D6: a grant whose relay fails is followed by the undo in the member's language, after the pulse was asked", async ({
    store: t,
    broker,
    started,
    watcher,
    gateway: startGateway,
  }) => {
    italianSite(t.store);
    const poolReader = await started(
      new SimMqttJsonReader({
        url: broker.url,
        topic: "pool/scan-2",
        field: "uid",
        feedbackTopic: "pool/display-2",
      }),
    );
    // No device answers on cmnd/pool-door-9/…: the relay never confirms and the grant is undone.
    const seen = await watcher(["pool/display-2", "cmnd/pool-door-9/+"]);
    const config = GatewayConfig.parse({
      readers: [
        {
          id: "pool-in",
          driver: "mqtt-json",
          topic: "pool/scan-2",
          field: "uid",
          feedbackTopic: "pool/display-2",
          area: "pool",
          direction: "in",
          door: "pool",
        },
      ],
      doors: [{ id: "pool", relay: "pool-relay", channel: 1, pulseMs: 300 }],
      relays: [{ id: "pool-relay", driver: "mqtt-tasmota", topic: "pool-door-9" }],
      mqtt: { url: broker.url },
    });
    const gateway = await startGateway({
      config,
      gatewayId: "gw-d6-2",
      clock: clockFrom(at("2027-03-22T10:00")),
    });
    await vi.waitFor(() => expect(gateway.status().readers[0]?.state).toBe("open"), { timeout: 5000 });

    expect(poolReader.present("1234567")).toBe(true);
    await vi.waitFor(() => expect(seen.on("pool/display-2")).toHaveLength(2), { timeout: 8000 });
    expect(seen.on("pool/display-2").map((p) => JSON.parse(p))).toEqual([
      { decision: "grant", reason: "ok", message: "Ciao Anna — restano 9/10", undone: false },
      {
        decision: "deny",
        reason: "relay_failed",
        message: "La porta non si è aperta — riprova",
        undone: true,
      },
    ]);
    // The pulse was asked of the relay before the reader heard of the grant (feedback never delays the door).
    const order = seen.seen.map((m) => m.topic).filter((topic) => !topic.endsWith("/PulseTime1"));
    expect(order.indexOf("cmnd/pool-door-9/POWER1")).toBeLessThan(order.indexOf("pool/display-2"));
    expect(poolReader.display.texts).toEqual([
      "Ciao Anna — restano 9/10",
      "La porta non si è aperta — riprova",
    ]);
  });
});
