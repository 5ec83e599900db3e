import { describe, expect, it } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { describeChange, planReload } from "../../gateway/configDiff.js";

/** The running configuration: a serial reader at the pool gate, an MQTT reader at the gym, a board and a Shelly. */
const base = {
  gateway: { id: "gw-1", site: "rome" },
  readers: [
    {
      id: "pool-in",
      driver: "serial-line",
      port: "tcp://127.0.0.1:1",
      area: "pool",
      direction: "in",
      door: "pool-gate",
    },
    { id: "gym-in", driver: "mqtt-json", topic: "gym/reader", field: "uid", area: "gym", direction: "in" },
  ],
  doors: [{ id: "pool-gate", relay: "board", channel: 2, pulseMs: 800 }],
  relays: [
    { id: "board", driver: "lcus-serial", port: "tcp://127.0.0.1:2" },
    { id: "shelly", driver: "mqtt-shelly-gen2", device: "shellyplus1-a8032ab12345" },
  ],
  mqtt: { url: "mqtt://127.0.0.1:1883", password: "s3cret-one" },
};

/** The base configuration with `edit` applied to a copy of its document. */
function edited(edit: (doc: typeof base & Record<string, unknown>) => void): GatewayConfig {
  const doc = structuredClone(base) as typeof base & Record<string, unknown>;
  edit(doc);
  return GatewayConfig.parse(doc);
}

const running = GatewayConfig.parse(base);
const lines = (next: GatewayConfig) => planReload(running, next).changes.map(describeChange);

describe("a reload's plan: by id, what starts, stops and restarts (cli.md reload)", () => {
  it("changes nothing for the same file", () => {
    const plan = planReload(running, GatewayConfig.parse(structuredClone(base)));
    expect(plan.changes).toEqual([]);
    expect(plan.needsRestart).toEqual([]);
    expect(plan.readers).toEqual({ added: [], removed: [], restarted: [] });
    expect([plan.doors, plan.mqtt, plan.sync, plan.logLevel]).toEqual([false, false, false, undefined]);
  });

  it("restarts a reader whose port changed and leaves the other alone", () => {
    const next = edited((d) => {
      d.readers[0] = { ...d.readers[0], port: "tcp://127.0.0.1:9" } as (typeof d.readers)[0];
    });
    expect(planReload(running, next).readers).toEqual({ added: [], removed: [], restarted: ["pool-in"] });
    expect(lines(next)).toEqual(["reader pool-in restarted (port changed)"]);
  });

  it("starts an added reader and stops a removed one, naming both", () => {
    const next = edited((d) => {
      d.readers = [
        d.readers[0],
        { id: "spa-in", driver: "serial-line", port: "tcp://127.0.0.1:3", area: "spa", direction: "in" },
      ] as typeof d.readers;
    });
    expect(planReload(running, next).readers).toEqual({
      added: ["spa-in"],
      removed: ["gym-in"],
      restarted: [],
    });
    expect(lines(next)).toEqual([
      "reader gym-in removed (not in the file any more)",
      "reader spa-in added (new in the file)",
    ]);
  });

  it("hands a changed door to the doors' logic without restarting its reader or relay", () => {
    const next = edited((d) => {
      d.doors[0] = { ...(d.doors[0] as (typeof d.doors)[0]), pulseMs: 1500 };
    });
    const plan = planReload(running, next);
    expect(plan.doors).toBe(true);
    expect([plan.readers.restarted, plan.relays.restarted]).toEqual([[], []]);
    expect(lines(next)).toEqual(["door pool-gate changed (pulseMs changed)"]);
  });

  it("restarts the broker link and every mqtt-* device on it when mqtt changes, not the serial ones, and never shows the password", () => {
    const next = edited((d) => {
      d.mqtt = { url: "mqtt://127.0.0.1:1884", password: "s3cret-two" };
    });
    const plan = planReload(running, next);
    expect(plan.mqtt).toBe(true);
    expect(plan.readers.restarted).toEqual(["gym-in"]);
    expect(plan.relays.restarted).toEqual(["shelly"]);
    expect(plan.sync).toBe(false);
    const text = lines(next).join("\n");
    expect(text).toContain("mqtt restarted (mqtt.url and mqtt.password changed)");
    expect(text).toContain("reader gym-in restarted (the broker changed)");
    expect(text).not.toMatch(/s3cret/);
  });

  it("restarts the sync link when its settings, the site or the broker change (with sync on)", () => {
    const syncOn = edited((d) => {
      d.sync = { enabled: true };
    });
    expect(lines(syncOn)).toEqual(["sync added (sync.enabled changed)"]);
    const withSync = (edit: (d: typeof base & Record<string, unknown>) => void) =>
      planReload(
        syncOn,
        edited((d) => {
          d.sync = { enabled: true };
          edit(d);
        }),
      );
    expect(
      withSync((d) => {
        d.gateway.site = "milan";
      }).sync,
    ).toBe(true);
    expect(
      withSync((d) => {
        d.mqtt.url = "mqtt://127.0.0.1:1999";
      }).sync,
    ).toBe(true);
    expect(withSync(() => {}).sync).toBe(false);
  });

  it("applies a new log level", () => {
    const next = edited((d) => {
      d.log = { level: "debug" };
    });
    expect(planReload(running, next).logLevel).toBe("debug");
    expect(lines(next)).toEqual(["log level changed (info → debug)"]);
  });

  it("needs a restart for a new gateway id or data folder, and says so", () => {
    const next = edited((d) => {
      d.gateway = { ...d.gateway, id: "gw-2", data: "/srv/other" } as typeof d.gateway;
    });
    expect(planReload(running, next).needsRestart).toEqual([
      'gateway.id cannot change while the daemon runs ("gw-1" → "gw-2"): restart the daemon to use it',
      'gateway.data cannot change while the daemon runs (unset → "/srv/other"): restart the daemon to use it',
    ]);
  });

  it("restarts an osdp-output relay when its reader's PD moves to another address, not when the reader changes otherwise", () => {
    const osdp = (address: number, debounceMs = 2000) =>
      GatewayConfig.parse({
        readers: [
          {
            id: "pool-in",
            driver: "osdp",
            port: "/dev/ttyUSB2",
            address,
            area: "pool",
            direction: "in",
            debounceMs,
          },
        ],
        doors: [{ id: "pool-gate", relay: "pool-out", channel: 0, pulseMs: 800 }],
        relays: [{ id: "pool-out", driver: "osdp-output", reader: "pool-in" }],
      });
    const moved = planReload(osdp(0), osdp(101));
    expect(moved.relays).toEqual({ added: [], removed: [], restarted: ["pool-out"] });
    expect(moved.changes.map(describeChange)).toEqual([
      "reader pool-in restarted (address changed)",
      "relay pool-out restarted (reader pool-in's PD moved: /dev/ttyUSB2 address 0 → /dev/ttyUSB2 address 101)",
    ]);
    expect(planReload(osdp(0), osdp(0, 500)).relays.restarted).toEqual([]);
  });
});
