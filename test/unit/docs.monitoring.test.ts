/**
 * docs/monitoring.md against the code: every accessgw_* metric the gateway serves is documented
 * with its type and labels and nothing else is; the configuration example is a valid http:
 * section; the README's operator section points to the page.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkGatewayConfig } from "../../config/gateway.js";
import { GatewayMetrics } from "../../gateway/http/metrics.js";

import { IDLE_STATUS } from "../helpers/monitored.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const page = readFileSync(`${ROOT}docs/monitoring.md`, "utf8");

const idle = IDLE_STATUS;

/** The documented table's rows: metric → its type and labels. */
function documented(): Map<string, { type: string; labels: string[] }> {
  const rows = [...page.matchAll(/^\| `(accessgw_\w+)` +\| (\w+) +\| ([^|]*)\|/gm)];
  return new Map(
    rows.map((m) => [
      m[1] as string,
      { type: m[2] as string, labels: [...(m[3] as string).matchAll(/`(\w+)`/g)].map((l) => l[1] as string) },
    ]),
  );
}

describe("docs/monitoring.md", () => {
  it("documents every accessgw_* metric with its type and labels, and no other", async () => {
    const metrics = new GatewayMetrics({
      status: () => idle,
      outboxDepth: () => 0,
      storeFiles: () => [],
      clock: () => 0,
    });
    const served = (await metrics.registry.getMetricsAsJSON())
      .filter((m) => m.name.startsWith("accessgw_"))
      .map((m) => [m.name, { type: String(m.type), labels: labelNames(metrics, m.name) }] as const);
    const docs = documented();
    expect([...docs.keys()].sort()).toEqual(served.map(([name]) => name).sort());
    for (const [name, { type, labels }] of served) expect(docs.get(name), name).toEqual({ type, labels });
  });

  it("shows an http: section that check accepts, with its TLS files next to gateway.yaml", () => {
    const yaml = /```yaml\n(http:[\s\S]*?)```/.exec(page)?.[1] ?? "";
    const readers =
      "readers:\n  - { id: r, driver: serial-line, port: tcp://127.0.0.1:1, area: pool, direction: in }\n";
    const { config, problems, warnings } = checkGatewayConfig(
      "/etc/accessgw/gateway.yaml",
      `${readers}${yaml}`,
    );
    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
    expect(config?.http).toEqual({
      listen: "127.0.0.1:9180",
      tls: { cert: "/etc/accessgw/tls/gateway.crt", key: "/etc/accessgw/tls/gateway.key" },
    });
  });

  it("is where the README's operator section sends a reader for monitoring", () => {
    const readme = readFileSync(`${ROOT}README.md`, "utf8");
    const section = readme.slice(
      readme.indexOf("\n### Monitor\n"),
      readme.indexOf("\n### Back up and restore\n"),
    );
    expect(section).toContain("[`docs/monitoring.md`](docs/monitoring.md)");
    for (const path of ["/metrics", "/healthz", "/readyz"]) expect(section).toContain(`GET ${path}`);
  });
});

/** The label names a metric was declared with (prom-client keeps them on the metric). */
function labelNames(metrics: GatewayMetrics, name: string): string[] {
  const metric = metrics.registry.getSingleMetric(name) as unknown as { labelNames: string[] };
  return [...metric.labelNames];
}
