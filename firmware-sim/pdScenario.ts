/**
 * Scenario steps at the PDs of an osdp-bus: the actions (a card, keys, tamper, power, a fault,
 * dropping the secure session) and the judging of what a PD showed (LED colour, beeps, text, an
 * output pulse) against its recorded history, counted from the last action step.
 */
import type { OsdpPd } from "./devices/osdpPd.js";
import { beepText } from "./devices/osdpPdPanel.js";
import type { ReaderOutput } from "./devices/readerDisplay.js";
import type { RelayChange } from "./devices/relayState.js";
import { judge, type PdAction, type PdExpectation, type Verdict } from "./scenario.js";

/** Does a PD step's one action; returns it in words (throws USAGE for a card the format cannot carry). */
export function applyPdAction(pd: OsdpPd, a: PdAction): string {
  const at = `at ${a.device}/${a.address}`;
  if (a.card !== undefined) {
    pd.present(a.card, a.format ?? "H10301", a.bits);
    return `card ${a.card} ${at}`;
  }
  if (a.keys !== undefined) {
    pd.typeKeys(a.keys);
    return `keys ${a.keys} ${at}`;
  }
  if (a.tamper !== undefined) {
    pd.setTamper(a.tamper);
    return `tamper ${a.tamper ? "on" : "off"} ${at}`;
  }
  if (a.power !== undefined) {
    pd.setPowerFailure(a.power === "fail");
    return `power ${a.power} ${at}`;
  }
  if (a.fault !== undefined) {
    pd.setFault(a.fault);
    return `fault ${a.fault} ${at}`;
  }
  pd.dropSession();
  return `secure session dropped ${at}`;
}

/** Describes the expectation, e.g. "bus/1 led green, 1 beep within 2000 ms". */
export function describePdExpectation(e: PdExpectation): string {
  const parts = [
    e.led === undefined ? null : `led ${e.led}`,
    e.beeps === undefined ? null : beepText(e.beeps),
    e.text === undefined ? null : `text ${JSON.stringify(e.text)}`,
    e.output === undefined ? null : `output ${e.output} pulse`,
  ].filter((p) => p !== null);
  return `${e.device}/${e.address} ${parts.join(", ")} within ${e.within} ms`;
}

/**
 * Judges `e` at `now` against what the PD showed and switched since `mark`: passes once every part
 * was seen in the window, fails when the window is over without one of them.
 */
export function judgePd(
  e: PdExpectation,
  shown: readonly ReaderOutput[],
  outputs: readonly RelayChange[],
  mark: number,
  now: number,
): Verdict {
  const end = mark + e.within;
  const inWindow = shown.filter((o) => o.at >= mark && o.at <= end);
  const saw = (via: ReaderOutput["via"], text: string) =>
    inWindow.some((o) => o.via === via && o.text === text);
  const held = [
    e.led === undefined || saw("led", e.led),
    e.beeps === undefined || saw("buzzer", beepText(e.beeps)),
    e.text === undefined || saw("display", e.text),
    e.output === undefined ||
      judge({ relay: e.device, channel: e.output, pulse: true, within: e.within }, outputs, mark, now)
        .status === "pass",
  ];
  const seen =
    inWindow
      .map((o) => `${o.via} ${o.via === "display" ? JSON.stringify(o.text) : o.text} +${o.at - mark} ms`)
      .join(", ") || "nothing";
  if (held.every(Boolean)) return { status: "pass", seen };
  return { status: now >= end ? "fail" : "pending", seen };
}
