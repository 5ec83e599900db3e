/**
 * The offline policy on the command line: with `--config` naming a gateway that syncs, `explain`
 * and `scan` judge the cache by its last sync as the daemon does (sync.offline). A cache that never
 * synced is stale: `deny-paid` refuses a paid swim (`offline_stale`), `keep-deciding` grants it and
 * says so in the trace; an unlimited membership passes either way.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { it } from "../harness/index.js";
import { accessgw, importExamples, jsonOf } from "./accessgw.js";

function config(dir: string, after: "deny-paid" | "keep-deciding"): string {
  const file = join(dir, `gateway-${after}.yaml`);
  writeFileSync(
    file,
    [
      "gateway: { id: gw-e2e, site: rome-center, data: ./data }",
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
      `sync: { enabled: true, offline: { maxStaleHours: 72, after: ${after} } }`,
      "",
    ].join("\n"),
  );
  return file;
}

const at = ["--at", "2027-03-22T10:00"];

describe("explain and scan with a syncing gateway's --config", () => {
  it("deny a paid entry offline_stale under deny-paid, and let a free one in", async ({
    folder: { dir, data },
  }) => {
    await importExamples(data);
    const cfg = config(dir, "deny-paid");
    const swim = jsonOf(
      await accessgw(["scan", "--card", "1234567", "--area", "pool", ...at, "--config", cfg, "--json"]),
    );
    expect(swim).toMatchObject({ decision: "deny", reason: "offline_stale", creditsDeducted: 0 });
    const gym = jsonOf(
      await accessgw(["explain", "--card", "7654321", "--area", "gym", ...at, "--config", cfg, "--json"]),
    );
    expect(gym).toMatchObject({ decision: "grant", reason: "ok", creditsDeducted: 0 });
    const human = await accessgw(["explain", "--card", "1234567", "--area", "pool", ...at, "--config", cfg]);
    expect(human.stdout).toContain(
      "DENIED  offline_stale: offline too long: paid entries denied (sync.offline deny-paid)",
    );
  });

  it("decide as before under keep-deciding, saying so in the trace; without --config nothing changes", async ({
    folder: { dir, data },
  }) => {
    await importExamples(data);
    const cfg = config(dir, "keep-deciding");
    const d = jsonOf<{ decision: string; trace: { outcome: string; detail: string }[] }>(
      await accessgw(["explain", "--card", "1234567", "--area", "pool", ...at, "--config", cfg, "--json"]),
    );
    expect(d.decision).toBe("grant");
    expect(d.trace.find((r) => r.outcome === "chosen")?.detail).toContain(
      "the cache never synced with the central, decided anyway (keep-deciding)",
    );
    const plain = jsonOf<{ trace: { outcome: string; detail: string }[] }>(
      await accessgw(["explain", "--card", "1234567", "--area", "pool", ...at, "--data", data, "--json"]),
    );
    expect(plain.trace.find((r) => r.outcome === "chosen")?.detail).not.toContain("synced");
  });
});
