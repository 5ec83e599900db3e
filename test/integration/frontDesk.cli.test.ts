/**
 * doors.md D5 on the command line: `open`, `admit`, `door`, `emergency` run in-process against a
 * running gateway (the in-process daemon with its control socket on the test's data folder) whose
 * FrontDeskActions is a recording fake; the real binary's path is in test/e2e/frontDesk.test.ts.
 */
import { existsSync } from "node:fs";
import { describe, expect } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import type { CommandEvent } from "../../config/protocol/events.js";
import { main } from "../../gateway/cli.js";
import { ControlSocket } from "../../gateway/frontDesk/controlSocket.js";
import { listAllEvents } from "../../gateway/store/events.js";
import { test } from "../harness/index.js";
import { type FrontDeskScript, recordingFrontDesk } from "../helpers/frontDesk.js";
import { silentLogger } from "../helpers/logs.js";

/** The worked example's data folder with a daemon running on it, its front desk a recording fake. */
const it = test.extend("desk", async ({ exampleStore, store, gateway, started }) => {
  const desk = recordingFrontDesk();
  const running = await gateway({
    config: GatewayConfig.parse({ gateway: { id: "gw-1" } }),
    store: exampleStore,
    frontDesk: desk.actions,
  });
  await started(
    new ControlSocket({
      dataDir: store.dir,
      mode: 0o660,
      handle: (request) => running.command(request, "local"),
      logger: silentLogger(),
    }),
  );
  /** Runs `accessgw ARGV --data <the folder>` in-process. */
  const run = async (...argv: string[]) => {
    let out = "";
    let err = "";
    const code = await main([...argv, "--data", store.dir], {
      out: (s) => {
        out += `${s}\n`;
      },
      err: (s) => {
        err += `${s}\n`;
      },
      env: {},
    });
    return { code, out, err };
  };
  const script = (s: FrontDeskScript) => Object.assign(desk.script, s);
  return {
    desk,
    run,
    script,
    events: () => listAllEvents(exampleStore, { kind: "command" }) as CommandEvent[],
  };
});

const STAFF = ["--operator", "anna", "--reason", "delivery at the side door"];

describe("D5: the front desk's verbs act on the running daemon", () => {
  it("open: pulses the door through the daemon and records who and why (exit 0)", async ({ desk }) => {
    const r = await desk.run("open", "--door", "pool-gate", "--direction", "out", ...STAFF);
    expect(r).toEqual({ code: 0, out: "open pool-gate (out): done (event gw-1:101)\n", err: "" });
    expect(desk.desk.calls).toEqual([
      {
        verb: "open",
        args: { door: "pool-gate", direction: "out" },
        staff: { operator: "anna", reason: "delivery at the side door" },
      },
    ]);
    expect(desk.events()).toMatchObject([
      { verb: "open", operator: "anna", reason: "delivery at the side door", origin: "local", ok: true },
    ]);
  });

  it("admit: with --multipack, the daemon's decision is printed", async ({ desk }) => {
    const r = await desk.run(
      "admit",
      "--card",
      "4215834",
      "--reader",
      "pool-in",
      "--multipack",
      "mp-1",
      ...STAFF,
    );
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      "admit card 4215834 at reader pool-in on mp-1: done — grant staff_override: Welcome (event gw-1:101)\n",
    );
    expect(desk.desk.calls[0]?.args).toEqual({ card: "4215834", reader: "pool-in", multipack: "mp-1" });
  });

  it("admit refused: prints why on stderr and exits 1; --json prints the result on stdout", async ({
    desk,
  }) => {
    desk.script({ refuse: { code: "no_credits", message: "mp-1 has no credits left", eventId: "gw-1:7" } });
    const r = await desk.run("admit", "--card", "4215834", "--area", "pool", "--free", ...STAFF);
    expect(r).toEqual({
      code: 1,
      out: "",
      err: "accessgw admit: admit card 4215834 at area pool free: refused: no_credits: mp-1 has no credits left (event gw-1:7)\n",
    });
    const json = await desk.run("admit", "--card", "4215834", "--area", "pool", ...STAFF, "--json");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({
      ok: false,
      error: "no_credits: mp-1 has no credits left",
      eventId: "gw-1:7",
    });
  });

  it("door: --until without an offset is wall time in the site's zone (Europe/Rome)", async ({ desk }) => {
    const r = await desk.run(
      "door",
      "--door",
      "pool-gate",
      "--mode",
      "unlocked",
      "--until",
      "2099-07-01T18:00",
      ...STAFF,
    );
    expect(r.code).toBe(0);
    expect(desk.desk.calls[0]?.args).toEqual({
      door: "pool-gate",
      mode: "unlocked",
      until: "2099-07-01T16:00:00.000Z",
    });
    expect(r.out).toBe("door pool-gate unlocked until 2099-07-01T16:00:00.000Z: done (event gw-1:201)\n");
  });

  it("emergency: --on with several doors, or every door when none is named", async ({ desk }) => {
    expect(
      (await desk.run("emergency", "--on", "--door", "pool-gate", "--door", "gym-door", ...STAFF)).code,
    ).toBe(0);
    expect((await desk.run("emergency", "--off", ...STAFF)).code).toBe(0);
    expect(desk.desk.calls.map((c) => c.args)).toEqual([
      { on: true, doors: ["pool-gate", "gym-door"] },
      { on: false },
    ]);
  });

  it.for<[string, string[], RegExp]>([
    ["no operator", ["open", "--door", "pool-gate", "--reason", "x"], /--operator NAME is required/],
    [
      "a blank reason",
      ["open", "--door", "pool-gate", "--operator", "anna", "--reason", " "],
      /--reason WHY is required/,
    ],
    ["no door", ["open", ...STAFF], /--door D is required/],
    ["two doors to open", ["open", "--door", "a", "--door", "b", ...STAFF], /--door given more than once/],
    ["a door id with a space", ["open", "--door", "pool gate", ...STAFF], /--door: expected an id/],
    [
      "reader and area",
      ["admit", "--card", "1", "--reader", "r", "--area", "a", ...STAFF],
      /either --reader ID or --area A/,
    ],
    [
      "multipack and free",
      ["admit", "--card", "1", "--area", "a", "--multipack", "m", "--free", ...STAFF],
      /not both/,
    ],
    [
      "the mode emergency",
      ["door", "--door", "d", "--mode", "emergency", ...STAFF],
      /emergency has its own verb/,
    ],
    [
      "a bad --until",
      ["door", "--door", "d", "--mode", "locked", "--until", "soon", ...STAFF],
      /--until "soon" is not a time: use HH:MM/,
    ],
    ["--on and --off", ["emergency", "--on", "--off", ...STAFF], /--on or --off, not both/],
    ["neither --on nor --off", ["emergency", ...STAFF], /give --on \(release\) or --off \(reset\)/],
  ])("refuses %s with exit 2, sending nothing", async ([_what, argv, message], { desk }) => {
    const r = await desk.run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(desk.desk.calls).toHaveLength(0);
  });
});

describe("D5: without a running daemon", () => {
  it("exits 4 and says the daemon is not running, creating nothing", async ({ folder }) => {
    let err = "";
    const code = await main(["open", "--door", "pool-gate", ...STAFF, "--data", folder.data], {
      out: () => {},
      err: (s) => {
        err += s;
      },
      env: {},
    });
    expect(code).toBe(4);
    expect(existsSync(folder.data)).toBe(false);
    expect(err).toMatch(
      /^accessgw open: the daemon is not running \(no .*control\.sock\); start it with accessgw start$/,
    );
  });
});
