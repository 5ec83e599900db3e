/**
 * Issue 13 §1 COMSET/COM in the control panel, with fake timers and scripted PDs (cpRig.ts): the
 * configuration is the truth, so a PD's COM never moves the bus; a PD that then no longer answers
 * at its configured address is reported with the settings its COM named, once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { memoryLogger } from "../helpers/logs.js";
import { advance, KEY, LED, outcome, rig, secureReader } from "./cpRig.js";

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

const COMSET = { kind: "comset", address: 9, baudRate: 19200 } as const;
const COM = { kind: "com", address: 9, baudRate: 19200 } as const;

/** The warnings about a PD that moved. */
const movedWarnings = (log: ReturnType<typeof memoryLogger>) =>
  log.at("warn").filter((l) => l.msg.includes("COMSET"));

describe("COM in the control panel", () => {
  it("resolves COMSET with the PD's new settings, polls on at the configured address, and warns once when the PD has gone from there", async () => {
    const log = memoryLogger("warn");
    const { pd, line, bus } = rig([secureReader()], true, KEY, log.logger);
    await advance(100);
    pd.script.push(COM);
    // The PD moves once its COM is out: from then on nothing answers at address 1.
    const answer = pd.answer.bind(pd);
    pd.answer = (packet, bytes) => {
      const result = answer(packet, bytes);
      // After the line took the reply: a silent PD's replies are dropped.
      if (result.written.kind === "comset") queueMicrotask(() => (pd.silent = true));
      return result;
    };
    const com = outcome(bus.send(1, COMSET));
    await advance(50);
    expect(await com).toEqual({ value: COM });
    const before = line.to(1).length;
    await advance(9_000);
    expect(line.to(1).length).toBeGreaterThan(before);
    expect(line.to(9)).toEqual([]);
    expect(bus.status()[0]).toMatchObject({ address: 1, online: false });
    expect(movedWarnings(log)).toEqual([
      expect.objectContaining({ port: "/dev/ttyFAKE", address: 1, newAddress: 9, baudRate: 19200 }),
    ]);
    // Offline retries every 2 s do not repeat it.
    await advance(10_000);
    expect(movedWarnings(log)).toHaveLength(1);
  });

  it("says nothing of a move when the PD answers again at its configured address after its COM", async () => {
    const log = memoryLogger("warn");
    const { pd, bus } = rig([secureReader()], true, KEY, log.logger);
    await advance(100);
    pd.script.push(COM);
    const com = outcome(bus.send(1, COMSET));
    await advance(50);
    expect(await com).toEqual({ value: COM });
    await advance(1_000);
    expect(bus.status()[0]?.online).toBe(true);
    pd.silent = true;
    await advance(9_000);
    expect(bus.status()[0]?.online).toBe(false);
    expect(movedWarnings(log)).toEqual([]);
  });

  it("takes a COM in answer to another command as an unexpected reply, not as new settings", async () => {
    const log = memoryLogger("warn");
    const { pd, bus, seen } = rig([secureReader()], true, KEY, log.logger);
    await advance(100);
    pd.script.push(COM);
    const led = outcome(bus.send(1, LED));
    await advance(50);
    expect(await led).toEqual({ value: { kind: "ack" } });
    expect(seen.rejected).toEqual([
      { address: 1, what: "reply", code: "unexpected", message: "com in answer to LED" },
    ]);
    pd.silent = true;
    await advance(9_000);
    expect(bus.status()[0]?.online).toBe(false);
    expect(movedWarnings(log)).toEqual([]);
  });
});
