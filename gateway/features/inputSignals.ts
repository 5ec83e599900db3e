/**
 * The inputs as the door logic sees them (doors.md D1): each input's level after `activeLow` and
 * debounce, and its changes. The inputs feature provides it; the doors feature (passage, contact,
 * REX, fire) consumes it, and its tests drive a fake one.
 */

/** What an input reads: active, inactive, or unknown while its device is down (never `inactive` then). */
export type InputLevel = "active" | "inactive" | "unknown";

/** Every configured input's level, and a feed of their changes. */
export interface InputSignals {
  /** The input's level now; `unknown` for an id with no running input. */
  level(inputId: string): InputLevel;
  /** Calls `listener` on every change of an input's level, with the clock instant (ms) of the edge; returns an unsubscribe. */
  onChange(listener: (inputId: string, level: InputLevel, at: number) => void): () => void;
}
