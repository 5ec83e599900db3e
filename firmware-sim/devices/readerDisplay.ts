/**
 * doors.md D6 in the simulator: what a simulated reader shows or sounds when the gateway gives it
 * feedback (a Tasmota display and buzzer, an mqtt-json feedback message, a serial reply line), kept
 * in order and reported live, so a technician sees at the prompt what a member would see.
 */
import { Listeners } from "../../drivers/transport/listeners.js";

/** One thing a reader showed: a text on its display or a reply line, or a number of beeps. */
export interface ReaderOutput {
  /** When the device got it (ms, from the simulator's clock). */
  at: number;
  /**
   * `display`: Tasmota DisplayText or OSDP TEXT; `buzzer`: Tasmota Buzzer or OSDP BUZ; `feedback`:
   * mqtt-json; `reply`: serial line; `led`: OSDP LED colour; `output`: OSDP OUT.
   */
  via: "display" | "buzzer" | "feedback" | "reply" | "led" | "output";
  /** The text shown, `3 beeps`, `green`, or `output 1 ON`. */
  text: string;
  /** mqtt-json feedback's decision, when it said one. */
  decision?: string;
}

/** What a ReaderDisplay reports. */
export interface ReaderDisplayEvents {
  shown: (output: ReaderOutput) => void;
}

/** The outputs of one simulated reader, oldest first. */
export class ReaderDisplay {
  private readonly clock: () => number;
  private readonly outputs: ReaderOutput[] = [];
  private readonly listeners = new Listeners<ReaderDisplayEvents>();

  constructor(clock: () => number) {
    this.clock = clock;
  }

  /** Everything shown so far. */
  get history(): readonly ReaderOutput[] {
    return this.outputs;
  }

  /** The texts shown so far (display, feedback and reply lines; no beeps, LEDs or outputs). */
  get texts(): string[] {
    return this.outputs.filter((o) => !UNQUOTED.has(o.via)).map((o) => o.text);
  }

  /** Records one output and reports it. */
  show(via: ReaderOutput["via"], text: string, decision?: string): void {
    const output: ReaderOutput = {
      at: this.clock(),
      via,
      text,
      ...(decision === undefined ? {} : { decision }),
    };
    this.outputs.push(output);
    this.listeners.emit("shown", output);
  }

  /** Subscribes to "shown"; returns a function that unsubscribes. */
  on<K extends keyof ReaderDisplayEvents>(event: K, listener: ReaderDisplayEvents[K]): () => void {
    return this.listeners.on(event, listener);
  }
}

/** Outputs that are a state (beeps, a colour, an output), not a text a member reads. */
const UNQUOTED: ReadonlySet<ReaderOutput["via"]> = new Set(["buzzer", "led", "output"]);

/** How an output reads in a live line: `display "Welcome"`, `buzzer 3 beeps`, `led green`. */
export function shownText(output: Pick<ReaderOutput, "via" | "text">): string {
  return `${output.via} ${UNQUOTED.has(output.via) ? output.text : JSON.stringify(output.text)}`;
}

/** Tasmota `DisplayText`: the text without its `[…]` display commands (`[z]` clear, `[x0y10]` move…). */
export function displayTextOf(payload: string): string {
  return payload.replace(/\[[^\]]*\]/g, "").trim();
}

/** Tasmota `Buzzer <count>,<beep>,<silence>,<tune>`: the number of beeps (default 1; 0 stops). */
export function buzzerCountOf(payload: string): number | null {
  const first = payload.split(",")[0]?.trim() ?? "";
  if (first === "") return 1;
  const n = Number(first);
  return Number.isInteger(n) && n >= -2 ? n : null;
}
