import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect } from "vitest";
import { it } from "../harness/index.js";

/** Runs `npm start`'s script without a terminal: the scripted tour, then exit. */
function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["dist/demo/demo.js"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm start: the live demo (daemon + simulator)", () => {
  it("runs the real gateway on the demo's simulated serial and MQTT devices and every door does what the rules say", async () => {
    const { code, stdout, stderr } = await runDemo();
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    // The simulator's devices and where the gateway finds them.
    expect(stdout).toMatch(/pool-in +serial-line-reader +tcp:\/\/127\.0\.0\.1:4001/);
    expect(stdout).toMatch(/studio-relay +shelly-gen2/);
    // issue 11: the console's address and its demo logins.
    expect(stdout).toMatch(
      /console +http:\/\/127\.0\.0\.1:\d+\/ — log in as desk \/ demo-desk \(desk\), tech \/ demo-tech \(technician\)/,
    );
    expect(stdout).toMatch(
      /editor +http:\/\/127\.0\.0\.1:\d+\/editor — log in as manager \/ demo-manager \(manager\)/,
    );
    // R4 peak price through the serial-line reader, the LCUS board pulsing relay 1 then off.
    expect(stdout).toContain("GRANTED  ok  Welcome Ada — 7/10 left");
    // The reader's reply may be logged between the relay's two edges (the same millisecond).
    expect(stdout).toMatch(/board-1 ch1 ON\n(?:.*\n)*?.*board-1 ch1 OFF \(held \d+ ms\)/);
    // R11 exit through the RDM6300 reader opens the turnstile's B side (relay 2).
    expect(stdout).toContain("GRANTED  exit");
    expect(stdout).toContain("board-1 ch2 ON");
    // MQTT: a Tasmota reader and relay, a JSON reader and a Shelly Gen2 relay.
    expect(stdout).toMatch(/gym-relay ch1 OFF \(held \d+ ms\)/);
    expect(stdout).toContain("GRANTED  booking  Welcome Bruno — booked 18:00–19:00");
    expect(stdout).toMatch(/studio-relay ch0 OFF/);
    expect(stdout).toContain("DENIED  card_blocked");
    expect(stdout).toContain("DENIED  unknown_card");
    // The gateway started empty and got the site and members from the reference central; an edit
    // of the central's members file reaches it live; every event reaches the central, once.
    expect(stdout).toMatch(/The gateway started empty and synced: config rev 1, members at rev \d+\./);
    expect(stdout).toMatch(/the central published revision \d+; the gateway had it \d+ ms after the save/);
    expect(stdout).toContain("DENIED  member_blocked  Locker fee unpaid — see reception");
    // D6: the site speaks Italian (Giulia); Ada and Bruno have their own locale, English.
    expect(stdout).toContain("GRANTED  ok  Ciao Giulia — restano 8/10");
    expect(stdout).toContain('pool-in reply "grant Ciao Giulia — restano 8/10"');
    expect(stdout).toContain('gym-in display "Welcome Bruno"');
    // D2: the pool turnstile confirms Ada's passage; Giulia turns away and gets her credits back.
    expect(stdout).toMatch(/passage seen: gw-rome-1:1 stands \(passed: true\)/);
    expect(stdout).toContain(
      "nobody passed within the door's timeout: grant undone, 2 credit(s) back (10/10 left) (passed: false)",
    );
    // D5, seed 003: reception chooses which of Federica's packs pays; the one that cannot is refused with why.
    expect(stdout).toContain("refused: wrong_area: not valid for this area");
    expect(stdout).toContain("recorded gw-rome-1:10: mp-federica-day paid 1, by reception");
    // D3: the fire panel releases every door; reception's emergency --off locks them again.
    expect(stdout).toContain("door pool-gate: emergency (fire: fire input fire-panel active)");
    expect(stdout).toMatch(/studio-relay ch0 ON[\s\S]*emergency --off[\s\S]*studio-relay ch0 OFF/);
    // Every event (decisions, commands, door modes) reached the central, once.
    expect(stdout).toMatch(/(\d+) of \1 events stored at the central, acked up to \1\n/);
    expect(stdout).toContain("Ada's pool pack: 7/10 at the gate, 7 left at the central");
    expect(stdout).toContain("Every door did what the rules say.");
    // Card numbers never appear in clear in the info-level logs.
    expect(stderr).toContain('"msg":"scan granted"');
    expect(stderr).not.toContain("4215834");
    const folder = /Demo data folder: (\S+) \(removed/.exec(stdout)?.[1];
    expect(folder).toBeDefined();
    expect(existsSync(folder as string)).toBe(false);
  }, 30_000);
});
