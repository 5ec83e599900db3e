/**
 * doors.md D3 and D8 through the real binary: `accessgw start` reads a fire panel's contact over a
 * real Mosquitto (an mqtt-json input), releases two doors on the simulator's LCUS board, keeps them
 * released across a SIGKILL and a restart (the board never hears an OFF), and locks them again when
 * reception ends the emergency from the command line (D5).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { accessgw, jsonLines } from "./accessgw.js";
import { importSite, it, stopCleanly } from "./daemon.js";

/** Each channel's last state on the board (true = on). */
function levels(board: SimLcusBoard): Map<number, boolean> {
  const last = new Map<number, boolean>();
  for (const c of board.history) last.set(c.channel, c.on);
  return last;
}

describe("D3, D8: a fire release survives the daemon", () => {
  it("D3: the fire input releases both doors; after a SIGKILL and a restart they are still released (no OFF on the way); emergency --off locks them", async ({
    folder,
    broker,
    mqttClient,
    serialServer,
    daemon: spawn,
  }) => {
    await importSite(folder.dir, folder.data);
    const relayServer = await serialServer();
    const board = new SimLcusBoard({ link: relayServer });
    board.start();
    const config = join(folder.dir, "gateway.yaml");
    writeFileSync(
      config,
      [
        `mqtt: { url: "${broker.url}" }`,
        "inputs:",
        "  - { id: fire-panel, driver: mqtt-json, topic: site/fire, field: state, debounceMs: 0 }",
        "relays:",
        `  - { id: board-1, driver: lcus-serial, port: "${relayServer.target}", frameGapMs: 20 }`,
        "doors:",
        "  - { id: pool-gate, relay: board-1, channel: 1 }",
        "  - { id: spa-door, relay: board-1, channel: 2 }",
        "fireInputs:",
        "  - { input: fire-panel, doors: [pool-gate, spa-door] }",
        "",
      ].join("\n"),
    );
    const args = ["--config", config, "--data", folder.data];
    const panel = await mqttClient();
    await panel.publishAsync("site/fire", '{"state":0}', { retain: true });

    const first = spawn(args);
    await first.logged(/"gateway started"/);
    await vi.waitFor(() => expect(relayServer.connected).toBe(true), { timeout: 5000 });
    // The panel's contact closes: both doors are released and held.
    await panel.publishAsync("site/fire", '{"state":1}', { retain: true });
    await vi.waitFor(
      () => {
        expect(levels(board).get(1)).toBe(true);
        expect(levels(board).get(2)).toBe(true);
      },
      { timeout: 5000, interval: 10 },
    );

    first.child.kill("SIGKILL");
    await first.exited;
    expect(first.child.signalCode).toBe("SIGKILL");
    // The panel is reset while the gateway is down: with reset manual, the doors stay released.
    await panel.publishAsync("site/fire", '{"state":0}', { retain: true });
    const beforeRestart = board.history.length;

    const second = spawn(args);
    await second.logged(/"gateway started"/);
    await vi.waitFor(() => expect(second.output.stderr).toMatch(/"mqtt connected"/), { timeout: 5000 });
    // The relay link reopened into the stored mode: it is told its channels' resting states at once
    // (ON: the board, already on, records no change), never an OFF.
    await second.logged(/"relayId":"board-1".*"msg":"link open"/);
    await vi.waitFor(
      () => expect(second.output.stderr).toMatch(/"inputId":"fire-panel".*"input readable again"/),
      {
        timeout: 5000,
      },
    );
    expect(board.history.slice(beforeRestart).filter((c) => !c.on)).toEqual([]);
    expect(levels(board).get(1)).toBe(true);
    expect(levels(board).get(2)).toBe(true);

    // Reception ends the emergency: both doors lock.
    const off = await accessgw([
      "emergency",
      "--off",
      "--operator",
      "giulia",
      "--reason",
      "panel reset, all clear",
      ...args,
    ]);
    expect(off.code, off.stderr).toBe(0);
    // Until the command, the restarted gateway never switched a released door off.
    const sinceRestart = board.history.slice(beforeRestart);
    expect(sinceRestart.filter((c) => !c.on).length).toBeLessThanOrEqual(2);
    await vi.waitFor(
      () => {
        expect(levels(board).get(1)).toBe(false);
        expect(levels(board).get(2)).toBe(false);
      },
      { timeout: 5000, interval: 10 },
    );
    const doors = jsonLines(await accessgw(["events", "--kind", "door", "--json", "--data", folder.data]));
    expect(doors.map((e) => [e.door, e.mode, e.source])).toEqual([
      ["pool-gate", "emergency", "fire"],
      ["spa-door", "emergency", "fire"],
      ["pool-gate", "normal", "command"],
      ["spa-door", "normal", "command"],
    ]);
    expect(doors.at(-1)).toMatchObject({ operator: "giulia", reason: "panel reset, all clear" });
    await stopCleanly(second);
  }, 60_000);
});
