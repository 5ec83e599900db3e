/**
 * R21 card and PIN through the real mqtt-tasmota reader on a real Mosquitto: the test publishes
 * what Tasmota publishes (a PN532 card, then Wiegand keypad keys with SetOption124 1) and reads the
 * events the daemon recorded. The clock is the test's; the PIN timeout fires through the scheduler.
 */
import type { MqttClient } from "mqtt";
import { describe, expect, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import type { Gateway } from "../../gateway/daemon.js";
import type { Store } from "../../gateway/store/db.js";
import { listEvents } from "../../gateway/store/events.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { ManualScheduler } from "../helpers/fakeTransport.js";
import { memoryLogger } from "../helpers/logs.js";
import { GYM_PIN_READER, NOPIN, PIA, PIN, pinMembers } from "../helpers/pinMembers.js";

const TOPIC = "tele/gym-reader/SENSOR";

/** The gateway's timers held until the test fires those of one delay (the PIN timeout). */
class DelayScheduler extends ManualScheduler {
  /** Fires every queued timer of `ms`; returns how many. */
  fire(ms: number): number {
    const due = [...this.timers].filter(([, t]) => t.ms === ms);
    for (const [id, t] of due) {
      this.timers.delete(id);
      t.fn();
    }
    return due.length;
  }
}

const config = (url: string) =>
  GatewayConfig.parse({
    readers: [
      GYM_PIN_READER,
      { id: "gym-out", driver: "mqtt-tasmota", topic: "gym-exit", area: "gym", direction: "out" },
    ],
    mqtt: { url },
  });

/** A Tasmota device on the broker: a card at its PN532, keys on its Wiegand keypad. */
function tasmota(client: MqttClient, topic = TOPIC) {
  return {
    card: (uid: string) =>
      client.publishAsync(topic, JSON.stringify({ Time: "2027-03-22T10:00:00", PN532: { UID: uid } })),
    /** Keys one message each (SetOption124 1): digits as 0–9, `*` as 10, `#` as 11. */
    keys: async (keys: string) => {
      for (const k of keys) {
        const uid = k === "*" ? 10 : k === "#" ? 11 : Number(k);
        await client.publishAsync(topic, JSON.stringify({ Wiegand: { UID: uid, Size: 4 } }));
      }
    },
  };
}

const reasons = (store: Store) => listEvents(store).map((e) => e.reason);

/** Waits until the store holds `n` events. */
async function events(store: Store, n: number): Promise<string[]> {
  await vi.waitFor(() => expect(reasons(store)).toHaveLength(n), { timeout: 5000 });
  return reasons(store);
}

async function open(gateway: Gateway): Promise<void> {
  await vi.waitFor(() => expect(gateway.status().readers.every((r) => r.state === "open")).toBe(true), {
    timeout: 5000,
  });
}

describe("R21: card and PIN at a Tasmota Wiegand keypad", () => {
  it("R21: card then the right PIN and # is granted; a wrong one is wrong_pin, and neither PIN is logged or recorded", async ({
    store: t,
    broker,
    mqttClient,
    gateway: startGateway,
  }) => {
    pinMembers(t.store);
    const log = memoryLogger("debug");
    let now = at("2027-03-22T10:00");
    const gateway = await startGateway({ config: config(broker.url), clock: () => now, logger: log.logger });
    await open(gateway);
    const device = tasmota(await mqttClient());

    await device.card(PIA);
    // `*` clears what was typed: "99" never counts.
    await device.keys(`99*${PIN}#`);
    expect(await events(t.store, 1)).toEqual(["ok"]);

    now += 60_000;
    await device.card(PIA);
    await device.keys("8642#");
    expect(await events(t.store, 2)).toEqual(["ok", "wrong_pin"]);
    const wrong = listEvents(t.store)[1];
    expect(wrong).toMatchObject({
      decision: "deny",
      memberId: "m-pia",
      readerId: "gym-in",
      message: "Wrong PIN",
    });

    const written = JSON.stringify([log.lines, listEvents(t.store)]);
    for (const typed of [PIN, "8642"]) expect(written).not.toContain(typed);
    expect(written).not.toContain("$scrypt$");
  });

  it("R21: no # within pinTimeoutSeconds is pin_timeout; keys with no card are ignored; a member without a PIN is pin_missing", async ({
    store: t,
    broker,
    mqttClient,
    gateway: startGateway,
  }) => {
    pinMembers(t.store);
    const scheduler = new DelayScheduler();
    const now = at("2027-03-22T10:00");
    const gateway = await startGateway({ config: config(broker.url), clock: () => now, scheduler });
    await open(gateway);
    const client = await mqttClient();
    const device = tasmota(client);

    // osdp.md: keys typed with no card first mean nothing, even a right PIN.
    await device.keys(`${PIN}#`);
    await device.card(PIA);
    await device.keys("12");
    await vi.waitFor(() => expect(scheduler.fire(10_000)).toBe(1), { timeout: 5000 });
    expect(await events(t.store, 1)).toEqual(["pin_timeout"]);

    // Noè has no PIN: refused at once, no waiting. His card, presented while Pia's waits for its
    // PIN, replaces hers: nothing is recorded for Pia, and her PIN typed after it opens nothing.
    await device.card(PIA);
    await device.keys("12");
    await device.card(NOPIN);
    expect(await events(t.store, 2)).toEqual(["pin_timeout", "pin_missing"]);
    await device.keys(`${PIN}#`);
    // Pia leaving: her exit is recorded after the keys above were taken (one client, in order).
    await tasmota(client, "tele/gym-exit/SENSOR").card(PIA);
    expect(await events(t.store, 3)).toEqual(["pin_timeout", "pin_missing", "exit"]);
    expect(scheduler.fire(10_000)).toBe(0);
  });

  it("R21: exits never ask; an unknown card is refused by R1 before any PIN", async ({
    store: t,
    broker,
    mqttClient,
    gateway: startGateway,
  }) => {
    pinMembers(t.store);
    const gateway = await startGateway({ config: config(broker.url), clock: () => at("2027-03-22T10:00") });
    await open(gateway);
    const client = await mqttClient();
    await tasmota(client, "tele/gym-exit/SENSOR").card(PIA);
    expect(await events(t.store, 1)).toEqual(["exit"]);
    await tasmota(client).card("0BADCAFE");
    expect(await events(t.store, 2)).toEqual(["exit", "unknown_card"]);
  });

  it("R21: five wrong PINs lock the card for 15 minutes, through a restart, and a right PIN then opens", async ({
    store: t,
    broker,
    mqttClient,
    gateway: startGateway,
  }) => {
    pinMembers(t.store);
    let now = at("2027-03-22T10:00");
    const options = { config: config(broker.url), clock: () => now };
    const first = await startGateway(options);
    await open(first);
    const device = tasmota(await mqttClient());
    for (let i = 1; i <= 5; i++) {
      now += 5_000;
      await device.card(PIA);
      await device.keys(`000${i}#`);
      await events(t.store, i);
    }
    now += 5_000;
    await device.card(PIA);
    await device.keys(`${PIN}#`);
    expect(await events(t.store, 6)).toEqual([...Array(5).fill("wrong_pin"), "pin_locked"]);

    await first.stop();
    const second = await startGateway(options);
    await open(second);
    now += 10 * 60_000;
    await device.card(PIA);
    expect((await events(t.store, 7)).at(-1)).toBe("pin_locked");

    // 15 minutes after the fifth wrong PIN the card may try again, and the right PIN opens.
    now = at("2027-03-22T10:00") + 25_000 + 15 * 60_000;
    await device.card(PIA);
    await device.keys(`${PIN}#`);
    expect((await events(t.store, 8)).at(-1)).toBe("ok");
  });
});
