/**
 * Tasmota relays over MQTT (default FullTopic `%prefix%/%topic%/`). The gateway arms a pulse with
 * `PulseTime<ch>` and switches with `POWER<ch> ON`; the device switches itself off when the pulse
 * ends and reports every change on `stat/<topic>/POWER<ch>`.
 */
import { inChannelRange, RELAY_CHANNELS } from "../../config/deviceLimits.js";

/** An MQTT message to publish; the payload is the exact text Tasmota expects. */
export interface MqttCommand {
  topic: string;
  payload: string;
}

/** Largest PulseTime value Tasmota accepts (64900 − 100 s = 18 h). */
export const PULSE_TIME_MAX = 64_900;
/** Longest pulse that is encoded in 0.1 s steps (value 111). */
const TENTHS_LIMIT_MS = 11_100;

/**
 * Tasmota PulseTime value for a duration in ms. Values 1..111 mean 0.1 s steps (0.1..11.1 s) and
 * 112..64900 mean value − 100 whole seconds (12 s..18 h); 0 would disable pulsing. Rounding: the
 * nearest representable duration, halves rounded up; any ms > 0 gives at least 1 (100 ms); above
 * 64800 s clamps to 64900. So the error is ≤ 50 ms up to 11.1 s, ≤ 450 ms between 11.1 and 12 s
 * and ≤ 500 ms above. Throws RangeError for negative or non-finite input.
 */
export function pulseTimeValue(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`pulse duration must be ≥ 0 ms, found ${ms}`);
  if (ms === 0) return 0;
  if (ms <= TENTHS_LIMIT_MS) return Math.max(1, Math.round(ms / 100));
  // Between 11.1 s (111) and 12 s (112) pick whichever is nearer; the midpoint is 11.55 s.
  if (ms < 11_550) return 111;
  const seconds = Math.max(12, Math.round(ms / 1000));
  return Math.min(PULSE_TIME_MAX, seconds + 100);
}

/** Duration in ms that a PulseTime value stands for (0 = pulsing disabled); throws RangeError outside 0..64900. */
export function pulseTimeMs(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > PULSE_TIME_MAX) {
    throw new RangeError(`PulseTime value must be an integer 0..${PULSE_TIME_MAX}, found ${value}`);
  }
  return value <= 111 ? value * 100 : (value - 100) * 1000;
}

/** Result of {@link parsePulseTimePayload}. */
export type PulseTimeParse =
  | { ok: true; value: number; ms: number }
  | { ok: false; error: "not_a_number" | "out_of_range"; found: string };

/** Parses a `PulseTime<ch>` command payload on the simulator side; never throws. */
export function parsePulseTimePayload(payload: string | Uint8Array): PulseTimeParse {
  const found = text(payload).trim();
  if (!/^\d+$/.test(found)) return { ok: false, error: "not_a_number", found };
  const value = Number(found);
  if (value > PULSE_TIME_MAX) return { ok: false, error: "out_of_range", found };
  return { ok: true, value, ms: pulseTimeMs(value) };
}

/** `cmnd/<topic>/PulseTime<ch>` with the value for `ms`, to send before switching on. */
export function pulseTimeCommand(topic: string, channel: number, ms: number): MqttCommand {
  return { topic: `cmnd/${topic}/PulseTime${checkChannel(channel)}`, payload: String(pulseTimeValue(ms)) };
}

/** `cmnd/<topic>/POWER<ch>` with "ON" or "OFF". */
export function powerCommand(topic: string, channel: number, on: boolean): MqttCommand {
  return { topic: `cmnd/${topic}/POWER${checkChannel(channel)}`, payload: on ? "ON" : "OFF" };
}

/** The topic the device reports a relay's state on: `stat/<topic>/POWER<ch>`. */
export function powerStateTopic(topic: string, channel: number): string {
  return `stat/${topic}/POWER${checkChannel(channel)}`;
}

/** Result of {@link parsePowerState}. */
export type PowerStateParse = { ok: true; on: boolean } | { ok: false; error: "bad_payload"; found: string };

/** Tasmota's `StateText1` (off) and `StateText2` (on): the words a device reports its relays with. */
export interface StateText {
  off: string;
  on: string;
}

/** Tasmota's default state words. */
export const DEFAULT_STATE_TEXT: StateText = { off: "OFF", on: "ON" };

/**
 * Parses a `stat/<topic>/POWER<ch>` payload; never throws. ON/OFF and 1/0 always count (a
 * device whose StateText was set to numbers reports 1/0), and so do the device's own `stateText`
 * words when it was given others; all compared without regard to case.
 */
export function parsePowerState(
  payload: string | Uint8Array,
  stateText: StateText = DEFAULT_STATE_TEXT,
): PowerStateParse {
  const found = text(payload).trim();
  const word = found.toUpperCase();
  if (word === "ON" || word === "1" || word === stateText.on.toUpperCase()) return { ok: true, on: true };
  if (word === "OFF" || word === "0" || word === stateText.off.toUpperCase()) return { ok: true, on: false };
  return { ok: false, error: "bad_payload", found };
}

/** Result of {@link parsePowerCommand}. */
export type PowerCommandParse =
  | { ok: true; action: "on" | "off" | "toggle" }
  | { ok: false; error: "bad_payload"; found: string };

/**
 * Parses a `POWER<ch>` command payload on the simulator side, as Tasmota does: case-insensitive,
 * 0/1/2 too, and the device's own state words.
 */
export function parsePowerCommand(
  payload: string | Uint8Array,
  stateText: StateText = DEFAULT_STATE_TEXT,
): PowerCommandParse {
  const found = text(payload).trim();
  const word = found.toLowerCase();
  if (word === stateText.on.toLowerCase()) return { ok: true, action: "on" };
  if (word === stateText.off.toLowerCase()) return { ok: true, action: "off" };
  switch (word) {
    case "on":
    case "1":
      return { ok: true, action: "on" };
    case "off":
    case "0":
      return { ok: true, action: "off" };
    case "toggle":
    case "2":
      return { ok: true, action: "toggle" };
    default:
      return { ok: false, error: "bad_payload", found };
  }
}

function checkChannel(channel: number): number {
  const range = RELAY_CHANNELS["mqtt-tasmota"];
  if (!inChannelRange(range, channel)) {
    throw new RangeError(
      `Tasmota relay channel must be an integer ${range.min}..${range.max}, found ${channel}`,
    );
  }
  return channel;
}

function text(payload: string | Uint8Array): string {
  return typeof payload === "string" ? payload : new TextDecoder().decode(payload);
}
