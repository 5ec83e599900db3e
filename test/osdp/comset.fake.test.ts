/**
 * Issue 13 §1 COMSET: changeComSettings against scripted PDs on a socat pty (the real serialport),
 * for what the simulator's PD never does — a NAK, a COM naming other settings, a PD silent after
 * COMSET or whose COM is lost — and the port opened again at the new speed for the check.
 */
import { join } from "node:path";
import { describe, expect } from "vitest";
import { CMD } from "../../drivers/osdp/codes.js";
import { type ComsetOptions, changeComSettings } from "../../drivers/osdp/comset.js";
import type { OsdpReply } from "../../drivers/osdp/replies.js";
import { openTransport, type TransportOptions } from "../../drivers/transport/transport.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import { requireSocat } from "../helpers/socat.js";
import { FakeLine, FakePd, nak, serveLine } from "./fakePds.js";

/** What the PD does with COMSET: moves (COM), moves with its COM lost, vanishes after its COM, or answers this. */
type Behaviour = "moves" | "lost" | "vanishes" | OsdpReply;

/**
 * One PD without the secure channel at address 1 that, after COMSET, answers only at address 7
 * (unless it NAKs, or vanishes); and the options to move it there at 19200 baud, with the speed
 * of every port the command opened.
 */
const it = test.extend("line", ({ folder, ptyPair, defer }) => async (behaviour: Behaviour = "moves") => {
  requireSocat();
  const links = { a: join(folder.dir, "pd"), b: join(folder.dir, "cp") };
  const old = new FakePd({ address: 1 });
  const moved = new FakePd({ address: 7 });
  moved.silent = true;
  const answer = old.answer.bind(old);
  old.answer = (packet, bytes) => {
    if (packet.code !== CMD.COMSET) return answer(packet, bytes);
    const scripted = typeof behaviour === "string" ? null : behaviour;
    old.script.push(scripted ?? { kind: "com", address: 7, baudRate: 19200 });
    const result = answer(packet, bytes);
    if (scripted?.kind === "nak") return result;
    // The PD takes the new settings once its reply is out: the line reads `silent` after this returns.
    queueMicrotask(() => {
      old.silent = true;
      moved.silent = behaviour === "vanishes";
    });
    return behaviour === "lost" ? { written: result.written, reply: null } : result;
  };
  const line = new FakeLine([old, moved]);
  const pair = await ptyPair(links);
  const end = await openTransport(pair.a, { baudRate: 9600 });
  defer(() => end.close());
  serveLine(line, end);
  const opened: number[] = [];
  const options: ComsetOptions = {
    target: links.b,
    from: { address: 1, baudRate: 9600 },
    to: { address: 7, baudRate: 19200 },
    secureChannel: "off",
    scbk: null,
    factory: async (target: string, o?: TransportOptions) => {
      opened.push(o?.baudRate ?? 0);
      return openTransport(target, o);
    },
    logger: silentLogger(),
    scheduler: realScheduler,
    now: Date.now,
    random: (n) => new Uint8Array(n).fill(3),
    readyWithinMs: 3_000,
    timings: { offlineAfterMs: 600, offlineRetryMs: 300 },
  };
  return { options, opened, line };
});

describe("changeComSettings (issue 13 §1 COMSET)", () => {
  it("sends COMSET at the old settings, then opens the port again at the new speed and finds the PD at its new address", async ({
    line,
  }) => {
    const { options, opened, line: wire } = await line();
    const outcome = await changeComSettings(options);
    expect(outcome).toEqual({
      from: { address: 1, baudRate: 9600 },
      to: { address: 7, baudRate: 19200 },
      confirmed: true,
    });
    expect(opened).toEqual([9600, 19200]);
    expect(wire.to(1).find((w) => w.kind === "comset")?.command).toEqual({
      kind: "comset",
      address: 7,
      baudRate: 19200,
    });
    expect(wire.to(7).map((w) => w.kind)).toContain("id");
  });

  it("says the PD refused COMSET and keeps its settings on a NAK, without opening the port again", async ({
    line,
  }) => {
    const { options, opened } = await line(nak(9));
    await expect(changeComSettings(options)).rejects.toMatchObject({
      code: "COMSET_REFUSED",
      message: expect.stringMatching(/refused COMSET .*record.*keeps address 1 at 9600 baud/),
    });
    expect(opened).toEqual([9600]);
  });

  it("names the settings a COM gives when they are not those asked for", async ({ line }) => {
    const { options, opened } = await line({ kind: "com", address: 8, baudRate: 9600 });
    await expect(changeComSettings(options)).rejects.toMatchObject({
      code: "COMSET_DIFFERENT",
      message: expect.stringContaining(
        "the PD answered COMSET with address 8 at 9600 baud, not the address 7 at 19200 baud asked for",
      ),
    });
    expect(opened).toEqual([9600]);
  });

  it("finds the PD at its new settings when its COM was lost on the way (confirmed: false)", async ({
    line,
  }) => {
    const { options, opened } = await line("lost");
    expect(await changeComSettings(options)).toMatchObject({ confirmed: false });
    expect(opened.at(-1)).toBe(19200);
  });

  it("fails when the PD confirmed COMSET but does not answer at the new settings, naming both", async ({
    line,
  }) => {
    const { options, opened } = await line("vanishes");
    options.readyWithinMs = 1_000;
    await expect(changeComSettings(options)).rejects.toMatchObject({
      code: "COMSET_UNVERIFIED",
      message: expect.stringContaining(
        "the PD confirmed COMSET (COM) but does not answer at address 7 at 19200 baud; it may still be at address 1 at 9600 baud",
      ),
    });
    expect(opened).toEqual([9600, 19200]);
  });

  it("sends nothing to a PD that does not answer at the settings the configuration gives", async ({
    line,
  }) => {
    const { options, line: wire } = await line();
    options.from = { address: 3, baudRate: 9600 };
    options.readyWithinMs = 800;
    await expect(changeComSettings(options)).rejects.toMatchObject({
      code: "COMSET_OFFLINE",
      message: expect.stringContaining("no answer from PD 3"),
    });
    expect(wire.written.filter((w) => w.kind === "comset")).toEqual([]);
  });
});
