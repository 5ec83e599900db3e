import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSimConfig, loadSimConfig, type SimConfig } from "../../firmware-sim/config.js";
import { checkScenario } from "../../firmware-sim/scenario.js";

const ROOT = join(import.meta.dirname, "..", "..");

describe("sim.yaml", () => {
  it("applies the defaults: CRLF decimal lines, 100 ms RDM6300 repeats, 2 LCUS relays, 8 coils and 8 discrete inputs at unit 1", () => {
    const config = loadSimConfig(
      "sim.yaml",
      [
        "devices:",
        "  - { id: r1, kind: serial-line-reader, expose: { tcp: 4001 } }",
        "  - { id: r2, kind: rdm6300, expose: { pty: /tmp/accessgw-sim/r2 } }",
        "  - { id: b1, kind: lcus-board, expose: { tcp: 4003 } }",
        "  - { id: b2, kind: modbus-board, expose: { tcp: 4004 }, faults: [{ drop: 0.1 }, { delay: 200 }] }",
      ].join("\n"),
    );
    expect(config.devices).toEqual([
      {
        id: "r1",
        kind: "serial-line-reader",
        expose: { tcp: 4001 },
        format: "decimal",
        lineEnding: "CRLF",
        faults: [],
      },
      {
        id: "r2",
        kind: "rdm6300",
        expose: { pty: "/tmp/accessgw-sim/r2" },
        repeatMs: 100,
        model: "rdm6300",
        faults: [],
      },
      { id: "b1", kind: "lcus-board", expose: { tcp: 4003 }, channels: 2, dropWithinMs: 80, faults: [] },
      {
        id: "b2",
        kind: "modbus-board",
        expose: { tcp: 4004 },
        coils: 8,
        inputs: 8,
        unitId: 1,
        faults: [{ drop: 0.1 }, { delay: 200 }],
      },
    ]);
    expect(config.broker).toBeUndefined();
  });

  it("accepts the demo configuration, with its embedded broker", () => {
    const file = join(ROOT, "config", "demo", "sim.yaml");
    const config = loadSimConfig(file, readFileSync(file, "utf8"));
    expect(config.devices.map((d) => d.id)).toEqual([
      "pool-in",
      "pool-out",
      "board-1",
      "gym-in",
      "gym-relay",
      "studio-in",
      "studio-relay",
      "pool-turnstile",
      "fire-panel",
    ]);
    expect(config.broker).toEqual({ url: "mqtt://127.0.0.1:1883", embedded: true });
  });

  it.each([
    ["an unknown kind", "devices: [{ id: x, kind: toaster }]", /sim\.yaml: devices\[0\]\.kind: /],
    [
      "an unknown field",
      "devices: [{ id: x, kind: lcus-board, expose: { tcp: 1 }, colour: red }]",
      /sim\.yaml: devices\[0\]: unknown field "colour"/,
    ],
    [
      "a bad expose",
      "devices: [{ id: x, kind: lcus-board, expose: { udp: 4 } }]",
      /sim\.yaml: devices\[0\]\.expose: expected \{ tcp: PORT \} or \{ pty: PATH \}/,
    ],
    [
      "a serial device without expose",
      "devices: [{ id: x, kind: rdm6300 }]",
      /sim\.yaml: devices\[0\]\.expose: /,
    ],
    [
      "an unknown fault",
      "devices: [{ id: x, kind: rdm6300, expose: { tcp: 5 }, faults: [{ melt: 1 }] }]",
      /sim\.yaml: devices\[0\]\.faults\[0\]: expected one of \{ drop: P \}/,
    ],
    [
      "a drop probability over 1",
      "devices: [{ id: x, kind: rdm6300, expose: { tcp: 5 }, faults: [{ drop: 2 }] }]",
      /sim\.yaml: devices\[0\]\.faults\[0\]\.drop: Too big/,
    ],
    [
      "a duplicate id",
      "devices: [{ id: x, kind: rdm6300, expose: { tcp: 5 } }, { id: x, kind: rdm6300, expose: { tcp: 6 } }]",
      /sim\.yaml: devices\[1\]\.id: "x" is already used by devices\[0\]/,
    ],
    [
      "a port given twice",
      "devices: [{ id: x, kind: rdm6300, expose: { tcp: 5 } }, { id: y, kind: lcus-board, expose: { tcp: 5 } }]",
      /sim\.yaml: devices\[1\]\.expose: tcp port 5 is already used by devices\[0\]/,
    ],
    [
      "an MQTT device without a broker",
      "devices: [{ id: g, kind: tasmota, topic: gym }]",
      /sim\.yaml: devices\[0\]: a tasmota device needs a broker/,
    ],
    [
      "a disconnect with two triggers",
      "devices: [{ id: x, kind: rdm6300, expose: { tcp: 5 }, faults: [{ disconnect: { forMs: 100, everyMs: 500, afterFrames: 2 } }] }]",
      /sim\.yaml: devices\[0\]\.faults\[0\]\.disconnect: expected exactly one of everyMs, afterFrames, probability/,
    ],
    [
      "a fault on a board that never sends",
      "devices: [{ id: x, kind: lcus-board, expose: { tcp: 5 }, faults: [{ drop: 0.5 }] }]",
      /sim\.yaml: devices\[0\]\.faults\[0\]: an LCUS board never sends/,
    ],
    [
      "garble on an MQTT device",
      "devices: [{ id: g, kind: tasmota, topic: gym, faults: [{ garble: 0.5 }] }]\nbroker: {}",
      /sim\.yaml: devices\[0\]\.faults\[0\]: garble applies to serial devices/,
    ],
    ["no devices", "devices: []", /sim\.yaml: devices: expected at least one device/],
    ["broken YAML", "devices: [ { id: x", /sim\.yaml \(line \d+, column \d+\): /],
  ])("refuses %s, naming file and path", (_what, text, message) => {
    const { config, problems } = checkSimConfig("sim.yaml", text);
    expect(config).toBeNull();
    expect(problems.join("\n")).toMatch(message);
  });

  it("reports every problem at once and throws CONFIG_INVALID from loadSimConfig", () => {
    const text =
      "devices: [{ id: x, kind: rdm6300, expose: { tcp: 70000 } }, { id: y, kind: lcus-board, expose: { tcp: 1 }, channels: 0 }]";
    const { problems } = checkSimConfig("sim.yaml", text);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^sim\.yaml: devices\[0\]\.expose/);
    expect(problems[1]).toMatch(/^sim\.yaml: devices\[1\]\.channels: /);
    expect(() => loadSimConfig("sim.yaml", text)).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID", problems }),
    );
  });

  it("lets several devices take port 0 (any free port)", () => {
    const { problems } = checkSimConfig(
      "sim.yaml",
      "devices: [{ id: x, kind: rdm6300, expose: { tcp: 0 } }, { id: y, kind: lcus-board, expose: { tcp: 0 } }]",
    );
    expect(problems).toEqual([]);
  });
});

