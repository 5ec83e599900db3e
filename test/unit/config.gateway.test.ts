import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AccessGwError } from "../../config/errors.js";
import { checkGatewayConfig, doorChannel, loadGatewayConfig } from "../../config/gateway.js";

/** The problems a gateway configuration is refused with (CONFIG_INVALID). */
function refusal(text: string, file = "/etc/accessgw/gateway.yaml"): AccessGwError {
  try {
    loadGatewayConfig(file, text);
  } catch (err) {
    expect(err).toBeInstanceOf(AccessGwError);
    expect((err as AccessGwError).code).toBe("CONFIG_INVALID");
    return err as AccessGwError;
  }
  throw new Error("the configuration was accepted");
}

/** The smallest well-formed reader, with `extra` fields in YAML flow syntax. */
const reader = (extra = "") =>
  `{ id: pool-in, area: pool, direction: in, driver: serial-line, port: /dev/ttyUSB0${extra} }`;

/** The full example of the gateway configuration (docs of the daemon). */
const FULL = `
gateway: { id: gw-rome-1, data: /var/lib/accessgw }
log: { level: info }
readers:
  - id: pool-in
    area: pool
    direction: in
    door: pool-gate
    driver: serial-line
    port: /dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0
    baudRate: 9600
    format: decimal
    debounceMs: 2000
  - { id: pool-out, area: pool, direction: out, door: pool-gate, driver: rdm6300, port: "tcp://10.0.0.5:4001" }
  - { id: gym-in, area: gym, direction: in, driver: mqtt-tasmota, topic: gym-reader, cardNumber: wiegand-fc-cn }
  - { id: spa-in, area: spa, direction: in, driver: mqtt-esp-rfid, topic: esprfid }
  - { id: lab-in, area: lab, direction: in, driver: mqtt-json, topic: lab/reader/scan, field: data.uid }
doors:
  - id: pool-gate
    relay: board-1
    channel: 1
    channelB: 2
    pulseMs: 1000
  - { id: spa-door, relay: coils, channel: 0 }
relays:
  - id: board-1
    driver: lcus-serial
    port: /dev/ttyUSB1
  - { id: coils, driver: modbus-rtu, port: "tcp://10.0.0.6:502", unitId: 3 }
  - { id: t1, driver: mqtt-tasmota, topic: tasmota_1 }
  - { id: s2, driver: mqtt-shelly-gen2, device: shellyplus1-a8032ab12345 }
  - { id: s1, driver: mqtt-shelly-gen1, device: shelly1-98CDAC1F2E3A }
mqtt: { url: "mqtt://127.0.0.1:1883", username: gw, password: secret, ca: tls/ca.pem, clientId: gw-rome-1 }
`;

