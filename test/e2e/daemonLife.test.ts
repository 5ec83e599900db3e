import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import type { StatusDocument } from "../../config/statusDocument.js";
import { FC_WRITE_SINGLE_COIL } from "../../drivers/codecs/modbusRtu.js";
import { accessgw, jsonLines, jsonOf } from "./accessgw.js";
import { importSite, it, SITE, stopCleanly, storedEvents } from "./daemon.js";

/** Presents Eve's card and waits until the daemon recorded its `n`th event; returns that event. */
async function scanned(reader: { present(card: string): boolean }, data: string, n: number) {
  reader.present("1234567");
  await vi.waitFor(() => expect(storedEvents(data)).toHaveLength(n), { timeout: 5000 });
  return storedEvents(data)[n - 1];
}

describe("the daemon while it runs", () => {
  it("decides the next scan with a site imported by another process while it runs", async ({
    folder: { dir, data },
    startWithReader,
  }) => {
    // First the pool's access type covers the gym only: Eve is refused at the pool.
    await importSite(dir, data);
    const gymOnly = join(dir, "gym-only.yaml");
    writeFileSync(
      gymOnly,
      SITE.replace("areas:\n  - id: pool\n", "areas:\n  - id: pool\n  - id: gym\n").replace(
        "areas: [pool]",
        "areas: [gym]",
      ),
    );
    expect((await accessgw(["import", gymOnly, "--data", data])).code).toBe(0);
    const { daemon, reader } = await startWithReader();
    expect(await scanned(reader, data, 1)).toMatchObject({ decision: "deny" });

    // The manager imports the site with the pool open again; the daemon keeps running.
    const r = await accessgw(["import", join(dir, "site.yaml"), "--data", data]);
    expect(r.code).toBe(0);
    expect(
      jsonOf(await accessgw(["explain", "--card", "1234567", "--area", "pool", "--json", "--data", data])),
    ).toMatchObject({ decision: "grant" });
    expect(await scanned(reader, data, 2)).toMatchObject({ decision: "grant", reason: "ok" });
    await stopCleanly(daemon);
  }, 60_000);
});

describe("reload (cli.md): SIGHUP and accessgw reload", () => {
  it("SIGHUP starts an added reader without disturbing the running one; a bad file via `accessgw reload` is refused (exit 2), stands in status (exit 3) and is cleared by the next good reload", async ({
    folder: { dir, data },
    startWithReader,
    lineReader,
  }) => {
    await importSite(dir, data);
    const { daemon, reader, readerServer, config } = await startWithReader();
    const side = await lineReader();
    const sideLine = `  - { id: pool-side, driver: serial-line, area: pool, direction: in, port: "${side.server.target}", format: decimal, debounceMs: 100 }`;
    const original = readFileSync(config, "utf8");
    const withSide = original.replace("readers:\n", `readers:\n${sideLine}\n`);
    writeFileSync(config, withSide);

    daemon.child.kill("SIGHUP");
    await daemon.logged(/"reader pool-side added \(new in the file\)"/);
    await vi.waitFor(() => expect(side.server.connected).toBe(true), { timeout: 5000 });
    // --data alone: `status --config` would refuse the broken file before asking the daemon.
    const status = async () => {
      const run = await accessgw(["status", "--data", data, "--json"]);
      return { code: run.code, status: (JSON.parse(run.stdout) as { status: StatusDocument }).status };
    };
    expect((await status()).status.readers.map((r) => r.id)).toEqual(["pool-side", "pool-in"]);
    expect(await scanned(side.reader, data, 1)).toMatchObject({ decision: "grant" });
    // Untouched: pool-in's link was never dropped.
    expect(readerServer.connected).toBe(true);
    expect(daemon.child.exitCode).toBeNull();

    writeFileSync(config, withSide.replace("direction: in,", "direction: in, door: nowhere,"));
    const refused = await accessgw(["reload", "--config", config, "--data", data]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/nowhere/);
    expect(refused.stderr).toMatch(
      /refused \(1 problem\); the daemon runs on with its previous configuration/,
    );
    const bad = await status();
    expect(bad.code).toBe(3);
    expect(bad.status.problems.join("\n")).toMatch(
      /reload refused, the previous configuration runs: .*nowhere/,
    );
    expect(await scanned(reader, data, 2)).toMatchObject({ decision: "grant" });

    writeFileSync(config, withSide);
    const good = await accessgw(["reload", "--config", config, "--data", data, "--json"]);
    expect(good.code).toBe(0);
    expect(jsonOf(good)).toMatchObject({ daemon: "reload", ok: true, changes: [], problems: [] });
    expect((await status()).code).toBe(0);

    const stderr = await stopCleanly(daemon);
    expect(stderr).toMatch(/"gateway stopped"/);
  }, 60_000);

  it("`accessgw reload` without a running daemon exits 4", async ({ folder: { dir, data } }) => {
    const config = join(dir, "gateway.yaml");
    writeFileSync(config, "readers: []\n");
    const run = await accessgw(["reload", "--config", config, "--data", data]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/the daemon is not running/);
  });
});