describe("docs/simulator.md", () => {
  it("every sim.yaml snippet is a valid simulator configuration and every scenario snippet a valid scenario", () => {
    const text = readFileSync(join(ROOT, "docs", "simulator.md"), "utf8");
    const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
    const sims = blocks.filter((b) => b.startsWith("# sim.yaml"));
    const scenarios = blocks.filter((b) => b.startsWith("# scenario.yaml"));
    expect(sims).toHaveLength(4);
    expect(scenarios).toHaveLength(2);
    const [serial, mqtt, hardware, osdp] = sims.map((b) => checkSimConfig("docs/simulator.md", b));
    expect(serial?.problems).toEqual([]);
    expect(mqtt?.problems).toEqual([]);
    // D1: the door hardware snippet, one device per kind of input module.
    expect(hardware?.problems).toEqual([]);
    expect(hardware?.config?.devices.map((d) => d.kind)).toEqual([
      "modbus-board",
      "turnstile",
      "turnstile",
      "door",
      "fire-panel",
      "turnstile",
    ]);
    // Issue 13 §6: the OSDP bus snippet, and its scenario checked against it.
    expect(osdp?.problems).toEqual([]);
    expect(
      checkScenario("docs/simulator.md", scenarios[0] ?? "", osdp?.config as SimConfig).problems,
    ).toEqual([]);
    const both = {
      devices: [...(serial?.config?.devices ?? []), ...(mqtt?.config?.devices ?? [])],
    } as SimConfig;
    expect(checkScenario("docs/simulator.md", scenarios[1] ?? "", both).problems).toEqual([]);
  });
});
