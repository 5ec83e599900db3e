import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadSimConfig, type SimConfig } from "../../firmware-sim/config.js";
import type { DeviceRegistry, SimDeviceHandle } from "../../firmware-sim/deviceKinds.js";
import { ReaderDisplay } from "../../firmware-sim/devices/readerDisplay.js";
import { type RelayChange, RelayStateRecorder } from "../../firmware-sim/devices/relayState.js";
import {
  checkScenario,
  describeChanges,
  type Expectation,
  judge,
  parseHexBytes,
  Scenario,
} from "../../firmware-sim/scenario.js";
import { runScenario } from "../../firmware-sim/scenarioRunner.js";
import { Simulator } from "../../firmware-sim/simulator.js";
import { realScheduler } from "../../runtime/scheduler.js";

const ROOT = join(import.meta.dirname, "..", "..");

const expectation = (e: Partial<Expectation>): Expectation => ({
  relay: "board-1",
  channel: 1,
  pulse: true,
  within: 2000,
  ...e,
});
const change = (channel: number, on: boolean, at: number): RelayChange => ({ channel, on, at });

/** A pulse on ch1 from +100 to +1100 after a mark at 10 000. */
const PULSE = [change(1, true, 10_100), change(1, false, 11_100)];

describe("judging an expectation against a recorded relay history", () => {
  it.each([
    ["a pulse within the window passes", {}, PULSE, 11_200, "pass"],
    ["a pulse of the right length passes", { minMs: 900, maxMs: 1100 }, PULSE, 11_200, "pass"],
    ["a pulse too short is pending while the window is open", { minMs: 1500 }, PULSE, 11_200, "pending"],
    ["a pulse too short fails once the window is over", { minMs: 1500 }, PULSE, 12_000, "fail"],
    ["a pulse too long fails once the window is over", { maxMs: 500 }, PULSE, 12_000, "fail"],
    ["an ON still on is pending", {}, PULSE.slice(0, 1), 11_000, "pending"],
    ["an ON whose OFF comes after the window fails", { within: 1000 }, PULSE, 11_200, "fail"],
    ["nothing by the end of the window fails", {}, [], 12_000, "fail"],
    ["a pulse on another channel does not count", { channel: 2 }, PULSE, 12_000, "fail"],
    [
      "a pulse before the mark does not count",
      {},
      [change(1, true, 9000), change(1, false, 9500)],
      12_000,
      "fail",
    ],
    ["no pulse: an ON in the window fails at once", { pulse: false }, PULSE.slice(0, 1), 10_200, "fail"],
    ["no pulse: nothing is pending while the window is open", { pulse: false }, [], 11_000, "pending"],
    ["no pulse: nothing passes once the window is over", { pulse: false }, [], 12_000, "pass"],
    ["no pulse: a pulse after the window passes", { pulse: false, within: 50 }, PULSE, 12_000, "pass"],
  ] as const)("%s", (_name, e, history, now, status) => {
    expect(judge(expectation(e), history, 10_000, now).status).toBe(status);
  });

  it("says what it saw, relative to the mark", () => {
    expect(judge(expectation({}), PULSE, 10_000, 11_200).seen).toBe(
      "ON +100 ms, OFF +1100 ms (held 1000 ms)",
    );
    expect(describeChanges(PULSE.slice(0, 1), 10_000)).toBe("ON +100 ms, then still on");
    expect(describeChanges([], 10_000)).toBe("nothing");
  });
});

const SIM = loadSimConfig(
  "sim.yaml",
  `devices:
  - { id: pool-in, kind: serial-line-reader, expose: { tcp: 0 } }
  - { id: pool-out, kind: rdm6300, expose: { tcp: 0 } }
  - { id: board-1, kind: lcus-board, expose: { tcp: 0 } }
`,
);

