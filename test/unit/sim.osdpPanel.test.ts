/**
 * D6 through OSDP in the simulator: what a PD's LED, buzzer, display and outputs show as the CP's
 * LED, BUZ, TEXT and OUT commands set them, with the clock and timers handed in.
 */
import { describe, expect, it } from "vitest";
import { LED_COLOR, OUTPUT_CONTROL } from "../../drivers/osdp/codes.js";
import type { LedRecord } from "../../drivers/osdp/commands.js";
import { ledColorName, PdPanel } from "../../firmware-sim/devices/osdpPdPanel.js";
import { ManualScheduler } from "../helpers/fakeTransport.js";

const led = (
  temporary: Partial<LedRecord["temporary"]>,
  permanent: Partial<LedRecord["permanent"]>,
): LedRecord => ({
  reader: 0,
  led: 0,
  temporary: { control: 0, onTenths: 0, offTenths: 0, onColor: 0, offColor: 0, timerTenths: 0, ...temporary },
  permanent: { control: 0, onTenths: 0, offTenths: 0, onColor: 0, offColor: 0, ...permanent },
});

function panel() {
  let now = 1_000;
  const scheduler = new ManualScheduler();
  return { panel: new PdPanel(() => now, scheduler), scheduler, advance: (ms: number) => (now += ms) };
}

describe("a simulated PD's panel", () => {
  it("D6: shows a temporary colour for its timer, then the permanent one again", () => {
    const { panel: p, advance } = panel();
    p.applyLed([led({}, { control: 1, onColor: LED_COLOR.RED })]);
    p.applyLed([led({ control: 2, onColor: LED_COLOR.GREEN, timerTenths: 20 }, {})]);
    expect(p.ledColor()).toBe("green");
    advance(1_999);
    expect(p.ledColor()).toBe("green");
    advance(1);
    expect(p.ledColor()).toBe("red");
    p.applyLed([led({ control: 2, onColor: LED_COLOR.AMBER, timerTenths: 50 }, {})]);
    p.applyLed([led({ control: 1 }, {})]);
    expect(p.ledColor()).toBe("red");
    expect(p.display.history.map((o) => o.text)).toEqual(["red", "green", "amber"]);
  });

  it("counts beeps of a sounding tone only, and keeps each display row", () => {
    const { panel: p } = panel();
    p.applyBuzzer({ kind: "buz", reader: 0, tone: 2, onTenths: 1, offTenths: 1, count: 3 });
    p.applyBuzzer({ kind: "buz", reader: 0, tone: 1, onTenths: 0, offTenths: 0, count: 1 });
    p.applyText({
      kind: "text",
      reader: 0,
      command: 1,
      tempSeconds: 0,
      row: 2,
      column: 3,
      text: "7/10 left",
    });
    p.applyText({
      kind: "text",
      reader: 0,
      command: 1,
      tempSeconds: 0,
      row: 1,
      column: 1,
      text: "Welcome Ada",
    });
    expect(p.display.history.map((o) => `${o.via} ${o.text}`)).toEqual([
      "buzzer 3 beeps",
      "buzzer 0 beeps",
      "display 7/10 left",
      "display Welcome Ada",
    ]);
    expect(p.textLines()).toEqual(["Welcome Ada", "  7/10 left"]);
  });

  it("D6: a temporary output goes back after its timer; a permanent one aborts the timer", () => {
    const { panel: p, scheduler, advance } = panel();
    p.applyOutputs([{ output: 0, control: OUTPUT_CONTROL.TEMPORARY_ON, timerTenths: 10 }]);
    expect(p.outputs.isOn(0)).toBe(true);
    advance(1_000);
    expect(scheduler.runNext()).toBe(true);
    expect(p.outputs.history.map((c) => [c.on, c.at])).toEqual([
      [true, 1_000],
      [false, 2_000],
    ]);
    p.applyOutputs([{ output: 1, control: OUTPUT_CONTROL.TEMPORARY_ON, timerTenths: 10 }]);
    p.applyOutputs([{ output: 1, control: OUTPUT_CONTROL.PERMANENT_ON_ABORT_TIMED, timerTenths: 0 }]);
    expect(scheduler.pending).toBe(0);
    expect(p.outputs.isOn(1)).toBe(true);
  });

  it("names colours OSDP does not name by their number", () => {
    expect([ledColorName(LED_COLOR.CYAN), ledColorName(9)]).toEqual(["cyan", "colour 9"]);
  });
});
