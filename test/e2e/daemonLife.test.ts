import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { accessgw, inFolder, jsonLines, jsonOf } from "./accessgw.js";
import {
  deviceServer,
  importSite,
  lineReader,
  SITE,
  spawnDaemon,
  storedEvents,
  writeConfig,
} from "./daemon.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("the daemon while it runs", () => {
  it(
    "decides the next scan with a site imported by another process while it runs",
    inFolder(async ({ dir, data }) => {
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
      const { server, reader } = await lineReader(cleanups);
      const config = join(dir, "gateway.yaml");
      writeConfig(config, server.target);
      const daemon = spawnDaemon(["--config", config, "--data", data], cleanups);
      await daemon.logged(/"gateway started"/);
      await vi.waitFor(() => expect(server.connected).toBe(true), { timeout: 5000 });

      reader.present("1234567");
      await vi.waitFor(() => expect(storedEvents(data)).toHaveLength(1), { timeout: 5000 });
      expect(storedEvents(data)[0]).toMatchObject({ decision: "deny" });

      // The manager imports the site with the pool open again; the daemon keeps running.
      const r = await accessgw(["import", join(dir, "site.yaml"), "--data", data]);
      expect(r.code).toBe(0);
      expect(
        jsonOf(await accessgw(["explain", "--card", "1234567", "--area", "pool", "--json", "--data", data])),
      ).toMatchObject({ decision: "grant" });
      reader.present("1234567");
      await vi.waitFor(() => expect(storedEvents(data)).toHaveLength(2), { timeout: 5000 });
      expect(storedEvents(data)[1]).toMatchObject({ decision: "grant", reason: "ok" });

      daemon.child.kill("SIGTERM");
      expect((await daemon.exited).code).toBe(0);
    }),
    60_000,
  );
});

describe("signals", () => {
  it(
    "SIGHUP never stops the daemon: it logs that nothing changed, goes on deciding, and stops cleanly on SIGTERM",
    inFolder(async ({ dir, data }) => {
      await importSite(dir, data);
      const { server, reader } = await lineReader(cleanups);
      const config = join(dir, "gateway.yaml");
      writeConfig(config, server.target);
      const daemon = spawnDaemon(["--config", config, "--data", data], cleanups);
      await daemon.logged(/"gateway started"/);
      await vi.waitFor(() => expect(server.connected).toBe(true), { timeout: 5000 });

      daemon.child.kill("SIGHUP");
      await daemon.logged(/"SIGHUP: reloading the configuration comes in a later version; nothing changed/);
      daemon.child.kill("SIGHUP");
      reader.present("1234567");
      await vi.waitFor(() => expect(storedEvents(data)).toHaveLength(1), { timeout: 5000 });
      expect(storedEvents(data)[0]).toMatchObject({ decision: "grant" });
      expect(daemon.child.exitCode).toBeNull();

      daemon.child.kill("SIGTERM");
      const run = await daemon.exited;
      expect(run.code).toBe(0);
      expect(run.stderr.match(/"SIGHUP: reloading/g)).toHaveLength(2);
      expect(run.stderr).toMatch(/"gateway stopped"/);
    }),
    60_000,
  );
});

describe("status while the disk fails", () => {
  it(
    "says RUNNING and names the status file that cannot be written (the daemon answers on its socket)",
    inFolder(async ({ dir, data }) => {
      await importSite(dir, data);
      const { server } = await lineReader(cleanups);
      const config = join(dir, "gateway.yaml");
      writeConfig(config, server.target);
      const daemon = spawnDaemon(["--config", config, "--data", data], cleanups);
      await daemon.logged(/"gateway started"/);

      // status.json can no longer be replaced (a folder in its place: even root cannot rename over it).
      rmSync(join(data, "status.json"));
      mkdirSync(join(data, "status.json", "x"), { recursive: true });
      await daemon.logged(/"could not write the status file"/);

      const run = await accessgw(["status", "--config", config, "--data", data, "--json"]);
      const reading = jsonOf<{ running: boolean; status: { problems: string[]; pid: number } }>(run);
      expect(reading.running).toBe(true);
      expect(reading.status.pid).toBe(daemon.child.pid);
      expect(reading.status.problems).toContainEqual(
        expect.stringMatching(/^statusFileFailed: status\.json cannot be written since .* \(EISDIR/),
      );
      const text = await accessgw(["status", "--config", config, "--data", data]);
      expect(text.stdout).toMatch(/^RUNNING {2}gateway gw-e2e/);

      daemon.child.kill("SIGTERM");
      expect((await daemon.exited).code).toBe(0);
    }),
    60_000,
  );
});

describe("a crash between the decision and the door pulse", () => {
  it(
    "leaves the grant pending; the next start undoes it like a relay failure (refund, relayFailed)",
    inFolder(async ({ dir, data }) => {
      await importSite(dir, data);
      const { server: readerServer, reader } = await lineReader(cleanups);
      // A Modbus relay board that never answers: the pulse waits for its reply.
      const relayServer = await deviceServer(cleanups);
      const config = join(dir, "gateway.yaml");
      writeConfig(config, readerServer.target, { driver: "modbus-rtu", target: relayServer.target });
      const first = spawnDaemon(["--config", config, "--data", data], cleanups);
      await first.logged(/"gateway started"/);
      await vi.waitFor(
        () => {
          expect(readerServer.connected).toBe(true);
          expect(relayServer.connected).toBe(true);
        },
        { timeout: 5000 },
      );

      // R14: the grant is committed before the relay is asked; the daemon dies right when it asks.
      relayServer.onData(() => first.child.kill("SIGKILL"));
      reader.present("1234567");
      await first.exited;
      expect(first.child.signalCode).toBe("SIGKILL");
      expect(storedEvents(data)).toEqual([
        { decision: "grant", reason: "ok", pulse: "pending", relayFailed: false },
      ]);

      const second = spawnDaemon(["--config", config, "--data", data], cleanups);
      await second.logged(/"grant undone: the gateway stopped before its door pulse completed"/);
      second.child.kill("SIGTERM");
      expect((await second.exited).code).toBe(0);

      expect(storedEvents(data)).toEqual([
        { decision: "grant", reason: "ok", pulse: "failed", relayFailed: true },
      ]);
      const events = jsonLines(await accessgw(["events", "--json", "--data", data]));
      expect(events).toEqual([expect.objectContaining({ decision: "grant", relayFailed: true })]);
      const balance = jsonOf<{ multipacks: { creditsRemaining: number }[] }>(
        await accessgw(["balance", "--card", "1234567", "--json", "--data", data]),
      );
      expect(balance.multipacks[0]?.creditsRemaining).toBe(10);
    }),
    60_000,
  );
});
