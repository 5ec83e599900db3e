/**
 * Issue 13 §1: the control panel's rules with fake timers and scripted PDs (test/osdp/cpRig.ts)
 * — setting up a PD, the reply timeout and the resend with the same sequence number, offline after
 * 8 s and back within 2 s of answering again, BUSY, and what each NAK makes the control panel do.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PdCommand } from "../../drivers/osdp/cpTypes.js";
import { advance, kinds, LED, outcome, rig, secureReader } from "./cpRig.js";
import { nak } from "./fakePds.js";

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

describe("setting up a PD", () => {
  it("asks ID, CAP, then sets up the secure channel before the first POLL, numbering 0, 1, 2, 3, 1…", async () => {
    const { line, bus } = rig([secureReader()]);
    await advance(200);
    const first = line.to(1).slice(0, 6);
    expect(first.map((w) => w.kind)).toEqual(["id", "cap", "chlng", "scrypt", "poll", "poll"]);
    expect(first.map((w) => w.sequence)).toEqual([0, 1, 2, 3, 1, 2]);
    expect(first.slice(4).every((w) => w.sealed)).toBe(true);
    expect(bus.status()[0]).toMatchObject({ online: true, secureChannel: "established" });
  });
});

describe("counting", () => {
  it("counts the bytes each PD replied with, for its reader's bytes counter", async () => {
    const { line, bus } = rig([secureReader(1), secureReader(2)]);
    await advance(300);
    const counted = bus.counters().pds;
    expect(line.replied.get(1)).toBeGreaterThan(0);
    expect([counted[1]?.bytes, counted[2]?.bytes]).toEqual([line.replied.get(1), line.replied.get(2)]);
  });
});

describe("timeouts and offline", () => {
  it("resends the same packet with the same sequence number after a 200 ms reply timeout", async () => {
    const { pd, line, bus } = rig([secureReader()]);
    await advance(100);
    pd.script.push({ kind: "silence" });
    const before = line.to(1).length;
    await advance(500);
    const [lost, resent] = line.to(1).slice(before);
    expect(resent?.bytes).toBe(lost?.bytes);
    expect(bus.counters().pds[1]).toMatchObject({ timeouts: 1, resends: 1 });
  });

  it("reports a PD offline 8 s after its last valid reply, not before, and rejects its queued commands", async () => {
    const { pd, bus, seen } = rig([secureReader()]);
    await advance(100);
    pd.silent = true;
    const lastReply = Date.now();
    await advance(7_700);
    expect(bus.status()[0]?.online).toBe(true);
    const led = outcome(bus.send(1, LED));
    await advance(600);
    expect(seen.status.at(-1)).toMatchObject({ online: false });
    expect(Date.now() - lastReply).toBeGreaterThanOrEqual(8_000);
    expect(await led).toMatchObject({ error: { code: "OSDP_OFFLINE" } });
    await expect(bus.send(1, LED)).rejects.toMatchObject({ code: "OSDP_OFFLINE" });
  });

  it("tries an offline PD every 2 s with ID at sequence 0, and it is back within 2 s of answering, secure channel first", async () => {
    const { pd, line, bus } = rig([secureReader()]);
    await advance(100);
    pd.silent = true;
    await advance(9_000);
    const offlineFrom = line.to(1).length;
    await advance(10_000);
    const tries = line.to(1).slice(offlineFrom);
    expect(tries.length).toBe(5);
    expect(tries.every((w) => w.kind === "?" && w.sequence === 0)).toBe(true);
    pd.silent = false;
    const back = line.to(1).length;
    await advance(2_100);
    expect(bus.status()[0]).toMatchObject({ online: true, secureChannel: "established" });
    const led = outcome(bus.send(1, LED));
    await advance(100);
    expect(await led).toEqual({ value: { kind: "ack" } });
    const after = line.to(1).slice(back);
    expect(after.slice(0, 4).map((w) => w.kind)).toEqual(["id", "cap", "chlng", "scrypt"]);
    expect(after.find((w) => w.kind === "led")?.sealed).toBe(true);
  });
});

describe("BUSY and NAKs", () => {
  it("BUSY: sends the same packet again later, not counted as a failure", async () => {
    const { pd, line, bus } = rig([secureReader()]);
    await advance(100);
    pd.script.push({ kind: "clear", reply: { kind: "busy" } });
    const led = outcome(bus.send(1, LED));
    await advance(200);
    expect(await led).toEqual({ value: { kind: "ack" } });
    const leds = line.to(1).filter((w) => w.kind === "led");
    expect(leds).toHaveLength(2);
    expect(leds[1]?.bytes).toBe(leds[0]?.bytes);
    expect(bus.counters().pds[1]).toMatchObject({ busy: 1, timeouts: 0 });
  });

  it("NAK sequence_number: starts again at 0 (ID, CAP, the channel) and then sends the command", async () => {
    const { pd, line, bus } = rig([secureReader()]);
    await advance(100);
    pd.script.push({ kind: "clear", reply: nak(4) });
    const from = line.to(1).length;
    const led = outcome(bus.send(1, LED));
    await advance(200);
    expect(await led).toEqual({ value: { kind: "ack" } });
    const after = line.to(1).slice(from);
    expect(after[0]?.kind).toBe("led");
    expect(after.slice(1, 6).map((w) => [w.kind, w.sequence])).toEqual([
      ["id", 0],
      ["cap", 1],
      ["chlng", 2],
      ["scrypt", 3],
      ["led", 1],
    ]);
    expect(after[5]?.sealed).toBe(true);
  });

  it("NAK security_conditions: drops the session, sets it up again, then sends the command sealed", async () => {
    const { pd, line, bus, seen } = rig([secureReader()]);
    await advance(100);
    pd.script.push({ kind: "clear", reply: nak(6) });
    const from = line.to(1).length;
    const led = outcome(bus.send(1, LED));
    await advance(200);
    expect(await led).toEqual({ value: { kind: "ack" } });
    expect(
      line
        .to(1)
        .slice(from, from + 4)
        .map((w) => w.kind),
    ).toEqual(["led", "chlng", "scrypt", "led"]);
    expect(seen.status.map((s) => s.secureChannel)).toContain("handshake");
    expect(bus.status()[0]?.secureChannel).toBe("established");
  });

  it("NAK unknown_command: the command is marked unsupported for that PD and never sent again", async () => {
    const { pd, line, bus } = rig([secureReader()]);
    await advance(100);
    pd.script.push(nak(3));
    const text: PdCommand = { kind: "buz", reader: 0, tone: 2, onTenths: 2, offTenths: 1, count: 1 };
    await advance(0);
    const first = outcome(bus.send(1, text));
    await advance(200);
    expect(await first).toMatchObject({ error: { code: "OSDP_UNSUPPORTED", detail: "unknown_command" } });
    await expect(bus.send(1, text)).rejects.toMatchObject({ code: "OSDP_UNSUPPORTED" });
    await advance(500);
    expect(kinds(line).filter((k) => k === "buz")).toHaveLength(1);
  });

  it("NAK check_character: the command goes once more; a second NAK fails it", async () => {
    const { pd, line, bus } = rig([secureReader()]);
    await advance(100);
    pd.script.push(nak(1));
    const once = outcome(bus.send(1, LED));
    await advance(100);
    expect(await once).toEqual({ value: { kind: "ack" } });
    pd.script.push(nak(1), nak(1));
    const twice = outcome(bus.send(1, LED));
    await advance(100);
    expect(await twice).toMatchObject({ error: { code: "OSDP_NAK", detail: "check_character" } });
    expect(kinds(line).filter((k) => k === "led")).toHaveLength(4);
  });

  it("NAK security_conditions twice on one command: the channel is set up again once, then the command fails", async () => {
    const { pd, bus } = rig([secureReader()]);
    await advance(100);
    pd.script.push({ kind: "clear", reply: nak(6) }, { kind: "clear", reply: nak(6) });
    const led = outcome(bus.send(1, LED));
    await advance(200);
    expect(await led).toMatchObject({ error: { code: "OSDP_NOT_SECURED" } });
    expect(bus.status()[0]?.secureChannel).toBe("established");
  });

  it("another NAK (record): the command's promise rejects with the NAK's name", async () => {
    const { pd, bus } = rig([secureReader()]);
    await advance(100);
    pd.script.push(nak(9));
    const led = outcome(bus.send(1, LED));
    await advance(100);
    expect(await led).toMatchObject({ error: { code: "OSDP_NAK", detail: "record" } });
  });
});
