import { describe, expect, it } from "vitest";
import { checkGatewayConfig } from "../../config/gateway.js";

const FILE = "/etc/accessgw/gateway.yaml";
const MQTT = "mqtt: { url: mqtt://127.0.0.1:1883 }";

/** The configuration's inputs, or its problems. */
function check(...lines: string[]) {
  const { config, problems } = checkGatewayConfig(FILE, lines.join("\n"));
  return { inputs: config?.inputs, problems: problems.map((p) => p.replace(`${FILE}: `, "")) };
}

describe("D1: inputs in the gateway configuration", () => {
  it("D1: takes the reference mqtt-json input with its defaults (active values, activeLow false, debounce 50 ms)", () => {
    const { inputs, problems } = check(
      "inputs: [{ id: pool-pass-a, driver: mqtt-json, topic: site/pool/pass-a, field: state }]",
      MQTT,
    );
    expect(problems).toEqual([]);
    expect(inputs).toEqual([
      {
        id: "pool-pass-a",
        driver: "mqtt-json",
        topic: "site/pool/pass-a",
        field: "state",
        active: [1, true, "1", "ON", "on", "open"],
        activeLow: false,
        debounceMs: 50,
      },
    ]);
  });

  it("D1: takes every input driver with its own fields and defaults", () => {
    const { inputs, problems } = check(
      "inputs:",
      "  - { id: t, driver: mqtt-tasmota, topic: gate-io, switch: 2, activeLow: true }",
      "  - { id: s2, driver: mqtt-shelly-gen2, device: shellyplusi4-1, input: 3 }",
      "  - { id: s1, driver: mqtt-shelly-gen1, device: shellyi3-1, input: 0, debounceMs: 0 }",
      "  - { id: m, driver: modbus-rtu, port: /dev/ttyUSB1, address: 4 }",
      "  - { id: c, driver: modbus-rtu, port: /dev/ttyUSB1, unitId: 2, address: 0, function: coils, pollMs: 100 }",
      MQTT,
    );
    expect(problems).toEqual([]);
    expect(inputs?.map((i) => i.driver)).toEqual([
      "mqtt-tasmota",
      "mqtt-shelly-gen2",
      "mqtt-shelly-gen1",
      "modbus-rtu",
      "modbus-rtu",
    ]);
    expect(inputs?.[3]).toEqual({
      id: "m",
      driver: "modbus-rtu",
      port: "/dev/ttyUSB1",
      baudRate: 9600,
      unitId: 1,
      address: 4,
      function: "discrete-inputs",
      pollMs: 50,
      activeLow: false,
      debounceMs: 50,
    });
  });

  it("D1: an empty configuration has no inputs", () => {
    expect(check("readers: []").inputs).toEqual([]);
  });

  it.each([
    [
      "an unknown driver",
      ["inputs: [{ id: a, driver: gpio, pin: 4 }]"],
      [
        'inputs[0].driver: unknown driver "gpio": expected one of mqtt-json | mqtt-tasmota | mqtt-shelly-gen2 | mqtt-shelly-gen1 | modbus-rtu',
      ],
    ],
    [
      "a field of another driver",
      ["inputs: [{ id: a, driver: mqtt-tasmota, topic: t, switch: 1, field: state }]", MQTT],
      ['inputs[0]: unknown field "field"'],
    ],
    [
      "a Tasmota switch out of range",
      ["inputs: [{ id: a, driver: mqtt-tasmota, topic: t, switch: 29 }]", MQTT],
      ["inputs[0].switch: Too big: expected number to be <=28"],
    ],
    [
      "an input id given twice",
      [
        "inputs: [{ id: a, driver: mqtt-shelly-gen1, device: d, input: 0 }, { id: a, driver: mqtt-shelly-gen1, device: d, input: 1 }]",
        MQTT,
      ],
      ['inputs[1].id: duplicate input id "a" (first at inputs[0])'],
    ],
    [
      "an MQTT input without a broker",
      ["inputs: [{ id: a, driver: mqtt-json, topic: x, field: s }]"],
      ["inputs[0].driver: mqtt-json needs an mqtt section (mqtt: { url: mqtt://host:1883 })"],
    ],
    [
      "a Modbus input on a reader's port",
      [
        "readers: [{ id: r, area: pool, direction: in, driver: rdm6300, port: /dev/ttyUSB1 }]",
        "inputs: [{ id: a, driver: modbus-rtu, port: /dev/ttyUSB1, address: 0 }]",
      ],
      ["inputs[0].port: port /dev/ttyUSB1 is also used by readers[0]"],
    ],
    [
      "a Modbus input on an LCUS board's port",
      [
        "relays: [{ id: b, driver: lcus-serial, port: /dev/ttyUSB1 }]",
        "inputs: [{ id: a, driver: modbus-rtu, port: /dev/ttyUSB1, address: 0 }]",
      ],
      ["inputs[0].port: port /dev/ttyUSB1 is also used by relays[0]"],
    ],
    [
      "a Modbus input at another speed than the relay board on its bus",
      [
        "relays: [{ id: b, driver: modbus-rtu, port: /dev/ttyUSB1, baudRate: 19200 }]",
        "inputs: [{ id: a, driver: modbus-rtu, port: /dev/ttyUSB1, address: 0 }]",
      ],
      [
        "inputs[0].baudRate: 9600 differs from relays[0] on the same Modbus port /dev/ttyUSB1 (19200); one bus has one speed",
      ],
    ],
  ])("D1: refuses %s, naming the path", (_what, lines, expected) => {
    expect(check(...lines).problems).toEqual(expected);
  });

  it("D1: lets Modbus inputs share the port of a Modbus relay board (one bus)", () => {
    const { inputs, problems } = check(
      "relays: [{ id: b, driver: modbus-rtu, port: 'tcp://127.0.0.1:4001' }]",
      "inputs:",
      "  - { id: a, driver: modbus-rtu, port: 'tcp://127.0.0.1:4001', address: 0 }",
      "  - { id: c, driver: modbus-rtu, port: 'tcp://127.0.0.1:4001', address: 1 }",
    );
    expect(problems).toEqual([]);
    expect(inputs).toHaveLength(2);
  });
});
