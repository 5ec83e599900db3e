/**
 * Issue 13 §6: the osdp-bus kind's configuration (unique addresses, one key source, key files
 * relative to the sim.yaml), its scenario vocabulary checked against the sim.yaml, and the judging
 * of what a PD showed (LED colour, beeps, text, an output pulse) against its history.
 */
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { CMD } from "../../drivers/osdp/codes.js";
import { encodePacket } from "../../drivers/osdp/packet.js";
import { checkSimConfig, loadSimConfig } from "../../firmware-sim/config.js";
import { SimOsdpBus } from "../../firmware-sim/devices/osdpBus.js";
import { OsdpPd } from "../../firmware-sim/devices/osdpPd.js";
import type { ReaderOutput } from "../../firmware-sim/devices/readerDisplay.js";
import { describePdExpectation, judgePd } from "../../firmware-sim/pdScenario.js";
import { checkScenario, PdExpectation } from "../../firmware-sim/scenario.js";
import { Simulator } from "../../firmware-sim/simulator.js";
import { it } from "../harness/index.js";
import { ManualScheduler } from "../helpers/fakeTransport.js";

const ROOT = join(import.meta.dirname, "..", "..");
const bus = (pds: string) =>
  `devices:\n  - id: bus\n    kind: osdp-bus\n    expose: { tcp: 0 }\n    pds:\n${pds}`;

describe("the osdp-bus configuration", () => {
  it("takes several PDs with their defaults, the key file relative to the sim.yaml", () => {
    const config = loadSimConfig(
      "/site/sim/sim.yaml",
      bus("      - { address: 1, scbkFile: keys/a.scbk }\n      - { address: 2 }\n"),
    );
    const device = config.devices[0];
    if (device?.kind !== "osdp-bus") throw new Error("expected an osdp-bus");
    expect(device.pds.map((p) => [p.address, p.scbkFile, p.display, p.keypad, p.outputs, p.fault])).toEqual([
      [1, "/site/sim/keys/a.scbk", true, true, 1, "none"],
      [2, undefined, true, true, 1, "none"],
    ]);
  });

  it.each([
    [
      "a duplicate address",
      "      - { address: 1 }\n      - { address: 1 }\n",
      /pds\[1\]\.address: 1 is already used by pds\[0\]/,
    ],
    [
      "two key sources",
      "      - { address: 1, scbk: 000102030405060708090a0b0c0d0e0f, scbkFile: k.scbk }\n",
      /pds\[0\]: give scbk or scbkFile, not both/,
    ],
    [
      "a key that is not 32 hex digits",
      "      - { address: 1, scbk: '0001' }\n",
      /pds\[0\]\.scbk: expected 32 hex digits/,
    ],
    [
      "an unquoted key of digits alone (a number to YAML)",
      "      - { address: 1, scbk: 01010101010101010101010101010101 }\n",
      /pds\[0\]\.scbk: expected 32 hex digits in quotes, found a number/,
    ],
    ["the broadcast address", "      - { address: 127 }\n", /pds\[0\]\.address: Too big/],
    ["an unknown fault", "      - { address: 1, fault: slow }\n", /pds\[0\]\.fault: Invalid option/],
  ])("refuses %s, naming the field", (_, pds, problem) => {
    const { config, problems } = checkSimConfig("sim.yaml", bus(pds));
    expect(config).toBeNull();
    expect(problems.join("\n")).toMatch(problem);
  });
});

describe("a PD's key file", () => {
  it("is refused when group or others may read it, naming the bus and the PD", ({ writeFile }) => {
    const file = writeFile("pd1.scbk", "000102030405060708090a0b0c0d0e0f\n");
    chmodSync(file, 0o644);
    const config = loadSimConfig("sim.yaml", bus(`      - { address: 1, scbkFile: ${file} }\n`));
    expect(() => new Simulator({ config })).toThrow(
      /^bus: PD 1: .*mode 0644 lets group or others at the key/,
    );
  });
});

