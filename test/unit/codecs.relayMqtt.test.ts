import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encodeRpcResponse,
  encodeSwitchSet,
  gen1RelayCommand,
  gen1RelayStateTopic,
  parseGen1RelayCommand,
  parseGen1RelayState,
  parseRpcResponse,
  parseSwitchSetRequest,
  rpcResponseTopic,
} from "../../drivers/codecs/shelly.js";
import {
  PULSE_TIME_MAX,
  parsePowerCommand,
  parsePowerState,
  parsePulseTimePayload,
  powerCommand,
  powerStateTopic,
  pulseTimeCommand,
  pulseTimeMs,
  pulseTimeValue,
} from "../../drivers/codecs/tasmotaRelay.js";

describe("Tasmota PulseTime encoding", () => {
  it.each([
    [100, 1],
    [1_000, 10],
    [3_000, 30],
    [11_100, 111],
    [12_000, 112],
    [13_000, 113],
    [60_000, 160],
    [64_800_000, 64_900],
  ])("encodes %i ms as PulseTime %i", (ms, value) => {
    expect(pulseTimeValue(ms)).toBe(value);
    expect(pulseTimeMs(value)).toBe(ms);
  });

  it.each([
    [0, 0, "keeps 0 as 'pulse disabled'"],
    [1, 1, "rounds anything above 0 up to the shortest pulse"],
    [149, 1, "rounds to the nearest 100 ms"],
    [150, 2, "rounds a half step up"],
    [11_549, 111, "picks 11.1 s just below the midpoint of the 11.1..12 s gap"],
    [11_550, 112, "picks 12 s from the midpoint of the 11.1..12 s gap"],
    [12_499, 112, "rounds to the nearest second above 12 s"],
    [12_500, 113, "rounds a half second up"],
    [99_999_999, PULSE_TIME_MAX, "clamps to 18 hours"],
  ])("encodes %i ms as %i: %s", (ms, value) => {
    expect(pulseTimeValue(ms)).toBe(value);
  });

  it("refuses negative and non-finite durations", () => {
    expect(() => pulseTimeValue(-1)).toThrow(RangeError);
    expect(() => pulseTimeValue(Number.NaN)).toThrow(RangeError);
    expect(() => pulseTimeMs(64_901)).toThrow(RangeError);
    expect(() => pulseTimeMs(1.5)).toThrow(RangeError);
  });

  it("round-trips every PulseTime value exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: PULSE_TIME_MAX }), (value) => {
        expect(pulseTimeValue(pulseTimeMs(value))).toBe(value);
      }),
    );
  });

  it("round-trips a duration within 50 ms up to 11.1 s and within 500 ms up to 18 hours", () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 64_800_000 }), (ms) => {
        const error = Math.abs(pulseTimeMs(pulseTimeValue(ms)) - ms);
        expect(error).toBeLessThanOrEqual(ms <= 11_100 ? 50 : 500);
      }),
    );
  });

  it("parses a PulseTime payload on the simulator side and rejects junk", () => {
    expect(parsePulseTimePayload("112")).toEqual({ ok: true, value: 112, ms: 12_000 });
    expect(parsePulseTimePayload(new TextEncoder().encode("30"))).toEqual({ ok: true, value: 30, ms: 3_000 });
    expect(parsePulseTimePayload("1.5")).toEqual({ ok: false, error: "not_a_number", found: "1.5" });
    expect(parsePulseTimePayload("64901")).toEqual({ ok: false, error: "out_of_range", found: "64901" });
  });
});

