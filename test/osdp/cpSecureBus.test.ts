/**
 * Issue 13 §2 and §1: the secure channel in use (a PD in clear where it is required, the channel
 * lost and set up again, the failed channel retried, KEYSET in install mode) and the bus (round
 * robin past a silent PD, one packet on the wire, tamper, what is logged), with fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { memoryLogger } from "../helpers/logs.js";
import { advance, CARD, KEY, kinds, LED, NEW_KEY, outcome, rig, secureReader } from "./cpRig.js";
import { type FakePd, nak } from "./fakePds.js";

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

describe("the secure channel in use", () => {
  it("a PD that cannot set up the channel where it is required is reported, its card reads refused, commands not sent", async () => {
    const { pd, bus, seen } = rig([{ address: 1 }]);
    await advance(100);
    expect(bus.status()[0]).toMatchObject({ online: true, secureChannel: "failed" });
    expect(bus.status()[0]?.reason).toMatch(/SC_REJECTED/);
    pd.script.push(CARD);
    await advance(2_100);
    expect(seen.cards).toEqual([]);
    expect(seen.rejected.at(-1)).toMatchObject({ what: "card", code: "SC_NOT_SECURED" });
    await expect(bus.send(1, LED)).rejects.toMatchObject({ code: "OSDP_NOT_SECURED" });
  });

  it("a failed channel is tried again every 10 s, polling in clear every 2 s meanwhile", async () => {
    const { line } = rig([{ address: 1 }]);
    await advance(100);
    const count = (kind: string) => kinds(line).filter((k) => k === kind).length;
    expect(count("chlng")).toBe(1);
    await advance(9_800);
    expect(count("chlng")).toBe(1);
    expect(count("poll")).toBe(4);
    await advance(200);
    expect(count("chlng")).toBe(2);
  });

  it("a PD that wants a channel it cannot get NAKs every POLL: reported once, not at every poll", async () => {
    const { fakes, seen } = rig([{ address: 1, secure: { scbk: NEW_KEY, installMode: false } }]);
    const pd = fakes[0] as FakePd;
    await advance(100);
    for (let i = 0; i < 20; i++) pd.script.push({ kind: "clear", reply: nak(6) });
    await advance(9_000);
    expect(pd.script.length).toBeLessThan(17);
    expect(seen.rejected.map((r) => r.code)).toEqual(["SC_CRYPTOGRAM_MISMATCH"]);
    expect(seen.status.at(-1)?.reason).toMatch(/^SC_CRYPTOGRAM_MISMATCH/);
  });

  it("a PD that wants the channel while it is off here NAKs every POLL: reported once, again when it changes", async () => {
    const { pd, seen, bus } = rig([{ address: 1 }], false, null);
    await advance(100);
    for (let i = 0; i < 5; i++) pd.script.push({ kind: "clear", reply: nak(6) });
    pd.script.push({ kind: "ack" }, { kind: "clear", reply: nak(6) });
    await advance(1_000);
    expect(seen.rejected.map((r) => r.code)).toEqual(["security_conditions", "security_conditions"]);
    expect(bus.counters().pds[1]?.naks).toBe(6);
  });

  it("the same PD with the secure channel off: its card reads are used", async () => {
    const { pd, seen } = rig([{ address: 1 }], false, null);
    await advance(100);
    pd.script.push(CARD);
    await advance(100);
    expect(seen.cards).toEqual([
      { address: 1, reader: 0, format: 1, bitCount: 26, data: Uint8Array.of(0xbd, 0x88, 0xeb, 0x80) },
    ]);
  });

  it("a PD that drops the channel is reported, the channel set up again before its card read is taken", async () => {
    const { pd, line, bus, seen } = rig([secureReader()]);
    await advance(100);
    pd.session = null; // the PD forgot its session: it answers the next POLL in clear
    const from = line.to(1).length;
    await advance(100);
    expect(seen.rejected[0]).toMatchObject({ what: "ack", code: "SC_NOT_SECURED" });
    expect(
      line
        .to(1)
        .slice(from, from + 3)
        .map((w) => w.kind),
    ).toEqual(["poll", "chlng", "scrypt"]);
    pd.script.push(CARD, { kind: "keypad", reader: 0, digits: "12#*" });
    await advance(100);
    expect(bus.status()[0]?.secureChannel).toBe("established");
    expect(seen.cards).toHaveLength(1);
    expect(seen.keys).toEqual([{ address: 1, reader: 0, digits: "12#*" }]);
  });

  it("a reply whose MAC does not fit the chain drops the channel; it is set up again before the queued LED goes", async () => {
    const { pd, line, bus, seen } = rig([secureReader()]);
    await advance(100);
    pd.script.push({ kind: "badMac", reply: { kind: "ack" } });
    const from = line.to(1).length;
    const led = outcome(bus.send(1, LED));
    await advance(100);
    expect(seen.rejected[0]).toMatchObject({ code: "SC_MAC_MISMATCH" });
    expect(await led).toEqual({ value: { kind: "ack" } });
    expect(kinds(line).slice(from, from + 4)).toEqual(["led", "chlng", "scrypt", "led"]);
    expect(bus.status()[0]?.secureChannel).toBe("established");
  });

  it("a card read in clear while the channel is up is refused, never used", async () => {
    const { pd, seen } = rig([secureReader()]);
    await advance(100);
    pd.script.push({ kind: "clear", reply: CARD });
    await advance(60);
    expect(seen.cards).toEqual([]);
    expect(seen.rejected[0]).toMatchObject({ what: "card", code: "SC_NOT_SECURED" });
  });

  it("KEYSET in install mode: sends the new SCBK sealed, and on ACK sets the channel up again with it", async () => {
    const { pd, line, bus, seen } = rig(
      [{ address: 1, secure: { scbk: null, installMode: true } }],
      true,
      null,
    );
    await advance(100);
    expect(bus.status()[0]?.secureChannel).toBe("install");
    expect(line.to(1).find((w) => w.kind === "chlng")?.keyMode).toBe(0);
    const from = line.to(1).length;
    const keyset = outcome(bus.send(1, { kind: "keyset", key: NEW_KEY }));
    await advance(100);
    expect(await keyset).toEqual({ value: { kind: "ack" } });
    const after = line.to(1).slice(from);
    expect(after[0]).toMatchObject({ kind: "keyset", sealed: true });
    expect(after.slice(1, 3).map((w) => [w.kind, w.keyMode])).toEqual([
      ["chlng", 1],
      ["scrypt", undefined],
    ]);
    expect(pd.scbk).toEqual(NEW_KEY);
    expect(seen.status.at(-1)).toMatchObject({ secureChannel: "established" });
  });

  it("KEYSET is refused, never sent, when the secure channel is off", async () => {
    const { line, bus } = rig([{ address: 1 }], false, null);
    await advance(100);
    await expect(bus.send(1, { kind: "keyset", key: NEW_KEY })).rejects.toMatchObject({
      code: "OSDP_NOT_SECURED",
    });
    expect(kinds(line)).not.toContain("keyset");
  });
});

describe("the bus", () => {
  it("round robin: one silent PD among three costs the others one timeout per turn, never starves them", async () => {
    const { fakes, line, bus } = rig([secureReader(1), secureReader(2), secureReader(3)]);
    (fakes[1] as FakePd).silent = true;
    await advance(2_000);
    const order = line.written.map((w) => w.address);
    expect(line.to(1).filter((w) => w.kind === "poll").length).toBeGreaterThan(8);
    expect(line.to(3).filter((w) => w.kind === "poll").length).toBeGreaterThan(8);
    // Between two tries of the silent PD, both others have had the bus.
    const silentAt = order.flatMap((a, i) => (a === 2 ? [i] : []));
    for (let k = 1; k < silentAt.length; k++) {
      const between = order.slice((silentAt[k - 1] as number) + 1, silentAt[k]);
      expect(between).toEqual(expect.arrayContaining([1, 3]));
    }
    expect(bus.status().map((s) => s.online)).toEqual([true, false, true]);
    // One packet on the wire at a time: nothing written while a reply was on its way, and nothing
    // for 200 ms after a packet to the silent PD.
    expect(line.overlaps).toBe(0);
    for (const i of silentAt)
      if (i + 1 < order.length)
        expect((line.times[i + 1] as number) - (line.times[i] as number)).toBeGreaterThanOrEqual(200);
  });

  it("a LSTATR reporting tamper changes the PD's status", async () => {
    const { pd, seen } = rig([secureReader()]);
    await advance(100);
    pd.script.push({ kind: "lstatr", tamper: true, power: false });
    await advance(100);
    expect(seen.status.at(-1)).toMatchObject({ online: true, tamper: true, powerFailure: false });
  });

  it("logs status changes and refusals, never a key, a card's bits or the keys typed", async () => {
    const log = memoryLogger("debug");
    const { pd, bus } = rig(
      [{ address: 1, secure: { scbk: null, installMode: true } }],
      true,
      null,
      log.logger,
    );
    await advance(100);
    const keyset = outcome(bus.send(1, { kind: "keyset", key: NEW_KEY }));
    await advance(100);
    expect(await keyset).toEqual({ value: { kind: "ack" } });
    pd.script.push(CARD, { kind: "keypad", reader: 0, digits: "4711" }, { kind: "clear", reply: CARD });
    await advance(200);
    const text = JSON.stringify(log.lines);
    expect(log.lines.some((l) => l.msg === "OSDP card read" && l.bitCount === 26)).toBe(true);
    expect(log.at("warn").length).toBeGreaterThan(0);
    // Byte arrays would show as their fields or numbers: no such field, no key's or card's bytes.
    for (const secret of ['"data"', '"digits"', '"key"', '"scbk"', "4711", '"0":189', "189,136", "16,17,18"])
      expect(text).not.toContain(secret);
  });

  it("a listener that throws is logged and the bus goes on polling", async () => {
    const log = memoryLogger("error");
    const { pd, bus, seen } = rig([secureReader()], true, KEY, log.logger);
    bus.on("card", () => {
      throw new Error("listener bug");
    });
    await advance(100);
    pd.script.push(CARD, CARD);
    await advance(200);
    expect(seen.cards).toHaveLength(2);
    expect(log.at("error").map((l) => l.msg)).toEqual(["OSDP listener failed", "OSDP listener failed"]);
  });
});
