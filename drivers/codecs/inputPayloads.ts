/**
 * What the input devices publish over MQTT (doors.md D1), as pure parsers: payload in, a level (or
 * "ignored" / a typed error) out; bad input never throws. mqtt-json (a field and the values that
 * mean active), Tasmota switches (`{"Switch1":"ON"}`, SetOption114's `{"Switch1":{"Action":"ON"}}`,
 * the SENSOR report and the STATUS10 answer), Shelly Gen2 (`input:N` in NotifyStatus, NotifyEvent
 * and the Input.GetStatus answer) and Shelly Gen1 (`0`/`1`).
 */
import { parseJsonText, payloadText } from "./mqttReaders.js";

/** Why a message was not a level: not JSON, or JSON of another shape. */
export type InputRejectCode = "bad_json" | "bad_format";

/** What one message means for an input: a raw level (before activeLow), nothing, or a reject. */
export type InputReading =
  | { kind: "level"; active: boolean }
  | { kind: "ignored" }
  | { kind: "error"; code: InputRejectCode; error: string };

const IGNORED: InputReading = { kind: "ignored" };
const level = (active: boolean): InputReading => ({ kind: "level", active });
const bad = (error: string, code: InputRejectCode = "bad_format"): InputReading => ({
  kind: "error",
  code,
  error,
});

