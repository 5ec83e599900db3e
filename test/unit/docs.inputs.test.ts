import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { checkGatewayConfig } from "../../config/gateway.js";

describe("docs/doors.md: inputs", () => {
  it("D1: the inputs snippet is a valid configuration with one input of every driver", () => {
    const text = readFileSync("docs/doors.md", "utf8");
    const section = text.slice(text.indexOf("## Inputs"), text.indexOf("## A scan at the door"));
    const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1] ?? "") as object);
    expect(blocks).toHaveLength(1);
    const check = checkGatewayConfig(
      "docs/doors.md",
      stringify({ ...blocks[0], mqtt: { url: "mqtt://127.0.0.1" } }),
    );
    expect(check.problems).toEqual([]);
    expect(new Set(check.config?.inputs.map((i) => i.driver))).toEqual(
      new Set(["mqtt-json", "mqtt-tasmota", "mqtt-shelly-gen2", "mqtt-shelly-gen1", "modbus-rtu"]),
    );
    expect(check.config?.inputs[0]).toMatchObject({
      active: [1, true, "1", "ON", "on", "open"],
      debounceMs: 50,
    });
  });
});
