import { connect, type Socket } from "node:net";
import { PassThrough } from "node:stream";
import { describe, expect, vi } from "vitest";
import { encodeLcus } from "../../drivers/codecs/lcus.js";
import { formatTime, SimConsole, type SimConsoleOptions } from "../../firmware-sim/console.js";
import { test } from "../harness/index.js";

const CONFIG = `devices:
  - { id: pool-in, kind: serial-line-reader, expose: { tcp: 0 }, lineEnding: CR }
  - { id: pool-out, kind: rdm6300, expose: { tcp: 0 } }
  - { id: board-1, kind: lcus-board, expose: { tcp: 0 }, channels: 2 }
`;

/** Terminal text without its cursor and erase sequences (ESC [ … letter). */
const withoutEscapes = (text: string) =>
  text.replaceAll(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, "g"), "");

/** 2026-12-14 07:01:02.345 UTC */
const T0 = Date.UTC(2026, 11, 14, 7, 1, 2, 345);

const it = test
  /** A client on a device's tcp:// port: what it received, as text. */
  .extend(
    "connectTo",
    ({ defer }) =>
      async (where: string): Promise<{ socket: Socket; received: () => string }> => {
        const socket = connect(Number(new URL(where).port), "127.0.0.1");
        let text = "";
        socket.setEncoding("latin1").on("data", (s: string) => {
          text += s;
        });
        await new Promise<void>((resolve) => socket.once("connect", resolve));
        defer(() => {
          socket.destroy();
        });
        return { socket, received: () => text };
      },
  )
  /** A simulator, a console on PassThrough streams, and everything the console printed so far. */
  .extend(
    "session",
    ({ simulator, defer }) =>
      async (clock: () => number, more: Partial<SimConsoleOptions> = {}) => {
        const sim = await simulator(CONFIG, { clock, random: () => 0 });
        const input = new PassThrough();
        const output = new PassThrough();
        let printed = "";
        output.setEncoding("utf8").on("data", (s: string) => {
          printed += s;
        });
        const prompt = new SimConsole({ sim, input, output, timeZone: "UTC", ...more });
        const done = prompt.run();
        defer(async () => {
          input.end();
          await done;
        });
        return { sim, input, done, printed: () => printed, type: (line: string) => input.write(`${line}\n`) };
      },
  );