describe("scenario files", () => {
  it("parses steps with their defaults; cards may be numbers", () => {
    const { scenario, problems } = checkScenario(
      "s.yaml",
      `steps:
  - present: { reader: pool-in, card: 4215834 }
  - wait: 500
  - expect: { relay: board-1, channel: 1 }
  - hold: { reader: pool-out, card: "008EC793" }
  - release: { reader: pool-out }
  - unplug: board-1
  - replug: board-1
  - garbage: { device: pool-in, hex: "ff 00 0d" }
`,
      SIM,
    );
    expect(problems).toEqual([]);
    expect(scenario?.waitForGateway).toBe(10_000);
    expect(scenario?.steps[0]).toEqual({ present: { reader: "pool-in", card: "4215834" } });
    expect(scenario?.steps[2]).toEqual({
      expect: { relay: "board-1", channel: 1, pulse: true, within: 2000 },
    });
  });

  it("checks the demo scenario against the demo simulator", () => {
    const simFile = join(ROOT, "config", "demo", "sim.yaml");
    const file = join(ROOT, "config", "demo", "scenario.yaml");
    const sim = loadSimConfig(simFile, readFileSync(simFile, "utf8"));
    expect(checkScenario(file, readFileSync(file, "utf8"), sim).problems).toEqual([]);
  });

  it.each([
    [
      "a step with an unknown verb",
      "steps: [{ dance: 1 }]",
      /^s\.yaml: steps\[0\]: expected a step with one of present, hold/,
    ],
    ["a missing card", "steps: [{ present: { reader: pool-in } }]", /^s\.yaml: steps\[0\]/],
    [
      "an unknown reader",
      "steps: [{ present: { reader: gym, card: 1 } }]",
      /^s\.yaml: steps\[0\]\.present\.reader: unknown device "gym" \(the simulator has: pool-in, pool-out, board-1\)/,
    ],
    [
      "an expectation on a reader",
      "steps: [{ expect: { relay: pool-in, channel: 1 } }]",
      /^s\.yaml: steps\[0\]\.expect\.relay: "pool-in" is a serial-line-reader, not a relay board \(board-1\)/,
    ],
    [
      "a hold at a line reader",
      "steps: [{ hold: { reader: pool-in, card: 1 } }]",
      /^s\.yaml: steps\[0\]\.hold\.reader: "pool-in" is a serial-line-reader, not a reader that can hold a card \(pool-out\)/,
    ],
    [
      "minMs over maxMs",
      "steps: [{ expect: { relay: board-1, channel: 1, minMs: 5, maxMs: 1 } }]",
      /^s\.yaml: steps\[0\]\.expect: minMs must not be greater than maxMs/,
    ],
    [
      "bad garbage hex",
      "steps: [{ garbage: { device: pool-in, hex: zz } }]",
      /^s\.yaml: steps\[0\]\.garbage\.hex: /,
    ],
    ["no steps", "steps: []", /^s\.yaml: steps: expected at least one step/],
  ])("refuses %s, naming file and path", (_name, text, message) => {
    const { scenario, problems } = checkScenario("s.yaml", text, SIM);
    expect(scenario).toBeNull();
    expect(problems.join("\n")).toMatch(message);
  });

  it("reads hex bytes with or without spaces, and refuses odd digits", () => {
    expect([...parseHexBytes("ff 00 0d")]).toEqual([0xff, 0, 0x0d]);
    expect([...parseHexBytes("FF000D")]).toEqual([0xff, 0, 0x0d]);
    expect(() => parseHexBytes("f00")).toThrow(/not hex bytes/);
  });
});

/**
 * A registry of fake devices: a reader whose "gateway" pulses board-1 ch1 for `pulseMs` 40 ms
 * after card 1 is presented (and nothing for other cards), on the faked timers.
 */
