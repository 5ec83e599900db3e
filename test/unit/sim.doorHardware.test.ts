import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadSimConfig } from "../../firmware-sim/config.js";
import { SimConsole } from "../../firmware-sim/console.js";
import { SimDoorHardware } from "../../firmware-sim/devices/doorHardware.js";
import { checkScenario } from "../../firmware-sim/scenario.js";
import { Simulator } from "../../firmware-sim/simulator.js";
import { realScheduler } from "../../runtime/scheduler.js";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** Door hardware whose signals are recorded as [index, on, ms since start]. */
function hardware(kind: "turnstile" | "door" | "fire-panel") {
  const sent: [number, boolean, number][] = [];
  const start = Date.now();
  const device = new SimDoorHardware({
    kind,
    pulseMs: 200,
    scheduler: realScheduler,
    sink: (index, on) => {
      sent.push([index, on, Date.now() - start]);
      return true;
    },
  });
  return { device, sent };
}

describe("D1: the simulator's door hardware", () => {
  it("D1: a turnstile's PASS output pulses active ~200 ms per direction; walking away sends nothing", () => {
    const { device, sent } = hardware("turnstile");
    expect(device.act("pass-in")).toBe("somebody pushes through inwards: PASS in for 200 ms");
    vi.advanceTimersByTime(200);
    device.act("pass-out");
    vi.advanceTimersByTime(200);
    expect(device.act("walk-away")).toBe("the member walks away: no PASS output");
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([
      [0, true, 0],
      [0, false, 200],
      [1, true, 200],
      [1, false, 400],
    ]);
  });

  it("D1: a door's contact follows open and close, its REX pulses; a fire panel's contact follows alarm and reset", () => {
    const door = hardware("door");
    door.device.act("open");
    door.device.act("rex");
    expect(door.device.signals()).toEqual([
      { name: "contact", on: true },
      { name: "rex", on: true },
    ]);
    vi.advanceTimersByTime(200);
    door.device.act("close");
    expect(door.device.signals().map((s) => s.on)).toEqual([false, false]);
    const panel = hardware("fire-panel");
    panel.device.act("alarm");
    panel.device.act("reset");
    expect(panel.sent.map(([, on]) => on)).toEqual([true, false]);
    expect(() => panel.device.act("open")).toThrow('a fire-panel cannot "open" (it can: alarm, reset)');
  });

  it("D1: scenario files act at door hardware, checked against the sim.yaml", () => {
    const config = loadSimConfig(
      "sim.yaml",
      "devices:\n  - { id: b, kind: modbus-board, expose: { tcp: 0 } }\n  - { id: gate, kind: turnstile, via: { driver: modbus, board: b } }",
    );
    const ok = checkScenario("s.yaml", "steps:\n  - act: { device: gate, action: pass-in }", config);
    expect(ok.problems).toEqual([]);
    const bad = checkScenario(
      "s.yaml",
      "steps:\n  - act: { device: gate, action: open }\n  - act: { device: b, action: pass-in }",
      config,
    );
    expect(bad.problems).toEqual([
      's.yaml: steps[0].act.action: a turnstile cannot "open" (it can: pass-in, pass-out, walk-away)',
      's.yaml: steps[1].act.device: "b" is a modbus-board, not door hardware (gate)',
    ]);
  });

  it("D1: refuses door hardware wired to a board the file lacks, or an MQTT module without a broker", () => {
    expect(() =>
      loadSimConfig(
        "sim.yaml",
        "devices:\n  - { id: gate, kind: turnstile, via: { driver: modbus, board: nope } }\n  - { id: d, kind: door, via: { driver: tasmota, topic: d } }",
      ),
    ).toThrow(
      /devices\[0\]\.via\.board: "nope" is not a modbus-board of this file\n {2}sim\.yaml: devices\[1\]\.via: a tasmota module needs a broker/,
    );
  });

  it("D1: the prompt pushes through the only turnstile and lists the signals", async () => {
    vi.useRealTimers();
    const sim = new Simulator({
      config: loadSimConfig(
        "sim.yaml",
        "devices:\n  - { id: b, kind: modbus-board, expose: { tcp: 0 } }\n  - { id: gate, kind: turnstile, via: { driver: modbus, board: b } }",
      ),
    });
    await sim.start();
    try {
      const output = new PassThrough();
      let printed = "";
      output.on("data", (c: Buffer) => {
        printed += c.toString();
      });
      const console = new SimConsole({ sim, input: new PassThrough(), output });
      await console.execute("pass in");
      await console.execute("signals");
      await console.execute("pass sideways");
      await console.execute("open");
      expect(printed.split("\n")).toEqual([
        "gate: somebody pushes through inwards: PASS in for 200 ms",
        "device  kind       signal    level",
        "gate    turnstile  pass-in   ACTIVE",
        "gate    turnstile  pass-out  inactive",
        "! usage: pass in|out [<turnstile>]",
        "! there is no door",
        "",
      ]);
    } finally {
      await sim.stop();
    }
  });
});
