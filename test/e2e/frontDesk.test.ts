/**
 * doors.md D5 through the real binary: `accessgw start` opens `<data>/control.sock` (0600) and
 * removes it on stop; `accessgw open` reaches the daemon through it, the door pulses, and the
 * command and its decision are recorded (a refusal too, with why). Each verb's own behaviour is in
 * test/integration/frontDesk.cli.test.ts (a daemon with a recording front desk).
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { accessgw, jsonLines } from "./accessgw.js";
import { importSite, it, stopCleanly } from "./daemon.js";

describe("D5: the front desk reaches the daemon of `accessgw start`", () => {
  it("through <data>/control.sock (0600) while it runs: open pulses the door, door holds and releases it, admit --free lets a member in, a refusal says why; exit 4 once it stopped", async ({
    folder,
    serialServer,
    startWithReader,
  }) => {
    await importSite(folder.dir, folder.data);
    const relayServer = await serialServer();
    const board = new SimLcusBoard({ link: relayServer });
    board.start();
    const { daemon, config } = await startWithReader({ driver: "lcus-serial", target: relayServer.target });
    await vi.waitFor(() => expect(relayServer.connected).toBe(true), { timeout: 5000 });
    const socket = join(folder.data, "control.sock");
    // Only the daemon's user (no gateway.dataGroup: 0600, in a 0700 folder).
    await vi.waitFor(() => expect((statSync(socket).mode & 0o777).toString(8)).toBe("600"), {
      timeout: 5000,
    });

    const staff = ["--operator", "anna", "--reason", "delivery"];
    const where = ["--config", config, "--data", folder.data];
    const open = await accessgw(["open", "--door", "pool-gate", ...staff, ...where]);
    expect(open.code, open.stderr).toBe(0);
    // The door pulsed once (relay 1 on, then off), for nobody, at no charge.
    await vi.waitFor(
      () =>
        expect(board.history.filter((c) => c.channel === 1).map((c) => c.on)).toEqual(
          expect.arrayContaining([true, false]),
        ),
      { timeout: 3000, interval: 20 },
    );
    // door: the gate held released, then back to normal (locked between grants).
    const unlocked = await accessgw([
      "door",
      "--door",
      "pool-gate",
      "--mode",
      "unlocked",
      ...staff,
      ...where,
    ]);
    expect(unlocked.code, unlocked.stderr).toBe(0);
    const ch1 = () => board.history.filter((c) => c.channel === 1).at(-1)?.on;
    await vi.waitFor(() => expect(ch1()).toBe(true), { timeout: 3000, interval: 20 });
    const normal = await accessgw(["door", "--door", "pool-gate", "--mode", "normal", ...staff, ...where]);
    expect(normal.code, normal.stderr).toBe(0);
    await vi.waitFor(() => expect(ch1()).toBe(false), { timeout: 3000, interval: 20 });
    // admit --free: Eve in at no charge, whatever the rules say (staff_override).
    const admit = await accessgw([
      "admit",
      "--card",
      "1234567",
      "--reader",
      "pool-in",
      "--free",
      ...staff,
      ...where,
    ]);
    expect(admit.code, admit.stderr).toBe(0);
    const refused = await accessgw(["open", "--door", "no-such-door", ...staff, ...where]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no-such-door/);

    const commands = jsonLines(
      await accessgw(["events", "--kind", "command", "--json", "--data", folder.data]),
    );
    expect(commands).toMatchObject([
      {
        kind: "command",
        verb: "open",
        args: { door: "pool-gate" },
        operator: "anna",
        reason: "delivery",
        origin: "local",
        ok: true,
      },
      { kind: "command", verb: "door", args: { door: "pool-gate", mode: "unlocked" }, ok: true },
      { kind: "command", verb: "door", args: { door: "pool-gate", mode: "normal" }, ok: true },
      { kind: "command", verb: "admit", args: { card: "1234567", reader: "pool-in", free: true }, ok: true },
      { kind: "command", verb: "open", args: { door: "no-such-door" }, ok: false },
    ]);
    const decisions = jsonLines(
      await accessgw(["events", "--kind", "decision", "--json", "--data", folder.data]),
    );
    expect(decisions).toMatchObject([
      {
        id: commands[0]?.eventId,
        decision: "grant",
        reason: "remote_open",
        memberId: null,
        creditsDeducted: 0,
        operator: "anna",
        staffReason: "delivery",
      },
      {
        id: commands[3]?.eventId,
        decision: "grant",
        reason: "staff_override",
        memberId: "m-e2e",
        creditsDeducted: 0,
        operator: "anna",
      },
    ]);

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
