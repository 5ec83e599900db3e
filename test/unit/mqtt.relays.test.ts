import { describe, expect, it } from "vitest";
import { RelayError } from "../../drivers/relays/errors.js";
import { ShellyGen1Relay, ShellyGen2Relay, TasmotaRelay } from "../../drivers/relays/mqttRelays.js";
import { FakeLink } from "../helpers/fakeMqttLink.js";
import { ManualScheduler } from "../helpers/fakeTransport.js";
import { silentLogger } from "../helpers/logs.js";

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup<R extends { start(): void }>(make: (link: FakeLink, scheduler: ManualScheduler) => R) {
  const link = new FakeLink();
  const scheduler = new ManualScheduler();
  const relay = make(link, scheduler);
  relay.start();
  return { link, scheduler, relay };
}

/** A Tasmota device that confirms ON (or not) and never reports OFF by itself. */
function tasmota(link: FakeLink, confirm = true) {
  link.device = (topic, payload) => {
    const m = /^cmnd\/([^/]+)\/(POWER\d+)$/.exec(topic);
    if (m && confirm) queueMicrotask(() => link.deliver(`stat/${m[1]}/${m[2]}`, payload));
  };
}

describe("TasmotaRelay (fake link, manual timers)", () => {
  it("fails with timeout when the reply timeout fires before ON, and sends OFF", async () => {
    const { link, scheduler, relay } = setup(
      (l, s) =>
        new TasmotaRelay(
          { id: "t", topic: "d" },
          { restingStates: () => [], logger: silentLogger(), connection: l, scheduler: s },
        ),
    );
    tasmota(link, false);
    const pulse = relay.pulse(2, 1000).catch((e: unknown) => e);
    await flush();
    expect(link.published).toEqual(["cmnd/d/PulseTime2 10", "cmnd/d/POWER2 ON"]);
    scheduler.runNext();
    const err = await pulse;
    expect(err).toBeInstanceOf(RelayError);
    expect(err).toMatchObject({ failure: "timeout", channel: 2 });
    await flush();
    expect(link.published.at(-1)).toBe("cmnd/d/POWER2 OFF");
    expect(scheduler.pending).toBe(0);
  });

  it("does not take a retained ON as the confirmation", async () => {
    const { link, scheduler, relay } = setup(
      (l, s) =>
        new TasmotaRelay(
          { id: "t", topic: "d" },
          { restingStates: () => [], logger: silentLogger(), connection: l, scheduler: s },
        ),
    );
    const pulse = relay.pulse(1, 1000).catch((e: unknown) => e);
    await flush();
    link.deliver("stat/d/POWER1", "ON", true);
    scheduler.runNext();
    expect(await pulse).toMatchObject({ failure: "timeout" });
  });

  it("resolves on the device's OFF, and sets PulseTime again after the broker reconnects", async () => {
    const { link, relay } = setup(
      (l, s) =>
        new TasmotaRelay(
          { id: "t", topic: "d" },
          { restingStates: () => [], logger: silentLogger(), connection: l, scheduler: s },
        ),
    );
    tasmota(link);
    const first = relay.pulse(1, 500);
    await flush();
    link.deliver("stat/d/POWER1", "OFF");
    await first;
    link.setOpen(false);
    link.setOpen(true);
    const second = relay.pulse(1, 500);
    await flush();
    link.deliver("stat/d/POWER1", "OFF");
    await second;
    expect(link.published).toEqual([
      "cmnd/d/PulseTime1 5",
      "cmnd/d/POWER1 ON",
      "cmnd/d/PulseTime1 5",
      "cmnd/d/POWER1 ON",
    ]);
  });

  it.each([
    ["1/0 (StateText set to numbers)", undefined, ["1", "0"]],
    ["its own StateText words", { off: "CLOSED", on: "OPEN" }, ["OPEN", "CLOSED"]],
  ])("completes a pulse on a device that reports %s", async (_n, stateText, [on, off]) => {
    const { link, scheduler, relay } = setup(
      (l, s) =>
        new TasmotaRelay(
          { id: "t", topic: "d", ...(stateText === undefined ? {} : { stateText }) },
          { restingStates: () => [], logger: silentLogger(), connection: l, scheduler: s },
        ),
    );
    link.device = (topic) => {
      if (topic === "cmnd/d/POWER1") queueMicrotask(() => link.deliver("stat/d/POWER1", on ?? ""));
    };
    const pulse = relay.pulse(1, 500);
    await flush();
    // The ON is confirmed: only the wait for the device's OFF is left.
    expect(scheduler.pending).toBe(1);
    link.deliver("stat/d/POWER1", off ?? "");
    await pulse;
    expect(relay.counters()).toMatchObject({ completed: 1, failed: 0, timeouts: 0 });
    expect(link.published).toEqual(["cmnd/d/PulseTime1 5", "cmnd/d/POWER1 ON"]);
  });

  it("puts its resting channels into their state when the broker is up; held ON means PulseTime 0 first", async () => {
    const link = new FakeLink();
    const relay = new TasmotaRelay(
      { id: "t", topic: "d" },
      {
        connection: link,
        scheduler: new ManualScheduler(),
        logger: silentLogger(),
        restingStates: () => [
          { channel: 1, on: false },
          { channel: 3, on: true },
        ],
      },
    );
    relay.start();
    await flush();
    expect(link.published).toEqual(["cmnd/d/POWER1 OFF", "cmnd/d/PulseTime3 0", "cmnd/d/POWER3 ON"]);
    link.setOpen(false);
    link.setOpen(true);
    await flush();
    expect(link.published.slice(3)).toEqual(["cmnd/d/POWER1 OFF", "cmnd/d/PulseTime3 0", "cmnd/d/POWER3 ON"]);
    expect(relay.counters().inFlight).toBe(0);
  });

  it("rests its channels again a moment after the device says it is online (it may come back after the broker)", async () => {
    const link = new FakeLink();
    const scheduler = new ManualScheduler();
    const relay = new TasmotaRelay(
      { id: "t", topic: "d" },
      {
        connection: link,
        scheduler,
        logger: silentLogger(),
        restingStates: () => [{ channel: 2, on: false }],
      },
    );
    relay.start();
    await flush();
    expect(link.published).toEqual(["cmnd/d/POWER2 OFF"]);
    link.deliver("tele/d/LWT", "Offline");
    expect(scheduler.pending).toBe(0);
    link.deliver("tele/d/LWT", "Online");
    await flush();
    // Tasmota announces itself before it subscribes: the OFF waits a moment.
    expect(link.published).toEqual(["cmnd/d/POWER2 OFF"]);
    expect(scheduler.runNext()).toBe(true);
    await flush();
    expect(link.published).toEqual(["cmnd/d/POWER2 OFF", "cmnd/d/POWER2 OFF"]);
    await relay.stop();
  });

  it("fails a queued pulse with transport_down when the broker went away while it waited", async () => {
    const { link, scheduler, relay } = setup(
      (l, s) =>
        new TasmotaRelay(
          { id: "t", topic: "d" },
          { restingStates: () => [], logger: silentLogger(), connection: l, scheduler: s },
        ),
    );
    tasmota(link);
    const first = relay.pulse(1, 500);
    const second = relay.pulse(1, 500).catch((e: unknown) => e);
    await flush();
    link.setOpen(false);
    link.deliver("stat/d/POWER1", "OFF");
    await first;
    expect(await second).toMatchObject({ failure: "transport_down" });
    expect(relay.counters()).toMatchObject({ pulses: 2, completed: 1, failed: 1, inFlight: 0 });
    expect(scheduler.pending).toBe(0);
  });

  it("stop() lets the running pulse finish, refuses new ones, and reports stopped", async () => {
    const { link, relay } = setup(
      (l, s) =>
        new TasmotaRelay(
          { id: "t", topic: "d" },
          { restingStates: () => [], logger: silentLogger(), connection: l, scheduler: s },
        ),
    );
    tasmota(link);
    const running = relay.pulse(1, 500);
    await flush();
    const stopped = relay.stop();
    expect(await relay.pulse(1, 500).catch((e: unknown) => e)).toMatchObject({ failure: "stopped" });
    link.deliver("stat/d/POWER1", "OFF");
    await running;
    await stopped;
    expect(relay.health().state).toBe("stopped");
  });
});