describe("OSDP scenario steps", () => {
  it("checks the example OSDP scenario against the example bus", () => {
    const simFile = join(ROOT, "firmware-sim", "scenarios", "osdp-bus.sim.yaml");
    const file = join(ROOT, "firmware-sim", "scenarios", "osdp-bus.scenario.yaml");
    const sim = loadSimConfig(simFile, readFileSync(simFile, "utf8"));
    expect(checkScenario(file, readFileSync(file, "utf8"), sim).problems).toEqual([]);
  });

  it.each([
    [
      "a PD the bus lacks",
      "steps: [{ pd: { device: bus, address: 9, tamper: true } }]",
      /steps\[0\]\.pd\.address: bus has no PD at 9 \(it has: 1\)/,
    ],
    [
      "a device that is no bus",
      "steps: [{ expectPd: { device: nope, address: 1, led: green } }]",
      /steps\[0\]\.expectPd\.device: "nope" is not an osdp-bus \(bus\)/,
    ],
    [
      "two actions in one step",
      "steps: [{ pd: { device: bus, address: 1, keys: '12', tamper: true } }]",
      /exactly one of card, keys/,
    ],
    [
      "an expectation of nothing",
      "steps: [{ expectPd: { device: bus, address: 1 } }]",
      /at least one of led, beeps, text, output/,
    ],
  ])("refuses %s", (_, text, problem) => {
    const sim = loadSimConfig("sim.yaml", bus("      - { address: 1 }\n"));
    expect(checkScenario("s.yaml", text, sim).problems.join("\n")).toMatch(problem);
  });
});

describe("judging what a PD showed", () => {
  const shown = (via: ReaderOutput["via"], text: string, at: number): ReaderOutput => ({ via, text, at });
  const e = PdExpectation.parse({ device: "bus", address: 1, led: "green", beeps: 1, within: 2000 });
  const history = [
    shown("led", "red", 9_000),
    shown("led", "green", 10_100),
    shown("buzzer", "1 beep", 10_150),
  ];

  it.each([
    ["passes once the colour and the beeps were both seen", history, 10_200, "pass"],
    ["waits while the window is open", history.slice(0, 2), 10_200, "pending"],
    ["fails when the window closes without them", history.slice(0, 2), 12_001, "fail"],
    [
      "does not count what came before the mark",
      [shown("led", "green", 9_000), shown("buzzer", "1 beep", 9_000)],
      12_001,
      "fail",
    ],
  ])("D6: %s", (_, outputs, now, status) => {
    expect(judgePd(e, outputs, [], 10_000, now).status).toBe(status);
  });

  it("judges an output pulse like a relay pulse, and says what it saw", () => {
    const pulse = PdExpectation.parse({ device: "bus", address: 1, output: 0 });
    const changes = [
      { channel: 0, on: true, at: 10_050 },
      { channel: 0, on: false, at: 11_050 },
    ];
    expect(judgePd(pulse, [], changes.slice(0, 1), 10_000, 10_100).status).toBe("pending");
    expect(judgePd(pulse, [], changes, 10_000, 11_100).status).toBe("pass");
    expect(judgePd(e, history, [], 10_000, 10_200).seen).toBe("led green +100 ms, buzzer 1 beep +150 ms");
    expect(describePdExpectation(e)).toBe("bus/1 led green, 1 beep within 2000 ms");
  });
});

describe("the bus's traffic", () => {
  it("reports the gateway's bytes and each reply as written, until the watcher is removed", () => {
    const scheduler = new ManualScheduler();
    const pd = new OsdpPd({
      address: 1,
      scbk: null,
      installMode: false,
      keyFile: null,
      display: false,
      keypad: false,
      outputs: 1,
      inputs: 0,
      identity: {
        vendorCode: 1,
        model: 1,
        version: 1,
        serialNumber: 1,
        firmware: { major: 1, minor: 0, build: 0 },
      },
      clock: () => 0,
      scheduler,
    });
    let fromGateway: (bytes: Uint8Array) => void = () => undefined;
    const written: Uint8Array[] = [];
    const bus = new SimOsdpBus({
      link: {
        write: (bytes) => written.push(bytes) > 0,
        onData: (listener) => {
          fromGateway = listener;
          return () => undefined;
        },
      },
      pds: [pd],
      scheduler,
    });
    bus.start();
    const seen: [string, number][] = [];
    const stop = bus.onTraffic((from, bytes) => seen.push([from, bytes.length]));
    const poll = (sequence: number) =>
      encodePacket({
        address: 1,
        reply: false,
        sequence,
        integrity: "crc",
        scb: null,
        code: CMD.POLL,
        data: new Uint8Array(),
      });
    fromGateway(poll(0));
    expect(written).toHaveLength(1);
    expect(seen).toEqual([
      ["cp", poll(0).length],
      ["pd", written[0]?.length],
    ]);
    stop();
    fromGateway(poll(1));
    expect(written).toHaveLength(2);
    expect(seen).toHaveLength(2);
  });
});
