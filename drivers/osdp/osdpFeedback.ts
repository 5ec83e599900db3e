/**
 * doors.md D6 through OSDP (docs/osdp.md, "Feedback"): the LED, BUZ and TEXT commands that show a
 * decision at a PD. Grant: LED green for 2 s and one short beep; deny: LED red for 2 s and three
 * short beeps; the R15 message on the PD's display, when it has one, in ASCII lines of at most 32.
 */

import { oneLine, toAscii } from "../codecs/readerFeedback.js";
import type { ReaderFeedback } from "../readers/readerDriver.js";
import { LED_COLOR } from "./codes.js";
import type { PdCommand } from "./cpTypes.js";

/** OSDP text is at most this wide per line here (osdp.md). */
export const TEXT_LINE_CHARS = 32;
/** The message fills at most this many display rows. */
export const TEXT_ROWS = 2;
/** How long the LED colour holds, in tenths of a second (2 s). */
const LED_TENTHS = 20;
/** A short beep: 0.2 s on, 0.2 s off. */
const BEEP_TENTHS = 2;
/** BUZ tone 2: the PD's default tone (0 and 1 are silence). */
const TONE_DEFAULT = 2;
/** TEXT command 3: temporary text, no wrap (the gateway wraps). */
const TEXT_TEMPORARY = 3;
/** How long the message stays on the display, in seconds. */
const TEXT_SECONDS = 5;

/** The LED and BUZ commands for a decision (an undone grant is a deny at the reader). */
export function feedbackSignals(f: ReaderFeedback): PdCommand[] {
  const granted = f.decision === "grant" && !f.undone;
  const color = granted ? LED_COLOR.GREEN : LED_COLOR.RED;
  return [
    {
      kind: "led",
      leds: [
        {
          reader: 0,
          led: 0,
          temporary: {
            control: 2,
            timerTenths: LED_TENTHS,
            onTenths: LED_TENTHS,
            offTenths: 0,
            onColor: color,
            offColor: LED_COLOR.BLACK,
          },
          permanent: { control: 0, onTenths: 0, offTenths: 0, onColor: 0, offColor: 0 },
        },
      ],
    },
    {
      kind: "buz",
      reader: 0,
      tone: TONE_DEFAULT,
      onTenths: BEEP_TENTHS,
      offTenths: BEEP_TENTHS,
      count: granted ? 1 : 3,
    },
  ];
}

/** The message as display lines: ASCII, wrapped at words into rows of at most 32 characters. */
export function displayLines(message: string): string[] {
  const words = toAscii(oneLine(message)).trim().split(/ +/).filter(Boolean);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if (candidate.length <= TEXT_LINE_CHARS) {
      line = candidate;
      continue;
    }
    if (line !== "") lines.push(line);
    // A word longer than a line is cut: the display cannot show it whole anyway.
    line = word.slice(0, TEXT_LINE_CHARS);
  }
  if (line !== "") lines.push(line);
  return lines.slice(0, TEXT_ROWS);
}

/** The TEXT commands that show the message, one per row (none for an empty message). */
export function feedbackText(f: ReaderFeedback): PdCommand[] {
  return displayLines(f.message).map((text, i) => ({
    kind: "text",
    reader: 0,
    command: TEXT_TEMPORARY,
    tempSeconds: TEXT_SECONDS,
    row: i + 1,
    column: 1,
    text,
  }));
}
