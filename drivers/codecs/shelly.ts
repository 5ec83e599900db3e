/**
 * Shelly relays over MQTT. Gen2+ speaks JSON-RPC on `<device>/rpc` and answers on `<src>/rpc`;
 * `toggle_after` lets the device end the pulse itself. Gen1 only takes "on"/"off", so the
 * gateway times the pulse. Incoming JSON is checked with zod and never throws.
 */
import { z } from "zod";

/** An MQTT message to publish. */
export interface MqttCommand {
  topic: string;
  payload: string;
}

/** What the gateway needs to say to a Gen2 switch. */
export interface SwitchSetArgs {
  /** Device topic prefix, e.g. "shellyplus1-a8032ab12345". */
  device: string;
  /** JSON-RPC request id, echoed in the response. */
  rpcId: number;
  /** Our client id; the device answers on `<src>/rpc`. */
  src: string;
  /** Switch component id, 0-based. */
  switchId: number;
  on: boolean;
  /** Seconds after which the device flips the switch back; omit for a plain set. */
  toggleAfterSeconds?: number;
}

/** Encodes a Gen2 `Switch.Set` request; throws RangeError for a bad switch id or toggle time. */
export function encodeSwitchSet(args: SwitchSetArgs): MqttCommand {
  const { device, rpcId, src, switchId, on, toggleAfterSeconds } = args;
  if (!Number.isInteger(switchId) || switchId < 0) {
    throw new RangeError(`Shelly switch id must be an integer ≥ 0, found ${switchId}`);
  }
  const params: { id: number; on: boolean; toggle_after?: number } = { id: switchId, on };
  if (toggleAfterSeconds !== undefined) {
    if (!Number.isFinite(toggleAfterSeconds) || toggleAfterSeconds <= 0) {
      throw new RangeError(`toggle_after must be > 0 seconds, found ${toggleAfterSeconds}`);
    }
    params.toggle_after = toggleAfterSeconds;
  }
  const payload = JSON.stringify({ id: rpcId, src, method: "Switch.Set", params });
  return { topic: `${device}/rpc`, payload };
}

/** The topic Gen2 devices answer our requests on: `<src>/rpc`. */
export function rpcResponseTopic(src: string): string {
  return `${src}/rpc`;
}

const rpcErrorSchema = z.object({ code: z.number().int(), message: z.string() });

const rpcResponseSchema = z
  .object({
    id: z.number(),
    src: z.string(),
    dst: z.string().optional(),
    result: z.unknown().optional(),
    error: rpcErrorSchema.optional(),
  })
  .refine((r) => (r.result !== undefined) !== (r.error !== undefined), {
    message: "expected exactly one of result or error",
  });

/** Why an incoming payload could not be used. */
export type PayloadError = { ok: false; error: "bad_json" | "bad_shape"; detail: string };

/** Result of {@link parseRpcResponse}. */
export type RpcResponseParse =
  | { ok: true; id: number; src: string; result: unknown }
  | { ok: false; error: "rpc_error"; id: number; src: string; code: number; message: string }
  | PayloadError;

/** Parses a Gen2 JSON-RPC response (result or error object); never throws. */
export function parseRpcResponse(payload: string | Uint8Array): RpcResponseParse {
  const parsed = parseJson(payload, rpcResponseSchema);
  if (!parsed.ok) return parsed;
  const { id, src, result, error } = parsed.value;
  if (error) return { ok: false, error: "rpc_error", id, src, code: error.code, message: error.message };
  return { ok: true, id, src, result };
}

const switchSetRequestSchema = z.object({
  id: z.number(),
  src: z.string().min(1),
  method: z.literal("Switch.Set"),
  params: z.object({
    id: z.number().int().min(0),
    on: z.boolean(),
    toggle_after: z.number().positive().optional(),
  }),
});

/** A `Switch.Set` request as the simulator sees it. */
export type SwitchSetRequest = z.infer<typeof switchSetRequestSchema>;

/** Parses a Gen2 `Switch.Set` request on the simulator side; never throws. */
export function parseSwitchSetRequest(
  payload: string | Uint8Array,
): { ok: true; request: SwitchSetRequest } | PayloadError {
  const parsed = parseJson(payload, switchSetRequestSchema);
  return parsed.ok ? { ok: true, request: parsed.value } : parsed;
}

/** Encodes a Gen2 response for the simulator: a result, or an error with code and message. */
export function encodeRpcResponse(
  request: { id: number; src: string },
  device: string,
  outcome: { result: unknown } | { error: { code: number; message: string } },
): MqttCommand {
  return {
    topic: rpcResponseTopic(request.src),
    payload: JSON.stringify({ id: request.id, src: device, dst: request.src, ...outcome }),
  };
}

/** Gen1 relay command: `shellies/<id>/relay/<ch>/command` with "on" or "off" (ch is 0-based). */
export function gen1RelayCommand(deviceId: string, channel: number, on: boolean): MqttCommand {
  return { topic: `${gen1RelayStateTopic(deviceId, channel)}/command`, payload: on ? "on" : "off" };
}

/** Gen1 relay state topic: `shellies/<id>/relay/<ch>`. */
export function gen1RelayStateTopic(deviceId: string, channel: number): string {
  if (!Number.isInteger(channel) || channel < 0) {
    throw new RangeError(`Shelly Gen1 relay channel must be an integer ≥ 0, found ${channel}`);
  }
  return `shellies/${deviceId}/relay/${channel}`;
}

/** Result of {@link parseGen1RelayState}; "overpower" means the device cut the relay itself. */
export type Gen1StateParse =
  | { ok: true; on: boolean; overpower: boolean }
  | { ok: false; error: "bad_payload"; found: string };

/** Parses a Gen1 state payload: "on", "off" or "overpower"; never throws. */
export function parseGen1RelayState(payload: string | Uint8Array): Gen1StateParse {
  const found = text(payload).trim();
  if (found === "on") return { ok: true, on: true, overpower: false };
  if (found === "off") return { ok: true, on: false, overpower: false };
  if (found === "overpower") return { ok: true, on: false, overpower: true };
  return { ok: false, error: "bad_payload", found };
}

/** Result of {@link parseGen1RelayCommand}. */
export type Gen1CommandParse =
  | { ok: true; action: "on" | "off" | "toggle" }
  | { ok: false; error: "bad_payload"; found: string };

/** Parses a Gen1 command payload on the simulator side: "on", "off" or "toggle"; never throws. */
export function parseGen1RelayCommand(payload: string | Uint8Array): Gen1CommandParse {
  const found = text(payload).trim();
  if (found === "on" || found === "off" || found === "toggle") return { ok: true, action: found };
  return { ok: false, error: "bad_payload", found };
}

function parseJson<T>(
  payload: string | Uint8Array,
  schema: z.ZodType<T>,
): { ok: true; value: T } | PayloadError {
  let raw: unknown;
  try {
    raw = JSON.parse(text(payload));
  } catch (err) {
    return { ok: false, error: "bad_json", detail: err instanceof Error ? err.message : String(err) };
  }
  const checked = schema.safeParse(raw);
  if (checked.success) return { ok: true, value: checked.data };
  const detail = checked.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
  return { ok: false, error: "bad_shape", detail };
}

function text(payload: string | Uint8Array): string {
  return typeof payload === "string" ? payload : new TextDecoder().decode(payload);
}
