/**
 * What a simulated OSDP PD shows and switches (doors.md D6 through OSDP): its LED colour, beeps,
 * text lines and outputs, as the control panel's LED, BUZ, TEXT and OUT commands set them. Each
 * change is kept with its time and reported live, like the other simulated readers' feedback, so a
 * technician sees at the prompt what a member would see at the reader.
 */
import { LED_COLOR, OUTPUT_CONTROL } from "../../drivers/osdp/codes.js";
import type { LedRecord, OsdpCommand, OutputRecord } from "../../drivers/osdp/commands.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import { ReaderDisplay } from "./readerDisplay.js";
import { RelayStateRecorder } from "./relayState.js";

type BuzCommand = Extract<OsdpCommand, { kind: "buz" }>;
type TextCommand = Extract<OsdpCommand, { kind: "text" }>;

/** OSDP BUZ tone 0 is "no tone" and 1 "off": only 2 and up sound. */
const TONE_DEFAULT = 2;
const TENTH_MS = 100;

const COLOR_NAMES = new Map<number, string>(
  Object.entries(LED_COLOR).map(([name, code]) => [code, name.toLowerCase()]),
);

/** An LED colour code's name (`green`), or `colour 9` for codes OSDP does not name. */
export function ledColorName(code: number): string {
  return COLOR_NAMES.get(code) ?? `colour ${code}`;
}

/** `1 beep`, `3 beeps`: how a BUZ is shown (and how a scenario expects it). */
export function beepText(n: number): string {
  return `${n} beep${n === 1 ? "" : "s"}`;
}

/** The LED, buzzer, display and outputs of one simulated PD. */
export class PdPanel {
  /** Every LED colour, beep, text and output change, oldest first, reported live. */
  readonly display: ReaderDisplay;
  /** Output states and their history (`channel` is the PD's output number). */
  readonly outputs: RelayStateRecorder;
  private readonly clock: () => number;
  private readonly scheduler: Scheduler;
  private permanentColor: number = LED_COLOR.BLACK;
  private temporary: { color: number; until: number } | null = null;
  private readonly lines = new Map<number, string>();
  private readonly outputTimers = new Map<number, unknown>();

  constructor(clock: () => number, scheduler: Scheduler) {
    this.clock = clock;
    this.scheduler = scheduler;
    this.display = new ReaderDisplay(clock);
    this.outputs = new RelayStateRecorder(clock);
  }

  /** The LED colour now: a temporary state until its timer runs out, then the permanent one. */
  ledColor(): string {
    const temporary = this.temporary;
    if (temporary !== null && this.clock() < temporary.until) return ledColorName(temporary.color);
    return ledColorName(this.permanentColor);
  }

  /** The display's lines, top row first (rows never written are left out). */
  textLines(): string[] {
    return [...this.lines.entries()].sort(([a], [b]) => a - b).map(([, text]) => text);
  }

  /** Applies an LED command's records (only LED 0 of reader 0 is shown: a reader has one LED here). */
  applyLed(records: readonly LedRecord[]): void {
    for (const r of records) {
      if (r.temporary.control === 1) this.temporary = null;
      if (r.temporary.control === 2)
        this.temporary = {
          color: r.temporary.onColor,
          until: this.clock() + r.temporary.timerTenths * TENTH_MS,
        };
      if (r.permanent.control === 1) this.permanentColor = r.permanent.onColor;
      if (r.temporary.control === 2 || r.permanent.control === 1) this.display.show("led", this.ledColor());
    }
  }

  /** Applies a BUZ command: `count` beeps of a sounding tone (0 beeps for tone 0 or 1, which stop it). */
  applyBuzzer(command: BuzCommand): void {
    const beeps = command.tone >= TONE_DEFAULT ? command.count : 0;
    this.display.show("buzzer", beepText(beeps));
  }

  /** Applies a TEXT command: the row's line becomes the text, placed at its (1-based) column. */
  applyText(command: TextCommand): void {
    const column = Math.max(1, command.column);
    this.lines.set(command.row, " ".repeat(column - 1) + command.text);
    this.display.show("display", command.text);
  }

  /** Applies OUT records; a temporary state goes back after its timer, as OSDP outputs do. */
  applyOutputs(records: readonly OutputRecord[]): void {
    for (const r of records) this.applyOutput(r);
  }

  /** Stops the output timers (the PD is stopped). */
  stop(): void {
    for (const timer of this.outputTimers.values()) this.scheduler.clearTimeout(timer);
    this.outputTimers.clear();
  }

  private applyOutput(r: OutputRecord): void {
    const { output, control } = r;
    if (control === OUTPUT_CONTROL.NOP) return;
    const timed = control === OUTPUT_CONTROL.TEMPORARY_ON || control === OUTPUT_CONTROL.TEMPORARY_OFF;
    // Codes 1 and 2 abort a running timed state; 3 and 4 set the state it returns to (here: now).
    if (
      control !== OUTPUT_CONTROL.PERMANENT_OFF_AFTER_TIMED &&
      control !== OUTPUT_CONTROL.PERMANENT_ON_AFTER_TIMED
    )
      this.cancelTimer(output);
    const on =
      control === OUTPUT_CONTROL.PERMANENT_ON_ABORT_TIMED ||
      control === OUTPUT_CONTROL.PERMANENT_ON_AFTER_TIMED ||
      control === OUTPUT_CONTROL.TEMPORARY_ON;
    this.setOutput(output, on);
    if (timed && r.timerTenths > 0) {
      const timer = this.scheduler.setTimeout(() => {
        this.outputTimers.delete(output);
        this.setOutput(output, !on);
      }, r.timerTenths * TENTH_MS);
      this.outputTimers.set(output, timer);
    }
  }

  private setOutput(output: number, on: boolean): void {
    if (this.outputs.isOn(output) === on) return;
    this.outputs.set(output, on);
    this.display.show("output", `output ${output} ${on ? "ON" : "OFF"}`);
  }

  private cancelTimer(output: number): void {
    const timer = this.outputTimers.get(output);
    if (timer === undefined) return;
    this.scheduler.clearTimeout(timer);
    this.outputTimers.delete(output);
  }
}
