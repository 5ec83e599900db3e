/**
 * doors.md D6 through OSDP (docs/osdp.md, "Feedback"): the LED, BUZ and TEXT commands that show a
 * decision at a PD. Grant: LED green for 2 s and one short beep; deny: LED red for 2 s and three
 * short beeps; the R15 message on the PD's display, when it has one, in ASCII lines of at most 32,
 * two rows at a time: a longer message is shown in pages a few seconds apart.
 */

import { oneLine, toAscii } from "../codecs/readerFeedback.js";
import type { ReaderFeedback } from "../readers/readerDriver.js";
import { LED_COLOR } from "./codes.js";
import type { PdCommand } from "./cpTypes.js";

/** OSDP text is at most this wide per line here (osdp.md). */
export const TEXT_LINE_CHARS = 32;
/** The display rows a page of the message fills. */
export const TEXT_ROWS = 2;
/** A message longer than TEXT_ROWS rows is shown in pages this far apart. */
export const TEXT_PAGE_MS = 3000;
/** At most this many pages: what a message has beyond them is cut. */
const TEXT_PAGES = 3;
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

/** The message as display rows: ASCII, wrapped at words into rows of at most 32 characters. */
function displayRows(message: string): string[] {
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
  return lines;
}

/** The message as display pages of at most TEXT_ROWS rows, at most TEXT_PAGES of them. */
export function displayPages(message: string): string[][] {
  const rows = displayRows(message);
  const pages: string[][] = [];
  for (let at = 0; at < rows.length && pages.length < TEXT_PAGES; at += TEXT_ROWS)
    pages.push(rows.slice(at, at + TEXT_ROWS));
  return pages;
}

/** The rows the display shows first. */
export function displayLines(message: string): string[] {
  return displayPages(message)[0] ?? [];
}

/**
 * The TEXT commands that show the message, a page at a time, TEXT_PAGE_MS apart (none for an empty
 * message). A page stays up until the next replaces it, the last one TEXT_SECONDS; a page with
 * fewer rows than the display has blanks the row the page before it wrote.
 */
export function feedbackText(f: ReaderFeedback): PdCommand[][] {
  const pages = displayPages(f.message);
  const blank = " ".repeat(TEXT_LINE_CHARS);
  return pages.map((rows, p) => {
    const last = p === pages.length - 1;
    const shown = p === 0 ? rows : [...rows, ...Array<string>(TEXT_ROWS - rows.length).fill(blank)];
    return shown.map((text, i) => ({
      kind: "text",
      reader: 0,
      command: TEXT_TEMPORARY,
      tempSeconds: last ? TEXT_SECONDS : Math.ceil(TEXT_PAGE_MS / 1000) + 1,
      row: i + 1,
      column: 1,
      text,
    }));
  });
}