function fakeRegistry(pulseMs: number): { registry: DeviceRegistry; board: RelayStateRecorder } {
  const board = new RelayStateRecorder(Date.now);
  // D6: card "9" is refused, and the gateway's reply line shows on the reader 30 ms later.
  const display = new ReaderDisplay(Date.now);
  const base = (id: string, kind: SimDeviceHandle["kind"]) => ({
    id,
    kind,
    where: () => "fake",
    status: () => ({ plugged: true, connected: true }),
    start: async () => {},
    stop: async () => {},
    unplug: async () => {},
    replug: async () => {},
    garbage: () => true,
  });
  const registry: DeviceRegistry = {
    "serial-line-reader": (spec) => ({
      ...base(spec.id, spec.kind),
      reader: {
        display,
        present: (card) => {
          if (card === "9") setTimeout(() => display.show("reply", "deny Tessera sconosciuta"), 30);
          if (card === "1") {
            setTimeout(() => board.set(1, true), 40);
            setTimeout(() => board.set(1, false), 40 + pulseMs);
          }
          return true;
        },
        hold: () => {},
        release: () => {},
      },
    }),
    "lcus-board": (spec) => ({
      ...base(spec.id, spec.kind),
      relays: {
        channels: [1, 2],
        get history() {
          return board.history;
        },
        isOn: (ch) => board.isOn(ch),
        on: (event, listener) => board.on(event, listener),
      },
    }),
  };
  return { registry, board };
}

const FAKE_SIM: SimConfig = loadSimConfig(
  "sim.yaml",
  "devices: [{ id: pool-in, kind: serial-line-reader, expose: { tcp: 0 } }, { id: board-1, kind: lcus-board, expose: { tcp: 0 } }]",
);

async function runFake(pulseMs: number, steps: unknown[]): Promise<{ passed: boolean; lines: string[] }> {
  vi.useFakeTimers();
  const { registry } = fakeRegistry(pulseMs);
  const sim = new Simulator({ config: FAKE_SIM, registry });
  await sim.start();
  const scenario = Scenario.parse({ steps });
  const run = runScenario(scenario, sim, { clock: Date.now, scheduler: realScheduler, print: () => {} });
  await vi.runAllTimersAsync();
  const result = await run;
  await sim.stop();
  return result;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("running a scenario", () => {
  const steps = [
    { present: { reader: "pool-in", card: "1" } },
    { expect: { relay: "board-1", channel: 1, within: 2000, minMs: 900, maxMs: 1100 } },
    { expect: { relay: "board-1", channel: 2, pulse: false, within: 500 } },
    { present: { reader: "pool-in", card: "2" } },
    { wait: 100 },
    { expect: { relay: "board-1", channel: 1, pulse: false, within: 1500 } },
  ];

  it("passes when every expectation holds, with one ✓ line per step", async () => {
    const { passed, lines } = await runFake(1000, steps);
    expect(passed).toBe(true);
    expect(lines).toEqual([
      "✓  1. present 1 at pool-in",
      "✓  2. expect board-1 ch1 pulse 900..1100 ms within 2000 ms: seen ON +40 ms, OFF +1040 ms (held 1000 ms)",
      "✓  3. expect board-1 ch2 no pulse within 500 ms: seen nothing",
      "✓  4. present 2 at pool-in",
      "✓  5. wait 100 ms",
      // Step 4 ran the moment step 2's pulse ended: that OFF is in the window, and is no pulse.
      "✓  6. expect board-1 ch1 no pulse within 1500 ms: seen OFF +0 ms",
      "passed: 3 expectations held",
    ]);
  });

  it("D6: prints what a reader shows, indented under the step that caused it", async () => {
    const { passed, lines } = await runFake(1000, [
      { present: { reader: "pool-in", card: "9" } },
      { expect: { relay: "board-1", channel: 1, pulse: false, within: 500 } },
    ]);
    expect(passed).toBe(true);
    expect(lines).toEqual([
      "✓  1. present 9 at pool-in",
      '     pool-in reply "deny Tessera sconosciuta"',
      "✓  2. expect board-1 ch1 no pulse within 500 ms: seen nothing",
      "passed: 1 expectation held",
    ]);
  });

  it("fails with a ✗ line saying what was expected and what was seen", async () => {
    const { passed, lines } = await runFake(3000, steps);
    expect(passed).toBe(false);
    expect(lines[1]).toBe(
      "✗  2. expect board-1 ch1 pulse 900..1100 ms within 2000 ms: seen ON +40 ms, then still on",
    );
    expect(lines.at(-1)).toBe("FAILED: 1 of 6 steps");
  });
});
