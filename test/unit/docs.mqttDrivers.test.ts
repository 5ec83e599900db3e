import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { checkGatewayConfig } from "../../config/gateway.js";

const text = readFileSync("docs/mqtt-drivers.md", "utf8");
const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map(
  (m) => parse(m[1] ?? "") as Record<string, unknown>,
);

/** All snippets as one document: list sections are concatenated, the mqtt section is taken as is. */
function merged(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const block of blocks)
    for (const [section, value] of Object.entries(block)) {
      if (Array.isArray(value)) out[section] = [...((out[section] as unknown[] | undefined) ?? []), ...value];
      else {
        expect(out[section], `section ${section} appears in two snippets`).toBeUndefined();
        out[section] = value;
      }
    }
  return out;
}

describe("docs/mqtt-drivers.md", () => {
  it("has a snippet for the broker and for every MQTT reader and relay driver", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    for (const block of blocks)
      expect(Object.keys(block).every((k) => ["mqtt", "readers", "doors", "relays"].includes(k))).toBe(true);
  });

  it("every configuration snippet is valid: together they pass the gateway configuration checks", () => {
    const check = checkGatewayConfig("docs/mqtt-drivers.md", stringify(merged()));
    expect(check.problems).toEqual([]);
    expect(check.config?.mqtt?.url).toMatch(/^mqtts:\/\//);
    expect(check.config?.readers.map((r) => r.driver).sort()).toEqual([
      "mqtt-esp-rfid",
      "mqtt-json",
      "mqtt-tasmota",
      "mqtt-tasmota",
      "mqtt-text",
    ]);
    expect(check.config?.relays.map((r) => r.driver).sort()).toEqual([
      "mqtt-shelly-gen1",
      "mqtt-shelly-gen2",
      "mqtt-tasmota",
    ]);
  });

  it("a reader or relay snippet without the mqtt section is reported as needing one", () => {
    const { mqtt: _dropped, ...rest } = merged();
    const check = checkGatewayConfig("docs/mqtt-drivers.md", stringify(rest));
    expect(check.config).toBeNull();
    expect(check.problems.filter((p) => p.includes("needs an mqtt section"))).toHaveLength(8);
  });
});
