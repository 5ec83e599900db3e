/**
 * `accessgw central --chain FILE` as the real built binary on a real Mosquitto: two sites served from
 * one process (a ready line each, each site's config on its own topic, each store in DATA/<site>),
 * stopped with exit 0 on SIGTERM; a bad chain file, or single-site flags with --chain, refused with
 * exit 2 and the problem named.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { ConfigMessage } from "../../config/protocol/payloads.js";
import { it } from "../harness/index.js";
import { exampleText } from "../helpers/examples.js";
import { accessgw, launch } from "./accessgw.js";

describe("accessgw central --chain", () => {
  it("refuses single-site flags with --chain, naming each, with exit 2", async ({ writeFile }) => {
    const chain = writeFile(
      "chain.yaml",
      "members: m.yaml\nsites: [{ id: rome-center, siteConfig: s.yaml }]\n",
    );
    const r = await accessgw([
      "central",
      "--chain",
      chain,
      "--site",
      "rome-center",
      "--http",
      "9280",
      "--broker",
      "mqtt://127.0.0.1:1",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "accessgw central: --site cannot be used with --chain (the chain file names the sites)",
    );
    expect(r.stderr).toContain("accessgw central: --http cannot be used with --chain");
    expect(r.stdout).toBe("");
  });

  it("refuses a bad chain file and a site whose configuration has another id, with exit 2, connecting to nothing", async ({
    writeFile,
    folder: { data },
  }) => {
    const bad = writeFile("bad.yaml", "members: m.yaml\nsites: [{ id: rome-center }]\n");
    const r = await accessgw(["central", "--chain", bad, "--broker", "mqtt://127.0.0.1:1", "--data", data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: sites[0] (rome-center).siteConfig: missing (string expected)`);
    expect(r.stderr).toContain("1 problem found, the central did not start");

    writeFile("members.yaml", exampleText("members.yaml"));
    const site = writeFile("north.yaml", exampleText("site.yaml"));
    const chain = writeFile(
      "chain.yaml",
      "members: members.yaml\nsites: [{ id: rome-north, siteConfig: north.yaml }]\n",
    );
    const r2 = await accessgw([
      "central",
      "--chain",
      chain,
      "--broker",
      "mqtt://127.0.0.1:1",
      "--data",
      data,
    ]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(
      `${site}: site.id: "rome-center" is not the site this central serves ("rome-north"`,
    );
    expect(existsSync(data)).toBe(false);
  });

  it("serves two sites from one process, a ready line each, and exits 0 on SIGTERM", async ({
    writeFile,
    folder: { data },
    broker,
    watcher,
  }) => {
    const prefix = "e2e-chain/v1";
    writeFile("members.yaml", exampleText("members.yaml"));
    writeFile("rome.yaml", exampleText("site.yaml"));
    writeFile("north.yaml", exampleText("site.yaml").replace("id: rome-center", "id: rome-north"));
    const chain = writeFile(
      "chain.yaml",
      "members: members.yaml\nsites:\n  - { id: rome-center, siteConfig: rome.yaml }\n  - { id: rome-north, siteConfig: north.yaml }\n",
    );
    const run = launch([
      "central",
      "--chain",
      chain,
      "--broker",
      broker.url,
      "--data",
      data,
      "--topic-prefix",
      prefix,
      "--json",
      "--log-format",
      "json",
    ]);
    try {
      await vi.waitFor(() => expect(run.output.stdout.trim().split("\n")).toHaveLength(2), {
        timeout: 15_000,
        interval: 50,
      });
      const ready = run.output.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(ready).toMatchObject([
        {
          ready: true,
          siteId: "rome-center",
          configRev: 1,
          members: 4,
          topicPrefix: prefix,
          dataDir: join(data, "rome-center"),
        },
        {
          ready: true,
          siteId: "rome-north",
          configRev: 1,
          members: 4,
          topicPrefix: prefix,
          dataDir: join(data, "rome-north"),
        },
      ]);
      const configs = await watcher(`${prefix}/sites/+/config`, { qos: 1 });
      await vi.waitFor(() => expect(configs.seen).toHaveLength(2), { timeout: 10_000 });
      for (const site of ["rome-center", "rome-north"]) {
        const [config] = configs.on(`${prefix}/sites/${site}/config`);
        expect(ConfigMessage.parse(JSON.parse(config as string)).config.site.id).toBe(site);
      }
      expect(existsSync(join(data, "rome-center", "central.db"))).toBe(true);
      expect(existsSync(join(data, "rome-north", "central.db"))).toBe(true);
    } finally {
      run.child.kill("SIGTERM");
    }
    const done = await run.exited;
    expect(done.code).toBe(0);
    const stopped = done.stdout
      .trim()
      .split("\n")
      .slice(2)
      .map((l) => JSON.parse(l));
    expect(stopped).toMatchObject([
      { stopped: true, siteId: "rome-center", signal: "SIGTERM" },
      { stopped: true, siteId: "rome-north", signal: "SIGTERM" },
    ]);
  });
});
