import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
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

describe("signals", () => {
  it("SIGHUP never stops the daemon: it logs that nothing changed, goes on deciding, and stops cleanly on SIGTERM", async ({
    folder: { dir, data },
    startWithReader,
  }) => {
    await importSite(dir, data);
    const { daemon, reader } = await startWithReader();

    daemon.child.kill("SIGHUP");
    await daemon.logged(/"SIGHUP: reloading the configuration comes in a later version; nothing changed/);
    daemon.child.kill("SIGHUP");
    expect(await scanned(reader, data, 1)).toMatchObject({ decision: "grant" });
    expect(daemon.child.exitCode).toBeNull();

    const stderr = await stopCleanly(daemon);
    expect(stderr.match(/"SIGHUP: reloading/g)).toHaveLength(2);
    expect(stderr).toMatch(/"gateway stopped"/);
  }, 60_000);
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
    relayServer.onData(() => first.child.kill("SIGKILL"));
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
