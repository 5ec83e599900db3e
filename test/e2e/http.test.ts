/**
 * §4 through the built binary: `start` with an `http:` section serves /readyz and /metrics while a
 * simulated reader and LCUS board work the door; a scan shows up in the scrape (parsed by a real
 * Prometheus text-format parser).
 */
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { httpGet, parseScrape, sampleValue } from "../helpers/httpGet.js";
import { accessgw } from "./accessgw.js";
import { importSite, it, stopCleanly, writeConfig } from "./daemon.js";

describe("start with http:", () => {
  it("serves /readyz and /metrics on the port it logs; a grant is counted with its relay pulse", async ({
    folder: { dir, data },
    serialServer,
    startWithReader,
  }) => {
    await importSite(dir, data);
    const relayServer = await serialServer();
    const board = new SimLcusBoard({ link: relayServer });
    board.start();
    const { daemon, reader } = await startWithReader(
      { driver: "lcus-serial", target: relayServer.target },
      'http: { listen: "127.0.0.1:0" }\n',
    );
    await daemon.logged(/"http: serving/);
    const serving = daemon.output.stderr.split("\n").find((l) => l.includes('"http: serving'));
    const { host, port } = JSON.parse(serving ?? "{}") as { host: string; port: number };
    expect(host).toBe("127.0.0.1");
    const url = `http://127.0.0.1:${port}`;
    await vi.waitFor(async () => expect((await httpGet(`${url}/readyz`)).status).toBe(200), {
      timeout: 5000,
    });

    expect(reader.present("1234567")).toBe(true);
    await vi.waitFor(
      async () => {
        const m = parseScrape((await httpGet(`${url}/metrics`)).body);
        expect(sampleValue(m, "accessgw_decisions_total", { decision: "grant", reason: "ok" })).toBe(1);
        expect(sampleValue(m, "accessgw_relay_pulses_total", { relay: "board-1" })).toBe(1);
        expect(m.get("accessgw_card_to_relay_seconds")?.metrics[0]?.count).toBe("1");
      },
      { timeout: 5000, interval: 50 },
    );
    await stopCleanly(daemon);
  });

  it("refuses to start (exit 2) when http.tls names a file it cannot read, before any door is touched", async ({
    folder: { dir, data },
  }) => {
    await importSite(dir, data);
    const config = join(dir, "gateway.yaml");
    writeConfig(config, "tcp://127.0.0.1:1", undefined, "http: { tls: { cert: gw.crt, key: gw.key } }\n");
    const run = await accessgw(["start", "--config", config, "--data", data]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${config}: http.tls.cert: cannot read ${join(dir, "gw.crt")} (ENOENT)`);
    expect(run.stderr).not.toMatch(/"gateway started"/);
  });

  it("check warns about a listen address other machines can reach, and accepts it", async ({
    folder: { dir },
  }) => {
    const config = join(dir, "gateway.yaml");
    writeConfig(config, "tcp://127.0.0.1:1", undefined, 'http: { listen: "0.0.0.0:9180" }\n');
    const run = await accessgw(["check", "--config", config]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("warning: ");
    expect(run.stderr).toContain("http.listen: 0.0.0.0 is reachable from other machines");
  });
});