describe("the simulator prompt", () => {
  it("§6: on a terminal a live line never lands in what is being typed: cleared, printed, prompt redrawn with it", async ({
    connectTo,
    session,
  }) => {
    const s = await session(() => T0, { terminal: true });
    const reader = await connectTo(s.sim.device("pool-in").where());
    const board = await connectTo(s.sim.device("board-1").where());
    await vi.waitFor(() => expect(s.sim.list().every((d) => d.id === "pool-out" || d.connected)).toBe(true));
    s.input.write("42158");
    await vi.waitFor(() => expect(withoutEscapes(s.printed())).toContain("sim> 42158"));
    const before = s.printed().length;
    board.socket.write(encodeLcus(1, true));
    // readline's cursor handling: to column 1, clear the line, then the live line on a line of its own.
    await vi.waitFor(() => expect(s.printed()).toContain("\x1b[1G\x1b[2K07:01:02.345  board-1 ch1 ON\n"));
    await vi.waitFor(() => expect(withoutEscapes(s.printed().slice(before))).toMatch(/ch1 ON\nsim> 42158/));
    // What was typed is still there: finishing the line presents the whole card.
    s.input.write("34\r");
    await vi.waitFor(() => expect(reader.received()).toBe("4215834\r"));
    expect(s.printed()).toContain("presented 4215834 at pool-in");
  });

  it("§6: --log-level warn hides the relay and reader lines, and the commands still answer", async ({
    connectTo,
    session,
  }) => {
    const s = await session(() => T0, { level: "warn" });
    const board = await connectTo(s.sim.device("board-1").where());
    board.socket.write(encodeLcus(1, true));
    await vi.waitFor(() => expect(s.sim.relayTable()[0]?.on).toBe(true));
    s.type("relays");
    await vi.waitFor(() => expect(s.printed()).toContain("board-1  ch1      ON"));
    expect(s.printed()).not.toContain("board-1 ch1 ON");
  });

  it("presents a typed card at the default reader, or at a named one, and `use` changes the default", async ({
    connectTo,
    session,
  }) => {
    const s = await session(() => T0);
    const poolIn = await connectTo(s.sim.device("pool-in").where());
    const poolOut = await connectTo(s.sim.device("pool-out").where());
    await vi.waitFor(() =>
      expect(
        s.sim
          .list()
          .slice(0, 2)
          .every((d) => d.connected),
      ).toBe(true),
    );
    s.type("4215834");
    s.type("present pool-in 7654321");
    await vi.waitFor(() => expect(poolIn.received()).toBe("4215834\r7654321\r"));
    s.type("use pool-out");
    s.type("9357203");
    s.type("008EC793");
    await vi.waitFor(() => expect(poolOut.received()).toHaveLength(28));
    expect(poolOut.received().slice(0, 14)).toBe(poolOut.received().slice(14));
    expect(s.printed()).toContain("presented 4215834 at pool-in");
    expect(s.printed()).toContain("default reader: pool-out");
    expect(s.printed()).toContain("presented 9357203 at pool-out");
  });

  it("prints a live line with the time for every relay change, and the relay table", async ({
    connectTo,
    session,
  }) => {
    let now = T0;
    const s = await session(() => now);
    const board = await connectTo(s.sim.device("board-1").where());
    board.socket.write(encodeLcus(1, true));
    await vi.waitFor(() => expect(s.printed()).toContain("07:01:02.345  board-1 ch1 ON\n"));
    now = T0 + 1002;
    board.socket.write(encodeLcus(1, false));
    await vi.waitFor(() => expect(s.printed()).toContain("07:01:03.347  board-1 ch1 OFF (held 1002 ms)\n"));
    s.type("relays");
    await vi.waitFor(() =>
      expect(s.printed()).toContain(
        [
          "relay    channel  state  last change",
          "board-1  ch1      off    07:01:03.347",
          "board-1  ch2      off    never switched",
        ].join("\n"),
      ),
    );
  });

  it("unplugs and replugs devices, lists them, injects garbage, and explains mistakes without stopping", async ({
    connectTo,
    session,
  }) => {
    const s = await session(() => T0);
    const poolIn = await connectTo(s.sim.device("pool-in").where());
    await vi.waitFor(() => expect(s.sim.list()[0]?.connected).toBe(true));
    s.type("garbage pool-in ff 00");
    s.type("garbage pool-in");
    await vi.waitFor(() => expect(poolIn.received()).toBe(`\xff\x00${"\x00".repeat(8)}`));
    s.type("unplug board-1");
    s.type("devices");
    s.type("replug board-1");
    s.type("fly away");
    s.type("cafe");
    s.type("present pool-out ada");
    s.type("hold pool-in 1");
    s.type("present");
    s.type("help");
    s.type("quit");
    await s.done;
    const out = s.printed();
    expect(out).toContain("sent ff 00 to pool-in");
    expect(out).toContain("board-1 unplugged");
    expect(out).toMatch(
      /pool-in\s+serial-line-reader\s+reader\s+tcp:\/\/127\.0\.0\.1:\d+\s+plugged\s+gateway connected/,
    );
    expect(out).toMatch(
      /board-1\s+lcus-board\s+relay\s+tcp:\/\/127\.0\.0\.1:\d+\s+UNPLUGGED\s+waiting for the gateway/,
    );
    expect(out).toContain("board-1 replugged");
    expect(out).toContain('! unknown command "fly" (type help)');
    expect(out).toContain('! unknown command "cafe" (type help)');
    expect(out).toContain('! pool-out: "ada" is not an EM4100 tag');
    expect(out).toContain(
      "! pool-in: a serial-line-reader prints a card once and cannot hold it; use present",
    );
    expect(out).toContain("! usage: present <reader> <card>");
    expect(out).toContain("hold <reader> <card>        keep a card in the field");
    expect(s.sim.list()[2]?.plugged).toBe(true);
  });

  it("holds a card at the RDM6300 until release", async ({ connectTo, session }) => {
    const s = await session(() => T0);
    const poolOut = await connectTo(s.sim.device("pool-out").where());
    await vi.waitFor(() => expect(s.sim.list()[1]?.connected).toBe(true));
    s.type("hold pool-out 9357203");
    // Frames keep coming every 100 ms while the card is held.
    await vi.waitFor(() => expect(poolOut.received().length).toBeGreaterThanOrEqual(3 * 14), {
      timeout: 3000,
    });
    s.type("release pool-out");
    await vi.waitFor(() => expect(s.printed()).toContain("released pool-out"));
    const frames = poolOut.received().length;
    expect(frames % 14).toBe(0);
    expect(s.printed()).toContain("holding 9357203 at pool-out (release pool-out to take it away)");
  });

  it("formats times in the given zone", () => {
    expect(formatTime(T0, "UTC")).toBe("07:01:02.345");
    expect(formatTime(T0, "Europe/Rome")).toBe("08:01:02.345");
  });

  it("D6: shows live what a reader displays: the gateway's reply line on the serial-line reader", async ({
    connectTo,
    session,
  }) => {
    const s = await session(() => T0);
    const poolIn = await connectTo(s.sim.device("pool-in").where());
    await vi.waitFor(() => expect(s.sim.device("pool-in").status().connected).toBe(true));
    // The gateway's side writes a reply line (serial-line `reply:`), cut in two mid-character.
    const bytes = Buffer.from("deny Piscina apre alle 08:00 — à\r\n", "utf8");
    poolIn.socket.write(bytes.subarray(0, bytes.length - 4));
    poolIn.socket.write(bytes.subarray(bytes.length - 4));
    await vi.waitFor(() =>
      expect(s.printed()).toContain(
        `${formatTime(T0, "UTC")}  pool-in reply "deny Piscina apre alle 08:00 — à"`,
      ),
    );
    expect(s.sim.device("pool-in").reader?.display?.texts).toEqual(["deny Piscina apre alle 08:00 — à"]);
  });
});