describe("ShellyGen2Relay (fake link, manual timers)", () => {
  it("ignores garbage and other ids on the reply topic, then resolves after the pulse time", async () => {
    const { link, scheduler, relay } = setup(
      (l, s) =>
        new ShellyGen2Relay(
          { id: "g", device: "sh", gatewayId: "gw 1" },
          { restingStates: () => [], logger: silentLogger(), connection: l, scheduler: s },
        ),
    );
    let done = false;
    const pulse = relay.pulse(0, 700).then(() => {
      done = true;
    });
    await flush();
    expect(link.published).toEqual([
      'sh/rpc {"id":1,"src":"gw-1","method":"Switch.Set","params":{"id":0,"on":true,"toggle_after":0.7}}',
    ]);
    link.deliver("gw-1/rpc", "{oops");
    link.deliver("gw-1/rpc", '{"id":99,"src":"sh","error":{"code":-1,"message":"not ours"}}');
    link.deliver("gw-1/rpc", '{"id":1,"src":"sh","result":{"was_on":false}}');
    await flush();
    expect(done).toBe(false);
    expect(scheduler.pending).toBe(1);
    scheduler.runNext();
    await pulse;
    expect(done).toBe(true);
  });
});

describe("ShellyGen1Relay (fake link, manual timers)", () => {
  it("sends the off it owes as soon as the broker is back", async () => {
    const { link, scheduler, relay } = setup(
      (l, s) =>
        new ShellyGen1Relay(
          { id: "s", device: "sh1" },
          { restingStates: () => [], logger: silentLogger(), connection: l, scheduler: s },
        ),
    );
    link.device = (topic, payload) => {
      if (topic.endsWith("/command"))
        queueMicrotask(() => link.deliver(topic.replace("/command", ""), payload));
    };
    const pulse = relay.pulse(1, 1000);
    await flush();
    expect(link.published).toEqual(["shellies/sh1/relay/0/command on"]);
    link.setOpen(false);
    scheduler.runNext();
    // The member got in (the relay confirmed "on"), so the pulse still resolves.
    await pulse;
    expect(link.published).toEqual(["shellies/sh1/relay/0/command on"]);
    link.setOpen(true);
    await flush();
    expect(link.published).toEqual(["shellies/sh1/relay/0/command on", "shellies/sh1/relay/0/command off"]);
  });
});
