import { statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { describe, expect } from "vitest";
import type { GatewayStatus, StatusDocument } from "../../config/statusDocument.js";
import { toStatusDocument } from "../../config/statusDocument.js";
import { statusFilePath, writeStatusFile } from "../../gateway/statusFile.js";
import { askDaemon, currentStatus, StatusSocket, statusSocketPath } from "../../gateway/statusSocket.js";
import { test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";

const T0 = Date.parse("2026-11-25T10:00:00.000Z");

const gatewayStatus: GatewayStatus = {
  state: "running",
  doors: [],
  readers: [],
  relays: [],
  inputs: [],
  mqtt: null,
  sync: null,
  totals: { scans: 0, grants: 0, denies: 0, errors: 0, relayFailures: 0 },
  problems: [
    "statusFileFailed: status.json cannot be written since 2026-11-25T09:59:00.000Z (ENOSPC: no space left on device)",
  ],
};

function doc(state: StatusDocument["state"] = "running", now = T0): StatusDocument {
  return toStatusDocument(gatewayStatus, {
    gatewayId: "gw-1",
    pid: process.pid,
    state,
    startedAt: T0 - 60_000,
    now,
    config: "/etc/accessgw/gateway.yaml",
    dataDir: "/var/lib/accessgw",
    zone: "UTC",
  });
}

/** A status socket in `dir` answering with the status document, stopped after the test. */
const it = test.extend("listening", ({ defer }) => async (dir: string): Promise<StatusSocket> => {
  const socket = new StatusSocket({
    dataDir: dir,
    mode: 0o600,
    snapshot: () => doc(),
    logger: silentLogger(),
  });
  await socket.start();
  defer(() => socket.stop());
  return socket;
});

describe("the status socket: `accessgw status` asks the daemon directly", () => {
  it("answers with the status document, so status says running though no status file could be written", async ({
    folder: { dir },
    listening,
  }) => {
    await listening(dir);

    expect((statSync(statusSocketPath(dir)).mode & 0o777).toString(8)).toBe("600");
    expect(await askDaemon(dir)).toEqual(doc());
    expect(await currentStatus(dir)).toEqual({ running: true, reason: null, status: doc() });
  });

  it("is removed on stop; status then reads the status file", async ({ folder: { dir }, listening }) => {
    const socket = await listening(dir);
    await socket.stop();
    writeStatusFile(statusFilePath(dir), doc("stopped"));

    expect(await askDaemon(dir)).toBeNull();
    expect(await currentStatus(dir)).toMatchObject({
      running: false,
      reason: "stopped cleanly at 2026-11-25T10:00:00.000Z",
    });
  });

  it("replaces a socket left by a daemon that died", async ({ folder: { dir }, listening }) => {
    const stale: Server = createServer();
    await new Promise<void>((done) => stale.listen(statusSocketPath(dir), done));
    // A killed process leaves the file behind without anyone listening on it.
    await new Promise<void>((done) => stale.close(() => done()));
    expect(await askDaemon(dir)).toBeNull();

    await listening(dir);
    expect(await askDaemon(dir)).toEqual(doc());
  });

  it("judges a daemon that accepts but never answers by its status file (a hung daemon)", async ({
    folder: { dir },
    defer,
  }) => {
    const hung: Server = createServer(() => {});
    await new Promise<void>((done) => hung.listen(statusSocketPath(dir), done));
    defer(() => new Promise<void>((done) => hung.close(() => done())));
    writeStatusFile(statusFilePath(dir), doc("running", T0));

    expect(await askDaemon(dir, 100)).toBeNull();
    const reading = await currentStatus(dir, { now: () => T0 + 60_000, pidAlive: () => true });
    expect(reading).toMatchObject({
      running: false,
      reason: expect.stringMatching(/has not updated its status for 60 s \(hung\?\)/),
    });
  }, 10_000);
});