describe("the gateway configuration", () => {
  it("applies defaults to an empty mapping: info logging, no readers, doors, relays, inputs or fire inputs, sync off", () => {
    expect(loadGatewayConfig("/etc/gw.yaml", "{}")).toEqual({
      gateway: {},
      log: { level: "info" },
      readers: [],
      doors: [],
      relays: [],
      inputs: [],
      fireInputs: [],
      sync: {
        enabled: false,
        topicPrefix: "accessgw/v1",
        maxMessageBytes: 16777216,
        outboxAlarm: 1000000,
        ackTimeoutMs: 10000,
        batchSize: 500,
        offline: { maxStaleHours: 72, after: "keep-deciding" },
      },
    });
  });

  it("defaults a reader to a 2 s debounce (R17), the card number as read, 9600 baud and decimal lines", () => {
    const config = loadGatewayConfig("/etc/gw.yaml", `readers: [${reader()}]`);
    expect(config.readers[0]).toEqual({
      id: "pool-in",
      area: "pool",
      direction: "in",
      driver: "serial-line",
      port: "/dev/ttyUSB0",
      baudRate: 9600,
      format: "decimal",
      debounceMs: 2000,
      cardNumber: "as-is",
    });
  });

  it("defaults a door to a 1 s pulse (and doors.md's timings: passage 10 s, held open 30 s, forced grace 5 s, releasing by energising, no schedule) and a Modbus relay to unit 1 at 9600 baud", () => {
    const config = loadGatewayConfig(
      "/etc/gw.yaml",
      "doors: [{ id: d, relay: m, channel: 0 }]\nrelays: [{ id: m, driver: modbus-rtu, port: /dev/ttyUSB1 }]",
    );
    expect(config.doors[0]).toEqual({
      id: "d",
      relay: "m",
      channel: 0,
      pulseMs: 1000,
      passageTimeoutSeconds: 10,
      heldOpenSeconds: 30,
      forcedGraceSeconds: 5,
      releaseOn: "energise",
      schedule: [],
      firstPersonIn: false,
    });
    expect(config.relays[0]).toEqual({
      id: "m",
      driver: "modbus-rtu",
      port: "/dev/ttyUSB1",
      unitId: 1,
      baudRate: 9600,
    });
  });

  it("parses the full example with every driver, resolving TLS files against the config's folder", () => {
    const config = loadGatewayConfig("/etc/accessgw/gateway.yaml", FULL);
    expect(config.readers.map((r) => r.driver)).toEqual([
      "serial-line",
      "rdm6300",
      "mqtt-tasmota",
      "mqtt-esp-rfid",
      "mqtt-json",
    ]);
    expect(config.relays.map((r) => r.driver)).toEqual([
      "lcus-serial",
      "modbus-rtu",
      "mqtt-tasmota",
      "mqtt-shelly-gen2",
      "mqtt-shelly-gen1",
    ]);
    expect(config.readers[4]).toMatchObject({ topic: "lab/reader/scan", field: "data.uid" });
    expect(config.mqtt).toEqual({
      url: "mqtt://127.0.0.1:1883",
      username: "gw",
      password: "secret",
      ca: "/etc/accessgw/tls/ca.pem",
      clientId: "gw-rome-1",
    });
  });

  it("pulses channelB for an out reader, and channel when the door has no channelB", () => {
    const config = loadGatewayConfig("/etc/accessgw/gateway.yaml", FULL);
    const [poolGate, spaDoor] = config.doors;
    if (!poolGate || !spaDoor) throw new Error("doors missing");
    expect([doorChannel(poolGate, "in"), doorChannel(poolGate, "out")]).toEqual([1, 2]);
    expect(doorChannel(spaDoor, "out")).toBe(0);
  });

  it("accepts an out reader on a door without channelB", () => {
    const text = [
      `readers: [${reader(", direction: out, door: d")}]`.replace("direction: in, ", ""),
      "doors: [{ id: d, relay: b, channel: 1 }]",
      "relays: [{ id: b, driver: lcus-serial, port: tcp://127.0.0.1:4001 }]",
    ].join("\n");
    expect(checkGatewayConfig("gw.yaml", text).problems).toEqual([]);
  });

  it("resolves a relative data folder against the configuration file's folder", () => {
    const config = loadGatewayConfig("/etc/accessgw/gateway.yaml", "gateway: { id: gw-1, data: ./state }");
    expect(config.gateway).toEqual({ id: "gw-1", data: "/etc/accessgw/state" });
  });

  it("names file, path and field of a typo in the gateway section and a bad reader direction", () => {
    const text = `gateway: { id: gw-1, idd: 2 }\nreaders:\n  - ${reader(", direction: sideways").replace("direction: in, ", "")}\n`;
    expect(refusal(text).problems).toEqual([
      '/etc/accessgw/gateway.yaml: gateway: unknown field "idd" (did you mean "id"?)',
      '/etc/accessgw/gateway.yaml: readers[0].direction: Invalid option: expected one of "in"|"out"',
    ]);
  });

  it("refuses a reader id given twice, naming both places", () => {
    const text = `readers:\n  - ${reader()}\n  - ${reader(", port: /dev/ttyUSB9").replace("port: /dev/ttyUSB0, ", "")}\n`;
    expect(refusal(text).problems).toEqual([
      '/etc/accessgw/gateway.yaml: readers[1].id: duplicate reader id "pool-in" (first at readers[0])',
    ]);
  });

  it("names the line and column of a YAML syntax error", () => {
    expect(refusal("readers: [\n").problems[0]).toMatch(
      /^\/etc\/accessgw\/gateway\.yaml \(line \d+, column \d+\): /,
    );
  });

  const MQTT = "mqtt: { url: mqtt://127.0.0.1:1883 }";
  const LCUS = "relays: [{ id: board-1, driver: lcus-serial, port: /dev/ttyUSB1 }]";
  const rd = (fields: string) => `readers: [{ id: r, area: pool, direction: in, ${fields} }]`;
  const door = (fields: string) => `doors: [{ id: d, ${fields} }]`;
  const relay = (fields: string) => `relays: [{ id: b, ${fields} }]`;
  const ALL_READERS = "serial-line | rdm6300 | mqtt-tasmota | mqtt-esp-rfid | mqtt-json | mqtt-text | osdp";

  it.each<[string, string[], string[]]>([
    [
      "an unknown reader driver",
      [rd("driver: serialline, port: /dev/ttyS0")],
      [`readers[0].driver: unknown driver "serialline": expected one of ${ALL_READERS}`],
    ],
    [
      "a reader without a driver",
      [rd("port: /dev/ttyS0")],
      [`readers[0].driver: missing driver: expected one of ${ALL_READERS}`],
    ],
    [
      "a serial reader without a port",
      [rd("driver: rdm6300")],
      ["readers[0].port: Invalid input: expected string, received undefined"],
    ],
    [
      "a typo in a reader's field",
      [rd("driver: rdm6300, port: /dev/ttyS0, baudrate: 9600")],
      ['readers[0]: unknown field "baudrate" (did you mean "baudRate"?)'],
    ],
    [
      "a field of another driver",
      [rd("driver: mqtt-tasmota, topic: t, port: /dev/ttyS0"), MQTT],
      ['readers[0]: unknown field "port"'],
    ],
    [
      "an unknown line format",
      [rd("driver: serial-line, port: /dev/ttyS0, format: octal")],
      ['readers[0].format: Invalid option: expected one of "decimal"|"hex"|"fc-cn"'],
    ],
    [
      "an unknown card number mode",
      [rd("driver: rdm6300, port: /dev/ttyS0, cardNumber: bcd")],
      [
        'readers[0].cardNumber: Invalid option: expected one of "as-is"|"decimal"|"hex"|"wiegand-fc-cn"|"em4100"',
      ],
    ],
    [
      "a port that is neither a device nor tcp://",
      [rd("driver: rdm6300, port: ttyS0")],
      [
        'readers[0].port: expected a serial device path (/dev/ttyUSB0, /dev/serial/by-id/…, COM3) or tcp://host:port (found "ttyS0")',
      ],
    ],
    [
      "a tcp:// port without a port number",
      [rd("driver: rdm6300, port: 'tcp://10.0.0.5'")],
      ['readers[0].port: expected tcp://host:port (found "tcp://10.0.0.5")'],
    ],
    [
      "a tcp:// port number out of range",
      [rd("driver: rdm6300, port: 'tcp://10.0.0.5:0'")],
      ['readers[0].port: TCP port must be 1..65535 (found 0 in "tcp://10.0.0.5:0")'],
    ],
    [
      "a mqtt-json reader without a field",
      [rd("driver: mqtt-json, topic: a/b"), MQTT],
      ["readers[0].field: Invalid input: expected string, received undefined"],
    ],
    [
      "a bad field path",
      [rd("driver: mqtt-json, topic: a/b, field: 'data..uid'"), MQTT],
      ['readers[0].field: expected a dotted field path such as "data.uid"'],
    ],
    [
      "a wildcard in a device topic",
      [rd("driver: mqtt-tasmota, topic: 'tele/#'"), MQTT],
      ["readers[0].topic: expected an MQTT topic without wildcards (+, #) or spaces"],
    ],
    [
      "mqtt drivers without an mqtt section",
      [rd("driver: mqtt-esp-rfid, topic: esprfid"), relay("driver: mqtt-shelly-gen1, device: s1")],
      [
        "readers[0].driver: mqtt-esp-rfid needs an mqtt section (mqtt: { url: mqtt://host:1883 })",
        "relays[0].driver: mqtt-shelly-gen1 needs an mqtt section (mqtt: { url: mqtt://host:1883 })",
      ],
    ],
    [
      "a broker URL of another scheme",
      ["mqtt: { url: 'http://broker:1883' }"],
      [
        'mqtt.url: expected an mqtt://, mqtts://, ws:// or wss:// URL such as mqtt://127.0.0.1:1883 (found "http://broker:1883")',
      ],
    ],
    [
      "a broker URL that is no URL",
      ["mqtt: { url: broker }"],
      [
        'mqtt.url: expected an mqtt://, mqtts://, ws:// or wss:// URL such as mqtt://127.0.0.1:1883 (found "broker")',
      ],
    ],
    [
      "a typo in the mqtt section",
      ["mqtt: { url: 'mqtts://broker', user: gw }"],
      ['mqtt: unknown field "user"'],
    ],
    [
      "a reader's unknown door",
      [rd("driver: rdm6300, port: /dev/ttyS0, door: spa-gate")],
      ['readers[0].door: unknown door "spa-gate"'],
    ],
    [
      "a door's unknown relay",
      [door("relay: board-2, channel: 1"), LCUS],
      ['doors[0].relay: unknown relay "board-2"'],
    ],
    [
      "a door and a relay id given twice",
      [
        "doors: [{ id: d, relay: board-1, channel: 1 }, { id: d, relay: board-1, channel: 2 }]",
        "relays: [{ id: board-1, driver: lcus-serial, port: /dev/ttyUSB1 }, { id: board-1, driver: lcus-serial, port: /dev/ttyUSB2 }]",
      ],
      [
        'doors[1].id: duplicate door id "d" (first at doors[0])',
        'relays[1].id: duplicate relay id "board-1" (first at relays[0])',
      ],
    ],
    [
      "one serial port used twice",
      [rd("driver: rdm6300, port: /dev/ttyUSB1"), LCUS],
      ["relays[0].port: port /dev/ttyUSB1 is also used by readers[0]"],
    ],
    [
      "one tcp:// port used twice",
      [
        "relays: [{ id: a, driver: lcus-serial, port: 'tcp://Host:4001' }, { id: b, driver: modbus-rtu, port: 'tcp://host:4001' }]",
      ],
      ["relays[1].port: port tcp://host:4001 is also used by relays[0]"],
    ],
    [
      "a pulse too short",
      [door("relay: board-1, channel: 1, pulseMs: 50"), LCUS],
      ["doors[0].pulseMs: Too small: expected number to be >=100"],
    ],
    [
      "channel 0 on an LCUS board",
      [door("relay: board-1, channel: 0, channelB: 256"), LCUS],
      [
        'doors[0].channel: 0 is out of range for relay "board-1" (lcus-serial: relay number 1..255)',
        'doors[0].channelB: 256 is out of range for relay "board-1" (lcus-serial: relay number 1..255)',
      ],
    ],
    [
      "POWER33 on Tasmota",
      [door("relay: b, channel: 33"), relay("driver: mqtt-tasmota, topic: t"), MQTT],
      ['doors[0].channel: 33 is out of range for relay "b" (mqtt-tasmota: POWER number 1..32)'],
    ],
    [
      "channel 0 on a Shelly Gen1",
      [door("relay: b, channel: 0"), relay("driver: mqtt-shelly-gen1, device: s1"), MQTT],
      [
        'doors[0].channel: 0 is out of range for relay "b" (mqtt-shelly-gen1: relay number, 1 = relay/0 1..255)',
      ],
    ],
    [
      "a negative channel",
      [door("relay: b, channel: -1"), relay("driver: modbus-rtu, port: /dev/ttyS1")],
      ["doors[0].channel: Too small: expected number to be >=0"],
    ],
    [
      "a Modbus unit id 0",
      [relay("driver: modbus-rtu, port: /dev/ttyS1, unitId: 0")],
      ["relays[0].unitId: Too small: expected number to be >=1"],
    ],
    [
      "Tasmota state words that are the same, or that contradict ON/OFF",
      [
        "relays: [{ id: a, driver: mqtt-tasmota, topic: t, stateText: { off: Zu, on: ZU } }, { id: b, driver: mqtt-tasmota, topic: u, stateText: { off: '1', on: 'OFF' } }]",
        MQTT,
      ],
      [
        "relays[0].stateText: off and on must be different words",
        "relays[1].stateText: on cannot be OFF or 0, and off cannot be ON or 1",
      ],
    ],
    [
      "a Tasmota state word with a space",
      [relay("driver: mqtt-tasmota, topic: t, stateText: { off: 'ganz zu', on: auf }"), MQTT],
      ["relays[0].stateText.off: expected one word (no spaces), at most 32 characters"],
    ],
    [
      "a Gen2 relay without its device",
      [relay("driver: mqtt-shelly-gen2"), MQTT],
      ["relays[0].device: Invalid input: expected string, received undefined"],
    ],
    [
      "an unknown top-level section",
      ["readerz: []"],
      ['(top level): unknown field "readerz" (did you mean "readers"?)'],
    ],
  ])("refuses %s", (_what, lines, expected) => {
    expect(refusal(lines.join("\n"), "gateway.yaml").problems).toEqual(
      expected.map((p) => `gateway.yaml: ${p}`),
    );
  });

  it("accepts a Modbus board at unit 255 (LCTech's default) with a warning that says why, and refuses 256", () => {
    const check = checkGatewayConfig(
      "gateway.yaml",
      relay("driver: modbus-rtu, port: 'tcp://10.0.0.9:502', unitId: 255"),
    );
    expect(check.problems).toEqual([]);
    expect(check.config?.relays[0]).toMatchObject({ unitId: 255 });
    expect(check.warnings).toEqual([
      expect.stringMatching(
        /^gateway\.yaml: relays\[0\]\.unitId: 255 is in the range Modbus reserves \(248\.\.255\); accepted because boards such as LCTech's ship at 255/,
      ),
    ]);
    expect(
      checkGatewayConfig("gateway.yaml", relay("driver: modbus-rtu, port: /dev/ttyS1, unitId: 247")).warnings,
    ).toEqual([expect.stringContaining("/dev/ttyS1 does not exist")].filter(() => !existsSync("/dev/ttyS1")));
    expect(refusal(relay("driver: modbus-rtu, port: /dev/ttyS1, unitId: 256")).problems).toEqual([
      "/etc/accessgw/gateway.yaml: relays[0].unitId: Too big: expected number to be <=255",
    ]);
  });

  it("warns about a serial device path that does not exist (a USB adapter may come later), not about tcp:// targets", () => {
    const dir = mkdtempSync(join(tmpdir(), "accessgw-ports-"));
    try {
      const present = join(dir, "ttyUSB0");
      writeFileSync(present, "");
      const missing = join(dir, "ttyUSB9");
      const check = checkGatewayConfig(
        "gateway.yaml",
        [
          `readers: [{ id: a, area: pool, direction: in, driver: rdm6300, port: ${present} }, { id: b, area: pool, direction: in, driver: rdm6300, port: ${missing} }]`,
          "relays: [{ id: r, driver: lcus-serial, port: 'tcp://10.0.0.5:4001' }]",
        ].join("\n"),
      );
      expect(check.problems).toEqual([]);
      expect(check.config).not.toBeNull();
      expect(check.warnings).toEqual([
        `gateway.yaml: readers[1].port: ${missing} does not exist (yet); the gateway keeps trying to open it, e.g. until the USB adapter is plugged in`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes a Tasmota relay's own state words (StateText1 off, StateText2 on)", () => {
    const config = loadGatewayConfig(
      "gateway.yaml",
      `${MQTT}\nrelays: [{ id: b, driver: mqtt-tasmota, topic: t, stateText: { off: AUS, on: AN } }]`,
    );
    expect(config.relays[0]).toMatchObject({ stateText: { off: "AUS", on: "AN" } });
  });

  it("reports every problem at once", () => {
    const text = [
      "readers:",
      "  - { id: r, area: pool, direction: in, driver: rdm6300, port: /dev/ttyUSB1, door: spa-gate }",
      "  - { id: r, area: pool, direction: up, driver: mqtt-tasmota, topic: t }",
      LCUS,
    ].join("\n");
    expect(refusal(text, "gateway.yaml").problems).toEqual([
      'gateway.yaml: readers[1].direction: Invalid option: expected one of "in"|"out"',
      'gateway.yaml: readers[1].id: duplicate reader id "r" (first at readers[0])',
      'gateway.yaml: readers[0].door: unknown door "spa-gate"',
      "gateway.yaml: relays[0].port: port /dev/ttyUSB1 is also used by readers[0]",
      "gateway.yaml: readers[1].driver: mqtt-tasmota needs an mqtt section (mqtt: { url: mqtt://host:1883 })",
    ]);
  });

  /** The gateway configuration of sync.md, verbatim. */
  const SYNC_MD = `
gateway: { id: gw-rome-1, site: rome-center, data: /var/lib/accessgw }
mqtt:                                   # the broker (also used by mqtt-* reader and relay drivers)
  url: mqtts://broker.example:8883      # mqtt:// mqtts:// ws:// wss://
  username: gw-rome-1                   # or ACCESSGW_MQTT_USERNAME / ACCESSGW_MQTT_PASSWORD
  ca: /etc/accessgw/ca.pem              # optional TLS files
  cert: /etc/accessgw/gw.pem
  key: /etc/accessgw/gw.key
sync:
  enabled: true
  topicPrefix: accessgw/v1
  maxMessageBytes: 16777216
  outboxAlarm: 1000000                  # events waiting before the status reports a problem
  ackTimeoutMs: 10000                   # re-publish unacked events after this long
  offline: { maxStaleHours: 72, after: keep-deciding }   # or deny-paid
`;

  it("parses the gateway configuration of sync.md", () => {
    const config = loadGatewayConfig("/etc/accessgw/gateway.yaml", SYNC_MD);
    expect(config.gateway).toEqual({ id: "gw-rome-1", site: "rome-center", data: "/var/lib/accessgw" });
    expect(config.sync).toEqual({
      enabled: true,
      topicPrefix: "accessgw/v1",
      maxMessageBytes: 16777216,
      outboxAlarm: 1000000,
      ackTimeoutMs: 10000,
      batchSize: 500,
      offline: { maxStaleHours: 72, after: "keep-deciding" },
    });
  });

  it("refuses sync.enabled without an mqtt section or gateway.site, naming file and path", () => {
    expect(refusal("sync: { enabled: true }", "gateway.yaml").problems).toEqual([
      "gateway.yaml: sync.enabled: sync needs an mqtt section (mqtt: { url: mqtts://broker:8883 })",
      "gateway.yaml: sync.enabled: sync needs the site id in gateway.site (gateway: { site: rome-center })",
    ]);
    expect(refusal(`gateway: { id: g }\n${MQTT}\nsync: { enabled: true }`, "gateway.yaml").problems).toEqual([
      "gateway.yaml: sync.enabled: sync needs the site id in gateway.site (gateway: { site: rome-center })",
    ]);
  });

  it("accepts a sync section that is off without mqtt or gateway.site", () => {
    expect(checkGatewayConfig("gw.yaml", "sync: { enabled: false, batchSize: 100 }").problems).toEqual([]);
  });

  it.each<[string, string, string]>([
    [
      "a wildcard in the topic prefix",
      "sync: { topicPrefix: 'accessgw/#' }",
      "sync.topicPrefix: expected MQTT topic levels",
    ],
    ["a batch above 500", "sync: { batchSize: 501 }", "sync.batchSize: Too big: expected number to be <=500"],
    [
      "an unknown offline policy",
      "sync: { offline: { after: deny-all } }",
      "sync.offline.after: Invalid option",
    ],
    [
      "a typo in the sync section",
      "sync: { enable: true }",
      'sync: unknown field "enable" (did you mean "enabled"?)',
    ],
    ["a site id that is no id", "gateway: { site: 'rome center' }", "gateway.site: expected an id"],
  ])("refuses %s", (_what, text, expected) => {
    const [problem, ...rest] = refusal(text, "gateway.yaml").problems;
    expect(rest).toEqual([]);
    expect(problem?.startsWith(`gateway.yaml: ${expected}`)).toBe(true);
  });
});