describe("Tasmota topics and payloads", () => {
  it("arms a 3 s pulse on relay 2 with cmnd/<topic>/PulseTime2 30", () => {
    expect(pulseTimeCommand("door-1", 2, 3_000)).toEqual({ topic: "cmnd/door-1/PulseTime2", payload: "30" });
  });

  it("switches relay 1 with cmnd/<topic>/POWER1 ON or OFF", () => {
    expect(powerCommand("door-1", 1, true)).toEqual({ topic: "cmnd/door-1/POWER1", payload: "ON" });
    expect(powerCommand("door-1", 1, false)).toEqual({ topic: "cmnd/door-1/POWER1", payload: "OFF" });
  });

  it("listens for relay state on stat/<topic>/POWER<ch>", () => {
    expect(powerStateTopic("door-1", 3)).toBe("stat/door-1/POWER3");
  });

  it("refuses relay channel 0", () => {
    expect(() => powerCommand("door-1", 0, true)).toThrow(RangeError);
  });

  it("reads ON and OFF state payloads and names anything else", () => {
    expect(parsePowerState("ON")).toEqual({ ok: true, on: true });
    expect(parsePowerState(new TextEncoder().encode("OFF"))).toEqual({ ok: true, on: false });
    expect(parsePowerState("maybe")).toEqual({ ok: false, error: "bad_payload", found: "maybe" });
  });

  it("reads 1 and 0, and the device's own StateText words, as on and off", () => {
    expect(parsePowerState("1")).toEqual({ ok: true, on: true });
    expect(parsePowerState("0")).toEqual({ ok: true, on: false });
    const words = { off: "CLOSED", on: "OPEN" };
    expect(parsePowerState("OPEN", words)).toEqual({ ok: true, on: true });
    expect(parsePowerState("closed", words)).toEqual({ ok: true, on: false });
    expect(parsePowerState("ON", words)).toEqual({ ok: true, on: true });
    expect(parsePowerState("OPEN")).toEqual({ ok: false, error: "bad_payload", found: "OPEN" });
  });

  it("reads POWER commands on the simulator side the way Tasmota does", () => {
    expect(parsePowerCommand("on")).toEqual({ ok: true, action: "on" });
    expect(parsePowerCommand("0")).toEqual({ ok: true, action: "off" });
    expect(parsePowerCommand("TOGGLE")).toEqual({ ok: true, action: "toggle" });
    expect(parsePowerCommand("blink")).toMatchObject({ ok: false, error: "bad_payload" });
  });

  it("never throws on random payloads", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 16 })), (payload) => {
        expect(typeof parsePowerState(payload).ok).toBe("boolean");
        expect(typeof parsePowerCommand(payload).ok).toBe("boolean");
        expect(typeof parsePulseTimePayload(payload).ok).toBe("boolean");
      }),
    );
  });
});

