import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { fakeNotifySocket } from "../helpers/notifySocket.js";
import { importSite, it, stopCleanly, writeConfig } from "./daemon.js";

/** Waits until the fake socket got a datagram matching `pattern`. */
function heard(sock: { received: string[] }, pattern: RegExp): Promise<void> {
  return vi.waitFor(() => expect(sock.received.some((m) => pattern.test(m))).toBe(true), {
    timeout: 10_000,
    interval: 20,
  });
}

describe("the daemon under systemd (Type=notify)", () => {
  it("says READY=1 with its STATUS= once the reader is open, pings WATCHDOG=1, RELOADING=1 then READY=1 on SIGHUP, and STOPPING=1 on SIGTERM", async ({
    folder: { dir, data },
    defer,
    daemon: spawn,
    lineReader,
  }) => {
    await importSite(dir, data);
    const sock = fakeNotifySocket(dir, defer);
    const { server } = await lineReader();
    const config = join(dir, "gateway.yaml");
    writeConfig(config, server.target);
    // A 400 ms watchdog: a ping every 200 ms.
    const env = { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: "400000", WATCHDOG_PID: undefined };
    const daemon = spawn(["--config", config, "--data", data], { env });

    await heard(sock, /^READY=1\n/);
    const ready = sock.received.find((m) => m.startsWith("READY=1"));
    expect(ready).toBe("READY=1\nSTATUS=1 of 1 reader and 0 of 0 relays connected, 0 problems");
    expect(server.connected).toBe(true);
    const pings = () => sock.received.filter((m) => m === "WATCHDOG=1").length;
    await vi.waitFor(() => expect(pings()).toBeGreaterThanOrEqual(2), { timeout: 5000, interval: 20 });

    // The reader goes away: the line says so.
    await server.stop();
    await heard(sock, /^STATUS=0 of 1 reader and 0 of 0 relays connected, 1 problem$/);

    // systemctl reload (SIGHUP): RELOADING=1 with its monotonic time, then READY=1 when it is done.
    daemon.child.kill("SIGHUP");
    await heard(sock, /^RELOADING=1\nMONOTONIC_USEC=\d+$/);
    await vi.waitFor(
      () => {
        const said = sock.received.filter((m) => !m.startsWith("WATCHDOG") && !m.startsWith("STATUS="));
        const reloading = said.findIndex((m) => m.startsWith("RELOADING=1"));
        expect(said.slice(reloading + 1).some((m) => m.startsWith("READY=1"))).toBe(true);
      },
      { timeout: 10_000, interval: 20 },
    );

    await stopCleanly(daemon);
    expect(sock.received.filter((m) => !m.startsWith("WATCHDOG")).at(-1)).toBe("STOPPING=1");
  }, 60_000);

  it("runs on with one warning when NOTIFY_SOCKET cannot be reached", async ({
    folder: { dir, data },
    daemon: spawn,
    lineReader,
  }) => {
    await importSite(dir, data);
    const { server } = await lineReader();
    const config = join(dir, "gateway.yaml");
    writeConfig(config, server.target);
    const env = { NOTIFY_SOCKET: join(dir, "nobody.sock"), WATCHDOG_USEC: "200000", WATCHDOG_PID: undefined };
    const daemon = spawn(["--config", config, "--data", data], { env });
    await daemon.logged(/"gateway started"/);
    await daemon.logged(/cannot reach NOTIFY_SOCKET/);
    const stderr = await stopCleanly(daemon);
    expect(stderr.match(/cannot reach NOTIFY_SOCKET/g)).toHaveLength(1);
  }, 60_000);
});
