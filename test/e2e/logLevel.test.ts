/**
 * §6 through the real binary: `accessgw start --log-level` overrides gateway.yaml's level, and
 * `accessgw log-level` changes the running daemon's level over its control socket, logged as a
 * staff action; `reset` puts the configured level back.
 */
import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { accessgw } from "./accessgw.js";
import { importSite, it, stopCleanly, writeConfig } from "./daemon.js";

/** The daemon's JSON log lines. */
function logEntries(stderr: string): Record<string, unknown>[] {
  return stderr
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("§6 log levels of a running daemon", () => {
  it("start --log-level warn hides decisions; log-level info --for 10m shows them, with the member's name; reset hides them again", async ({
    folder,
    daemon: spawn,
    lineReader,
  }) => {
    await importSite(folder.dir, folder.data);
    const { server, reader } = await lineReader();
    const config = join(folder.dir, "gateway.yaml");
    writeConfig(config, server.target, undefined, "log: { level: debug }\n");
    const daemon = spawn(["--config", config, "--data", folder.data, "--log-level", "warn"]);
    await vi.waitFor(() => expect(existsSync(join(folder.data, "control.sock"))).toBe(true), {
      timeout: 10_000,
    });
    await vi.waitFor(() => expect(server.connected).toBe(true), { timeout: 5000 });
    // gateway.yaml says debug, --log-level says warn: "gateway started" (info) is not written.
    expect(daemon.output.stderr).not.toContain('"gateway started"');
    const where = ["--config", config, "--data", folder.data];

    const raised = await accessgw(["log-level", "info", "--for", "10m", "--why", "e2e check", ...where]);
    expect(raised.stderr).toBe("");
    expect(raised.code).toBe(0);
    expect(raised.stdout).toMatch(/^log level info until \d{4}-\d\d-\d\dT[\d:.]+Z, then warn\n$/);
    await daemon.logged(/"log level changed by staff"/);
    const change = logEntries(daemon.output.stderr).find((l) => l.msg === "log level changed by staff");
    expect(change).toMatchObject({ who: userInfo().username, why: "e2e check", from: "warn", to: "info" });

    reader.present("1234567");
    await daemon.logged(/"scan granted"/);
    const granted = logEntries(daemon.output.stderr).find((l) => l.msg === "scan granted");
    expect(granted).toMatchObject({ memberName: "Eve", decision: "grant", reason: "ok", card: "…4567" });

    const reset = await accessgw(["log-level", "reset", "--json", ...where]);
    expect(reset.code).toBe(0);
    expect(JSON.parse(reset.stdout)).toMatchObject({
      ok: true,
      level: "warn",
      configured: "warn",
      until: null,
    });
    const bad = await accessgw(["log-level", "loud", ...where]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"loud" is not a level/);

    const stderr = await stopCleanly(daemon);
    // After reset, nothing at info: the stop is not logged.
    expect(stderr).not.toContain('"stopping"');
    const none = await accessgw(["log-level", "debug", ...where]);
    expect(none.code).toBe(4);
  });
});
