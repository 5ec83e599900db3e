import { existsSync, statSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { describe, expect } from "vitest";
import { CommandService } from "../../gateway/frontDesk/commandService.js";
import { sendCommand, sendDaemonRequest } from "../../gateway/frontDesk/controlClient.js";
import {
  ControlSocket,
  controlSocketPath,
  MAX_REQUEST_BYTES,
} from "../../gateway/frontDesk/controlSocket.js";
import { test } from "../harness/index.js";
import { recordingFrontDesk } from "../helpers/frontDesk.js";
import { memoryLogger, silentLogger } from "../helpers/logs.js";

/** A control socket on the test's data folder, carrying commands to a recording front desk. */
const it = test.extend("control", async ({ store, started }) => {
  const desk = recordingFrontDesk();
  const log = memoryLogger();
  const service = new CommandService({
    store: store.store,
    gatewayId: "gw-1",
    clock: Date.now,
    actions: desk.actions,
    logger: silentLogger(),
    recorded: () => {},
  });
  const socket = await started(
    new ControlSocket({
      dataDir: store.dir,
      mode: 0o660,
      handle: (request) => service.handle(request, "local"),
      logger: log.logger,
    }),
  );
  return { desk, socket, log, dir: store.dir };
});

const command = (id: string) => ({
  id,
  at: new Date().toISOString(),
  verb: "door",
  args: { door: "pool-gate", mode: "locked" },
  operator: "marco",
  reason: "pool closed for cleaning",
});

/** A raw client: writes text, reads answer lines. */
function client(dir: string): {
  socket: Socket;
  lines: (n: number) => Promise<unknown[]>;
  closed: Promise<void>;
} {
  const socket = connect(controlSocketPath(dir));
  socket.setEncoding("utf8");
  let text = "";
  const waiting: (() => void)[] = [];
  socket.on("data", (chunk: string) => {
    text += chunk;
    for (const w of waiting.splice(0)) w();
  });
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  const lines = async (n: number): Promise<unknown[]> => {
    while (text.split("\n").length - 1 < n) await new Promise<void>((resolve) => waiting.push(resolve));
    return text
      .split("\n")
      .slice(0, n)
      .map((l) => JSON.parse(l) as unknown);
  };
  return { socket, lines, closed };
}

describe("D5: the control socket <data>/control.sock", () => {
  it("is a socket with the mode it is given (0660 with gateway.dataGroup), removed on stop", async ({
    control,
  }) => {
    const path = controlSocketPath(control.dir);
    expect(statSync(path).isSocket()).toBe(true);
    expect((statSync(path).mode & 0o777).toString(8)).toBe("660");
    await control.socket.stop();
    expect(existsSync(path)).toBe(false);
  });

  it("answers each request line with one line, in order, on one connection", async ({ control }) => {
    const c = client(control.dir);
    c.socket.write(`${JSON.stringify(command("c-1"))}\n${JSON.stringify(command("c-2"))}\n`);
    const answers = await c.lines(2);
    expect(answers).toMatchObject([
      { id: "c-1", ok: true, error: null, doorEventIds: ["gw-1:201"] },
      { id: "c-2", ok: true, error: null, doorEventIds: ["gw-1:202"] },
    ]);
    expect(control.desk.calls.map((call) => call.verb)).toEqual(["door", "door"]);
    c.socket.end();
  });

  it("answers a line that is not JSON or not a command with why, counts it and keeps listening", async ({
    control,
  }) => {
    const c = client(control.dir);
    c.socket.write(`{"id": "c-1", "verb": \n{"id":"c-2","verb":"door"}\n${JSON.stringify(command("c-3"))}\n`);
    const [notJson, notCommand, fine] = (await c.lines(3)) as { ok: boolean; error: string | null }[];
    expect(notJson).toMatchObject({ id: null, ok: false });
    expect(notJson?.error).toMatch(/^invalid: the request is not JSON \(/);
    expect(notCommand).toMatchObject({ id: "c-2", ok: false });
    expect(notCommand?.error).toMatch(/^invalid: at: .*operator: .*reason: /);
    expect(fine).toMatchObject({ id: "c-3", ok: true });
    expect(control.socket.counters()).toEqual({ requests: 3, badRequests: 2 });
    expect(control.log.at("warn").map((l) => l.msg)).toEqual([
      "control socket: a request line that is not JSON",
    ]);
    c.socket.end();
  });

  it("refuses a request line that never ends, and closes that connection", async ({ control }) => {
    const c = client(control.dir);
    c.socket.write("x".repeat(MAX_REQUEST_BYTES + 10));
    const [answer] = (await c.lines(1)) as { error: string }[];
    expect(answer?.error).toMatch(/^invalid: a request is one JSON line of at most 65536 bytes/);
    await c.closed;
    expect(control.socket.counters().badRequests).toBe(1);
    // The daemon still answers the next one.
    expect(await sendCommand(control.dir, command("c-9") as never)).toMatchObject({
      kind: "answer",
      reply: { id: "c-9", ok: true },
    });
  });

  it("tells the command line when no daemon listens", async ({ folder }) => {
    expect(await sendCommand(folder.dir, command("c-1") as never)).toEqual({
      kind: "notRunning",
      why: `no daemon answers on ${controlSocketPath(folder.dir)}`,
    });
  });
});

describe("daemon-level requests on the control socket (cli.md reload)", () => {
  it('answers {"daemon": "reload"} with its handler, and an unknown daemon verb with an error naming the known ones, counted as bad input', async ({
    store,
    started,
  }) => {
    const asked: unknown[] = [];
    const socket = await started(
      new ControlSocket({
        dataDir: store.dir,
        mode: 0o600,
        handle: async () => {
          throw new Error("a daemon request must not reach the front desk");
        },
        daemon: {
          reload: async (request) => {
            asked.push(request);
            return { ok: true, changes: ["reader pool-in restarted (port changed)"] };
          },
        },
        logger: silentLogger(),
      }),
    );
    expect(await sendDaemonRequest(store.dir, { daemon: "reload" })).toEqual({
      kind: "answer",
      reply: { daemon: "reload", ok: true, changes: ["reader pool-in restarted (port changed)"] },
    });
    expect(asked).toEqual([{ daemon: "reload" }]);
    expect(await sendDaemonRequest(store.dir, { daemon: "reboot" })).toEqual({
      kind: "answer",
      reply: {
        daemon: "reboot",
        ok: false,
        error: 'invalid: unknown daemon request "reboot" (known: reload)',
      },
    });
    expect(socket.counters()).toEqual({ requests: 2, badRequests: 1 });
  });
});