describe("Shelly Gen2 JSON-RPC", () => {
  it("sends Switch.Set with toggle_after in seconds to <device>/rpc", () => {
    const command = encodeSwitchSet({
      device: "shellyplus1-a8032ab12345",
      rpcId: 7,
      src: "accessgw-gym1",
      switchId: 0,
      on: true,
      toggleAfterSeconds: 1.5,
    });
    expect(command.topic).toBe("shellyplus1-a8032ab12345/rpc");
    expect(JSON.parse(command.payload)).toEqual({
      id: 7,
      src: "accessgw-gym1",
      method: "Switch.Set",
      params: { id: 0, on: true, toggle_after: 1.5 },
    });
  });

  it("leaves toggle_after out of a plain set and refuses a toggle time of 0", () => {
    const args = { device: "d", rpcId: 1, src: "gw", switchId: 0, on: false };
    expect(JSON.parse(encodeSwitchSet(args).payload).params).toEqual({ id: 0, on: false });
    expect(() => encodeSwitchSet({ ...args, toggleAfterSeconds: 0 })).toThrow(RangeError);
  });

  it("expects the answer on <src>/rpc", () => {
    expect(rpcResponseTopic("accessgw-gym1")).toBe("accessgw-gym1/rpc");
  });

  it("parses a result response", () => {
    const payload =
      '{"id":7,"src":"shellyplus1-a8032ab12345","dst":"accessgw-gym1","result":{"was_on":false}}';
    expect(parseRpcResponse(payload)).toEqual({
      ok: true,
      id: 7,
      src: "shellyplus1-a8032ab12345",
      result: { was_on: false },
    });
  });

  it("parses an error response into its code and message", () => {
    const payload =
      '{"id":8,"src":"shelly","dst":"gw","error":{"code":-103,"message":"Invalid argument \'id\'"}}';
    expect(parseRpcResponse(new TextEncoder().encode(payload))).toEqual({
      ok: false,
      error: "rpc_error",
      id: 8,
      src: "shelly",
      code: -103,
      message: "Invalid argument 'id'",
    });
  });

  it("reports text that is not JSON as bad_json", () => {
    expect(parseRpcResponse("{not json")).toMatchObject({ ok: false, error: "bad_json" });
  });

  it("reports JSON of the wrong shape as bad_shape and names the field", () => {
    const result = parseRpcResponse('{"id":"7","src":"shelly","result":{}}');
    expect(result).toMatchObject({ ok: false, error: "bad_shape" });
    expect(result.ok === false && "detail" in result && result.detail).toMatch(/^id: /);
  });

  it("reports a response with neither result nor error as bad_shape", () => {
    expect(parseRpcResponse('{"id":7,"src":"shelly"}')).toMatchObject({
      ok: false,
      error: "bad_shape",
      detail: expect.stringContaining("exactly one of result or error"),
    });
  });

  it("round-trips a request and a response through the simulator side", () => {
    const command = encodeSwitchSet({
      device: "d",
      rpcId: 3,
      src: "gw",
      switchId: 1,
      on: true,
      toggleAfterSeconds: 2,
    });
    const parsed = parseSwitchSetRequest(command.payload);
    expect(parsed).toEqual({
      ok: true,
      request: { id: 3, src: "gw", method: "Switch.Set", params: { id: 1, on: true, toggle_after: 2 } },
    });
    if (!parsed.ok) return;
    const reply = encodeRpcResponse(parsed.request, "d", { result: { was_on: false } });
    expect(reply.topic).toBe("gw/rpc");
    expect(parseRpcResponse(reply.payload)).toEqual({ ok: true, id: 3, src: "d", result: { was_on: false } });
  });

  it("rejects a request for another method on the simulator side", () => {
    expect(
      parseSwitchSetRequest('{"id":1,"src":"gw","method":"Switch.Toggle","params":{"id":0}}'),
    ).toMatchObject({
      ok: false,
      error: "bad_shape",
    });
  });

  it("never throws on random payloads", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 32 })), (payload) => {
        expect(typeof parseRpcResponse(payload).ok).toBe("boolean");
        expect(typeof parseSwitchSetRequest(payload).ok).toBe("boolean");
        expect(typeof parseGen1RelayState(payload).ok).toBe("boolean");
      }),
    );
  });
});

describe("Shelly Gen1 relays", () => {
  it("switches relay 0 with on then off on shellies/<id>/relay/0/command", () => {
    expect(gen1RelayCommand("shelly1-B929CC", 0, true)).toEqual({
      topic: "shellies/shelly1-B929CC/relay/0/command",
      payload: "on",
    });
    expect(gen1RelayCommand("shelly1-B929CC", 0, false).payload).toBe("off");
  });

  it("listens for state on shellies/<id>/relay/<ch>", () => {
    expect(gen1RelayStateTopic("shelly1-B929CC", 1)).toBe("shellies/shelly1-B929CC/relay/1");
  });

  it("reads on, off and overpower state payloads and names anything else", () => {
    expect(parseGen1RelayState("on")).toEqual({ ok: true, on: true, overpower: false });
    expect(parseGen1RelayState("off")).toEqual({ ok: true, on: false, overpower: false });
    expect(parseGen1RelayState("overpower")).toEqual({ ok: true, on: false, overpower: true });
    expect(parseGen1RelayState("ON")).toEqual({ ok: false, error: "bad_payload", found: "ON" });
  });

  it("reads on, off and toggle commands on the simulator side", () => {
    expect(parseGen1RelayCommand("toggle")).toEqual({ ok: true, action: "toggle" });
    expect(parseGen1RelayCommand("blink")).toMatchObject({ ok: false, error: "bad_payload" });
  });
});
