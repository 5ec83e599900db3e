/**
 * Issue 13 §1–§2: the control panel's rules with fake timers and scripted PDs (test/osdp/fakePds.ts)
 * — the reply timeout and the resend with the same sequence number, offline after 8 s and back
 * within 2 s of answering again, BUSY, each NAK, a PD in clear where the secure channel is
 * required, the channel lost and set up again, round robin past a silent PD, KEYSET in install mode.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type {
  CardEvent,
  KeypadEvent,
  PdCommand,
  PdStatus,
  RejectedEvent,
} from "../../drivers/osdp/cpTypes.js";
import { OsdpBus } from "../../drivers/osdp/osdpBus.js";
import type { OsdpReply } from "../../drivers/osdp/replies.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { memoryLogger, silentLogger } from "../helpers/logs.js";
import { FakeLine, FakePd, type FakePdOptions, nak } from "./fakePds.js";

const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const NEW_KEY = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);
const LED: PdCommand = {
  kind: "led",
  leds: [
    {
      reader: 0,
      led: 0,
      temporary: { control: 2, onTenths: 20, offTenths: 0, onColor: 2, offColor: 0, timerTenths: 20 },
      permanent: { control: 0, onTenths: 0, offTenths: 0, onColor: 0, offColor: 0 },
    },
  ],
};
const CARD: OsdpReply = {
  kind: "raw",
  reader: 0,
  format: 1,
  bitCount: 26,
  data: Uint8Array.of(0xbd, 0x88, 0xeb, 0x80),
};

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

/** A bus over scripted PDs, and everything it reported. */
function rig(pds: FakePdOptions[], required = true, scbk: Uint8Array | null = KEY, logger = silentLogger()) {
  const fakes = pds.map((o) => new FakePd(o));
  const line = new FakeLine(fakes);
  const bus = new OsdpBus({
    port: "/dev/ttyFAKE",
    link: line,
    pds: pds.map((o) => ({ address: o.address, secureChannel: required ? "required" : "off", scbk })),
    scheduler: realScheduler,
    now: () => Date.now(),
    random: () => Uint8Array.of(1, 1, 2, 3, 5, 8, 13, 21),
    logger,
  });
  const seen = {
    cards: [] as CardEvent[],
    keys: [] as KeypadEvent[],
    status: [] as PdStatus[],
    rejected: [] as RejectedEvent[],
  };
  bus.on("card", (e) => seen.cards.push(e));
  bus.on("keypad", (e) => seen.keys.push(e));
  bus.on("status", (e) => seen.status.push({ ...e }));
  bus.on("rejected", (e) => seen.rejected.push(e));
  bus.start();
  return { fakes, pd: fakes[0] as FakePd, line, bus, seen };
}

const secureReader = (address = 1): FakePdOptions => ({ address, secure: { scbk: KEY, installMode: false } });
const kinds = (line: FakeLine, address = 1) => line.to(address).map((w) => w.kind);
const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
/** A command's outcome, caught at once so that a rejection is never unhandled while time advances. */
const outcome = (p: Promise<unknown>): Promise<{ value?: unknown; error?: unknown }> =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

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

  it("a card read in clear while the channel is up is refused, never used", async () => {
    const { pd, seen } = rig([secureReader()]);
    await advance(100);
    pd.script.push({ kind: "clear", reply: CARD });
    await advance(60);
    expect(seen.cards).toEqual([]);
    expect(seen.rejected[0]).toMatchObject({ what: "raw", code: "SC_NOT_SECURED" });
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
});