describe("status while the disk fails", () => {
  it("says RUNNING and names the status file that cannot be written (the daemon answers on its socket)", async ({
    folder: { dir, data },
    startWithReader,
  }) => {
    await importSite(dir, data);
    const { daemon, config } = await startWithReader();

    // status.json can no longer be replaced (a folder in its place: even root cannot rename over it).
    rmSync(join(data, "status.json"));
    mkdirSync(join(data, "status.json", "x"), { recursive: true });
    await daemon.logged(/"could not write the status file"/);

    const run = await accessgw(["status", "--config", config, "--data", data, "--json"]);
    // cli.md: running with a problem exits 3.
    expect(run.code).toBe(3);
    const reading = JSON.parse(run.stdout) as {
      running: boolean;
      status: { problems: string[]; pid: number };
    };
    expect(reading.running).toBe(true);
    expect(reading.status.pid).toBe(daemon.child.pid);
    expect(reading.status.problems).toContainEqual(
      expect.stringMatching(/^statusFileFailed: status\.json cannot be written since .* \(EISDIR/),
    );
    const text = await accessgw(["status", "--config", config, "--data", data]);
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/^RUNNING {2}gateway gw-e2e/);
    await stopCleanly(daemon);
  }, 60_000);
});

describe("a crash between the decision and the door pulse", () => {
  it("leaves the grant pending; the next start undoes it like a relay failure (refund, relayFailed)", async ({
    folder: { dir, data },
    daemon,
    startWithReader,
    serialServer,
  }) => {
    await importSite(dir, data);
    // A Modbus relay board that never answers: the pulse waits for its reply.
    const relayServer = await serialServer();
    const relay = { driver: "modbus-rtu" as const, target: relayServer.target };
    const { daemon: first, reader, config } = await startWithReader(relay);
    await vi.waitFor(() => expect(relayServer.connected).toBe(true), { timeout: 5000 });

    // R14: the grant is committed before the relay is asked; the daemon dies right when it asks.
    // Only the pulse's frame (write single coil, ON) kills it: the driver may write its coils OFF
    // when it connects, and that frame, arriving late, must not kill the daemon before the scan.
    let heard = Buffer.alloc(0);
    relayServer.onData((bytes) => {
      heard = Buffer.concat([heard, bytes]);
      for (let i = 0; i + 4 < heard.length; i++)
        if (heard[i + 1] === FC_WRITE_SINGLE_COIL && heard[i + 4] === 0xff) first.child.kill("SIGKILL");
    });
    reader.present("1234567");
    await first.exited;
    expect(first.child.signalCode).toBe("SIGKILL");
    expect(storedEvents(data)).toEqual([
      { decision: "grant", reason: "ok", pulse: "pending", relayFailed: false },
    ]);

    const second = daemon(["--config", config, "--data", data]);
    await second.logged(/"grant undone: the gateway stopped before its door pulse completed"/);
    await stopCleanly(second);

    expect(storedEvents(data)).toEqual([
      { decision: "grant", reason: "ok", pulse: "failed", relayFailed: true },
    ]);
    const events = jsonLines(await accessgw(["events", "--json", "--data", data]));
    expect(events).toEqual([expect.objectContaining({ decision: "grant", relayFailed: true })]);
    const balance = jsonOf<{ multipacks: { creditsRemaining: number }[] }>(
      await accessgw(["balance", "--card", "1234567", "--json", "--data", data]),
    );
    expect(balance.multipacks[0]?.creditsRemaining).toBe(10);
  }, 60_000);
});
