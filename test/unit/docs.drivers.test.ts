import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { checkGatewayConfig } from "../../config/gateway.js";

describe("docs/drivers.md", () => {
  it("describes what this release does, links pages that exist, and announces nothing as coming", () => {
    const text = readFileSync("docs/drivers.md", "utf8");
    expect(text).not.toMatch(/come next|coming soon|not yet (built|available)/i);
    const links = [...text.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)].map((m) => m[1] ?? "");
    expect(links).toEqual(expect.arrayContaining(["mqtt-drivers.md", "simulator.md"]));
    for (const link of links) expect(existsSync(`docs/${link}`), link).toBe(true);
  });

  it("every configuration snippet is valid: together they pass the gateway configuration checks", () => {
    const text = readFileSync("docs/drivers.md", "utf8");
    const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map(
      (m) => parse(m[1] ?? "") as Record<string, unknown[]>,
    );
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const merged: Record<string, unknown[]> = {};
    for (const b of blocks)
      for (const [section, items] of Object.entries(b))
        merged[section] = [...(merged[section] ?? []), ...items];
    const check = checkGatewayConfig("docs/drivers.md", stringify(merged));
    expect(check.problems).toEqual([]);
    expect(check.config?.readers.map((r) => r.driver).sort()).toEqual([
      "osdp",
      "osdp",
      "rdm6300",
      "serial-line",
    ]);
    expect(check.config?.relays.map((r) => r.driver).sort()).toEqual([
      "lcus-serial",
      "modbus-rtu",
      "osdp-output",
    ]);
  });
});
