import { describe, expect, it } from "vitest";
import { DEFAULT_ACTIVE_VALUES } from "../../config/inputs.js";
import {
  gen2InputGetStatus,
  parseJsonInput,
  parseShellyGen1Input,
  parseShellyGen2Input,
  parseTasmotaSwitch,
} from "../../drivers/codecs/inputPayloads.js";

const on = { kind: "level", active: true };
const off = { kind: "level", active: false };
const ignored = { kind: "ignored" };

describe("D1: mqtt-json input payloads", () => {
  it.each([
    ['{"state":1}', on],
    ['{"state":true}', on],
    ['{"state":"1"}', on],
    ['{"state":"ON"}', on],
    ['{"state":"on"}', on],
    ['{"state":"open"}', on],
    ['{"state":0}', off],
    ['{"state":false}', off],
    ['{"state":"closed"}', off],
    ['{"state":"OFF"}', off],
  ])("D1: %s reads as the default active values say", (payload, expected) => {
    expect(parseJsonInput(payload, "state", DEFAULT_ACTIVE_VALUES)).toEqual(expected);
  });

  it("D1: follows a dotted field path and the configured active values, strictly typed", () => {
    expect(parseJsonInput('{"io":{"pass":"GO"}}', "io.pass", ["GO"])).toEqual(on);
    expect(parseJsonInput('{"io":{"pass":"go"}}', "io.pass", ["GO"])).toEqual(off);
    expect(parseJsonInput('{"v":"1"}', "v", [1])).toEqual(off);
  });

  it.each([
    ["not json", "bad_json", "payload is not valid JSON"],
    ['{"other":1}', "bad_format", 'field "state" is missing'],
    ['{"state":null}', "bad_format", 'field "state" must be a number, boolean or string, found null'],
    ['{"state":{"x":1}}', "bad_format", 'field "state" must be a number, boolean or string, found object'],
    ["[1]", "bad_format", 'field "state" is missing'],
  ])("D1: rejects %s, saying why", (payload, code, error) => {
    expect(parseJsonInput(payload, "state", DEFAULT_ACTIVE_VALUES)).toEqual({ kind: "error", code, error });
  });

  it("D1: rejects bytes that are not UTF-8 text", () => {
    expect(parseJsonInput(Uint8Array.of(0xff, 0xfe), "state", [1])).toMatchObject({ code: "bad_json" });
  });
});

describe("D1: Tasmota switch payloads", () => {
  it.each([
    ['{"Switch1":"ON"}', "Switch1", on],
    ['{"Switch1":"OFF"}', "Switch1", off],
    ['{"Switch2":{"Action":"ON"}}', "Switch2", on],
    ['{"Switch2":{"Action":"OFF"}}', "Switch2", off],
    ['{"Time":"2026-01-05T07:00:00","Switch1":"ON","ANALOG":{"A0":12}}', "Switch1", on],
    ['{"StatusSNS":{"Time":"2026-01-05T07:00:00","Switch1":"OFF"}}', "Switch1", off],
    ['{"Door":"ON"}', "Door", on],
    ['{"POWER1":"ON"}', "Switch1", ignored],
    ['{"Switch1":"ON"}', "Switch2", ignored],
    ['{"Switch1":{"Action":"TOGGLE"}}', "Switch1", ignored],
    ['{"Switch1":"HOLD"}', "Switch1", ignored],
  ])("D1: %s for %s", (payload, key, expected) => {
    expect(parseTasmotaSwitch(payload, key)).toEqual(expected);
  });

  it.each([
    ['{"Switch1":"MAYBE"}', 'must be "ON" or "OFF", found "MAYBE"'],
    ['{"Switch1":[1]}', '"Switch1" must be "ON" or "OFF"'],
    ["[]", "expected a JSON object"],
  ])("D1: rejects %s", (payload, error) => {
    const r = parseTasmotaSwitch(payload, "Switch1");
    expect(r.kind).toBe("error");
    expect(r.kind === "error" && r.error).toContain(error);
  });
});

describe("D1: Shelly Gen2 input payloads", () => {
  const status = (params: object) =>
    JSON.stringify({ src: "i4", dst: "i4/events", method: "NotifyStatus", params });
  const event = (events: object[]) =>
    JSON.stringify({ src: "i4", method: "NotifyEvent", params: { ts: 1, events } });

  it.each([
    [status({ ts: 1, "input:0": { id: 0, state: true } }), on],
    [status({ ts: 1, "input:0": { id: 0, state: false } }), off],
    [status({ ts: 1, "input:1": { id: 1, state: true } }), ignored],
    [status({ ts: 1, "input:0": { id: 0, state: null } }), ignored],
    [event([{ component: "input:0", id: 0, event: "btn_down", ts: 1 }]), on],
    [
      event([
        { component: "input:0", id: 0, event: "btn_down" },
        { component: "input:0", id: 0, event: "btn_up" },
      ]),
      off,
    ],
    [event([{ component: "input:0", id: 0, event: "single_push" }]), ignored],
    ['{"id":0,"state":true}', on],
    ['{"id":2,"state":true}', ignored],
  ])("D1: %s", (payload, expected) => {
    expect(parseShellyGen2Input(payload, 0)).toEqual(expected);
  });

  it("D1: reads the answer to its Input.GetStatus by request id", () => {
    const req = gen2InputGetStatus("i4", 7, "gw-inputs", 0);
    expect(req).toEqual({
      topic: "i4/rpc",
      payload: '{"id":7,"src":"gw-inputs","method":"Input.GetStatus","params":{"id":0}}',
    });
    expect(
      parseShellyGen2Input('{"id":7,"src":"i4","dst":"gw-inputs","result":{"id":0,"state":true}}', 0, 7),
    ).toEqual(on);
    expect(
      parseShellyGen2Input('{"id":7,"src":"i4","error":{"code":404,"message":"no input"}}', 0, 7),
    ).toMatchObject({
      kind: "error",
      error: "Input.GetStatus failed: no input",
    });
  });

  it("D1: rejects a NotifyStatus without params", () => {
    expect(parseShellyGen2Input('{"method":"NotifyStatus"}', 0)).toMatchObject({
      kind: "error",
      code: "bad_format",
    });
    expect(parseShellyGen2Input(status({ "input:0": { id: 0, state: "yes" } }), 0)).toMatchObject({
      kind: "error",
    });
  });
});

describe("D1: Shelly Gen1 input payloads", () => {
  it("D1: 1 is active, 0 inactive, anything else a reject", () => {
    expect(parseShellyGen1Input("1")).toEqual(on);
    expect(parseShellyGen1Input("0")).toEqual(off);
    expect(parseShellyGen1Input("on")).toEqual({
      kind: "error",
      code: "bad_format",
      error: 'expected "0" or "1", found "on"',
    });
  });
});
