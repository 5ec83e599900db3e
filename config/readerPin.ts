/**
 * R21: the reader options of card and PIN (`pin`, `pinTimeoutSeconds`), the drivers that have a
 * keypad, and the check that refuses a PIN on a reader that cannot take one.
 */
import { z } from "zod";
import { Window } from "./site.js";

/**
 * The reader drivers that report keypad keys (`keypad` events): Tasmota's Wiegand keypads and OSDP
 * PDs with a keypad. A driver
 * that gains a keypad joins by being listed here.
 */
export const KEYPAD_READER_DRIVERS: readonly string[] = ["mqtt-tasmota", "osdp"];

/** R21: when a reader asks for a PIN after the card: never, always, or in the windows (R3 semantics). */
export const PinPolicy = z
  .union([z.enum(["never", "always"]), z.strictObject({ windows: z.array(Window).min(1) })])
  .describe(
    'R21: ask for a PIN after the card: "never" (the default), "always" or { windows: [...] } (R3 windows)',
  );
export type PinPolicy = z.infer<typeof PinPolicy>;

/** R21: the PIN timeout when a reader does not set one. */
export const DEFAULT_PIN_TIMEOUT_SECONDS = 10;

/**
 * The PIN fields every reader may declare (spread into readerCommon). Both optional: absent means
 * `pin: never` and DEFAULT_PIN_TIMEOUT_SECONDS, so the many readers without a keypad carry nothing.
 */
export const readerPinFields = {
  pin: PinPolicy.optional(),
  /** R21: how long the member has to type the PIN and `#`. */
  pinTimeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(120)
    .optional()
    .describe(`R21: seconds to type the PIN and # after the card (default ${DEFAULT_PIN_TIMEOUT_SECONDS})`),
};

/** R21: a reader's PIN timeout in ms. */
export function pinTimeoutMs(reader: { pinTimeoutSeconds?: number | undefined }): number {
  return (reader.pinTimeoutSeconds ?? DEFAULT_PIN_TIMEOUT_SECONDS) * 1000;
}

/**
 * R21: a reader asking for a PIN must have a keypad, and must be an entry (exits never ask), as
 * `path: message` problems of the parsed (possibly invalid) document.
 */
export function pinReaderProblems(raw: unknown): string[] {
  const readers = (raw as Record<string, unknown> | null)?.readers;
  if (!Array.isArray(readers)) return [];
  return readers.flatMap((r: unknown, i) => {
    const o = r !== null && typeof r === "object" ? (r as Record<string, unknown>) : {};
    if (o.pin === undefined || o.pin === "never") return [];
    if (typeof o.driver === "string" && !KEYPAD_READER_DRIVERS.includes(o.driver))
      return [
        `readers[${i}].pin: driver ${o.driver} has no keypad; a PIN needs one of ${KEYPAD_READER_DRIVERS.join(", ")} (R21)`,
      ];
    if (o.direction === "out") return [`readers[${i}].pin: exits never ask for a PIN (R21); use pin: never`];
    return [];
  });
}