/** The payload as JSON, or a reject naming what it is not. */
function json(
  payload: Uint8Array | string,
): { ok: true; value: unknown } | { ok: false; reading: InputReading } {
  const text = payloadText(payload);
  if (text === null) return { ok: false, reading: bad("payload is not UTF-8 text", "bad_json") };
  const parsed = parseJsonText(text);
  return parsed.ok ? parsed : { ok: false, reading: bad("payload is not valid JSON", "bad_json") };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * mqtt-json: the value at the dotted `field` is active when it equals one of `active` (strictly:
 * "1" and 1 are different values), inactive when it is any other number, boolean or string.
 */
export function parseJsonInput(
  payload: Uint8Array | string,
  field: string,
  active: readonly (number | boolean | string)[],
): InputReading {
  const parsed = json(payload);
  if (!parsed.ok) return parsed.reading;
  let value: unknown = parsed.value;
  for (const key of field.split(".")) {
    if (!isRecord(value) || !Object.hasOwn(value, key)) return bad(`field "${field}" is missing`);
    value = value[key];
  }
  if (typeof value !== "number" && typeof value !== "boolean" && typeof value !== "string")
    return bad(
      `field "${field}" must be a number, boolean or string, found ${value === null ? "null" : typeof value}`,
    );
  return level(active.includes(value));
}

/** Tasmota's default StateText for a switch: OFF and ON are levels; TOGGLE and HOLD are button actions. */
const TASMOTA_LEVELS: Record<string, boolean> = { ON: true, OFF: false, "1": true, "0": false };
const TASMOTA_ACTIONS = new Set(["TOGGLE", "HOLD", "INC_DEC", "INV", "CLEAR", "DOUBLE", "TRIPLE"]);

/** A Tasmota switch value: "ON"/"OFF" (or 1/0), nested as {"Action":"ON"} with SetOption114. */
function tasmotaValue(value: unknown, key: string): InputReading {
  if (isRecord(value) && Object.hasOwn(value, "Action")) return tasmotaValue(value.Action, `${key}.Action`);
  const word =
    typeof value === "number" ? String(value) : typeof value === "string" ? value.toUpperCase() : null;
  if (word === null) return bad(`"${key}" must be "ON" or "OFF"`);
  const found = TASMOTA_LEVELS[word];
  if (found !== undefined) return level(found);
  // A push button's action is an event, not a level: it says nothing about the contact.
  if (TASMOTA_ACTIONS.has(word)) return IGNORED;
  return bad(`"${key}" must be "ON" or "OFF", found ${JSON.stringify(value)}`);
}

/**
 * A Tasmota message on `stat/<topic>/RESULT`, `tele/<topic>/SENSOR` or `stat/<topic>/STATUS10`
 * (`{"StatusSNS":{…}}`) for the switch reported under `key` (Switch<n>, or its SwitchText).
 * Messages without that key (POWER results, other sensors) are ignored.
 */
export function parseTasmotaSwitch(payload: Uint8Array | string, key: string): InputReading {
  const parsed = json(payload);
  if (!parsed.ok) return parsed.reading;
  const root = parsed.value;
  if (!isRecord(root)) return bad("expected a JSON object");
  const body = isRecord(root.StatusSNS) ? root.StatusSNS : root;
  return Object.hasOwn(body, key) ? tasmotaValue(body[key], key) : IGNORED;
}

/** Shelly Gen2 button events that say where the input is now; the others (single_push…) are not levels. */
const GEN2_EDGE_EVENTS: Record<string, boolean> = { btn_down: true, btn_up: false };

/** A Gen2 input status object `{"id":N,"state":true|false|null}`; null is a button-type input. */
function gen2Status(value: unknown, where: string): InputReading {
  if (!isRecord(value)) return bad(`"${where}" must be an object`);
  if (value.state === null || value.state === undefined) return IGNORED;
  if (typeof value.state !== "boolean") return bad(`"${where}.state" must be true or false`);
  return level(value.state);
}

/**
 * A Shelly Gen2 message for input `id`: NotifyStatus / NotifyFullStatus (`params["input:N"]`),
 * NotifyEvent (`btn_down` / `btn_up` of component `input:N`), the answer to Input.GetStatus
 * (`result`, matched by the caller's request id) or a `<device>/status/input:N` status update.
 */
export function parseShellyGen2Input(payload: Uint8Array | string, id: number, rpcId?: number): InputReading {
  const parsed = json(payload);
  if (!parsed.ok) return parsed.reading;
  const msg = parsed.value;
  if (!isRecord(msg)) return bad("expected a JSON object");
  const component = `input:${id}`;
  if (msg.method === "NotifyStatus" || msg.method === "NotifyFullStatus") {
    if (!isRecord(msg.params)) return bad("NotifyStatus without params");
    return Object.hasOwn(msg.params, component) ? gen2Status(msg.params[component], component) : IGNORED;
  }
  if (msg.method === "NotifyEvent") {
    if (!isRecord(msg.params) || !Array.isArray(msg.params.events))
      return bad("NotifyEvent without params.events");
    let last: InputReading = IGNORED;
    for (const e of msg.params.events) {
      if (!isRecord(e) || e.component !== component || typeof e.event !== "string") continue;
      const edge = GEN2_EDGE_EVENTS[e.event];
      if (edge !== undefined) last = level(edge);
    }
    return last;
  }
  if (rpcId !== undefined && msg.id === rpcId) {
    if (isRecord(msg.error))
      return bad(`Input.GetStatus failed: ${String(msg.error.message ?? msg.error.code)}`);
    return gen2Status(msg.result, "result");
  }
  // `<device>/status/input:N`: the bare status object.
  if (typeof msg.id === "number" && Object.hasOwn(msg, "state"))
    return msg.id === id ? gen2Status(msg, component) : IGNORED;
  return IGNORED;
}

/** The Input.GetStatus request a Gen2 device answers on `<src>/rpc`. */
export function gen2InputGetStatus(device: string, rpcId: number, src: string, id: number) {
  return {
    topic: `${device}/rpc`,
    payload: JSON.stringify({ id: rpcId, src, method: "Input.GetStatus", params: { id } }),
  };
}

/** A Shelly Gen1 `shellies/<device>/input/<n>` payload: "1" active, "0" inactive. */
export function parseShellyGen1Input(payload: Uint8Array | string): InputReading {
  const text = payloadText(payload)?.trim();
  if (text === "1") return level(true);
  if (text === "0") return level(false);
  return bad(`expected "0" or "1", found ${JSON.stringify(text ?? "(not text)")}`);
}
