/**
 * doors.md D5 through the real binary: `accessgw start` opens `<data>/control.sock` (0600) and
 * removes it on stop; `accessgw open` reaches the daemon through it, and its answer (here the
 * daemon's refusal: until the door logic is plugged into `start`, it runs no front desk) is printed
 * and recorded as a command event. Each verb's own behaviour is in
 * test/integration/frontDesk.cli.test.ts (a daemon with a recording front desk).
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { accessgw } from "./accessgw.js";
import { importSite, it, stopCleanly } from "./daemon.js";

describe("D5: the front desk reaches the daemon of `accessgw start`", () => {
  it("through <data>/control.sock (0600) while it runs; exit 4 once it stopped", async ({
    folder,
    startWithReader,
  }) => {
    await importSite(folder.dir, folder.data);
    const { daemon, config } = await startWithReader();
    const socket = join(folder.data, "control.sock");
    // Only the daemon's user (no gateway.dataGroup: 0600, in a 0700 folder).
    expect((statSync(socket).mode & 0o777).toString(8)).toBe("600");

    const staff = ["--operator", "anna", "--reason", "delivery"];
    const open = await accessgw([
      "open",
      "--door",
      "pool-gate",
      ...staff,
      "--config",
      config,
      "--data",
      folder.data,
    ]);
    expect(open.code).toBe(1);
    expect(open.stderr).toBe(
      "accessgw open: open pool-gate: refused: unavailable: this gateway runs no front desk\n",
    );
    const events = await accessgw(["events", "--kind", "command", "--json", "--data", folder.data]);
    expect(JSON.parse(events.stdout)).toMatchObject({
      kind: "command",
      verb: "open",
      args: { door: "pool-gate" },
      operator: "anna",
      reason: "delivery",
      origin: "local",
      ok: false,
    });

    await stopCleanly(daemon);
    expect(existsSync(socket)).toBe(false);
    const after = await accessgw(["open", "--door", "pool-gate", ...staff, "--data", folder.data]);
    expect(after.code).toBe(4);
    expect(after.stderr).toMatch(/the daemon is not running/);
  });

  // Switching to another user needs root (CI runs the suite as root).
  it.runIf(process.getuid?.() === 0)(
    "refuses somebody who is neither the daemon's user nor in its group: permission denied, not 'not running'",
    async ({ folder, startWithReader }) => {
      await importSite(folder.dir, folder.data);
      const { daemon } = await startWithReader();
      const staff = ["--operator", "eve", "--reason", "curious"];
      const stranger = await accessgw(["open", "--door", "pool-gate", ...staff, "--data", folder.data], {
        uid: 65534,
        gid: 65534,
      });
      expect(stranger.code).toBe(1);
      expect(stranger.stderr).toMatch(
        /control\.sock: permission denied \(only the daemon's user and the members of gateway\.dataGroup/,
      );
      await stopCleanly(daemon);
    },
  );
});
