/**
 * Issue 13 §6: the simulated OSDP PDs (firmware-sim `osdp-bus`) over a real pty (socat) and the
 * real `serialport`, checked with a test-side CP made of the gateway's codec and the CP side of
 * its secure channel: identity and capabilities, the secure channel with the right key and a
 * wrong one, install mode + KEYSET (kept across a restart), card, keypad and tamper reports,
 * feedback recorded, three PDs on one bus, the repeated sequence, COMSET and the faults.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { CAPABILITY, CMD, LED_COLOR, SCS } from "../../drivers/osdp/codes.js";
import type { OsdpCommand } from "../../drivers/osdp/commands.js";
import { findCapability } from "../../drivers/osdp/replies.js";
import { openSerialTransport } from "../../drivers/transport/serialTransport.js";
import type { Simulator } from "../../firmware-sim/simulator.js";
import { test } from "../harness/index.js";
import { TestCp } from "./testCp.js";
import { hexBytes } from "./trace.js";

const KEY = hexBytes("000102030405060708090a0b0c0d0e0f");
const NEW_KEY = hexBytes("ffeeddccbbaa99887766554433221100");
const PD_WITH_KEY = "      - { address: 1, scbk: 000102030405060708090a0b0c0d0e0f }\n";
const nak = (name: string) => expect.objectContaining({ kind: "nak", name });

/** Starts a sim.yaml with one osdp-bus (these PDs) on a pty in the test's folder, and a CP on its other end. */
const it = test.extend("bus", ({ folder, simulator, defer }) => async (pds: string) => {
  const path = join(folder.dir, "osdp-bus");
  const yaml = `devices:\n  - id: bus\n    kind: osdp-bus\n    expose: { pty: ${path} }\n    pds:\n${pds}`;
  const start = async (): Promise<{ sim: Simulator; cp: TestCp }> => {
    const sim = await simulator(yaml);
    const port = await openSerialTransport(path, path, 9600);
    defer(() => port.close());
    return { sim, cp: new TestCp(port) };
  };
  return { ...(await start()), restart: start };
});

describe("a simulated OSDP PD on a pty", () => {
  it("answers ID with its identity and CAP with what its options give it", async ({ bus }) => {
    const { cp } = await bus(
      "      - { address: 1, scbk: 000102030405060708090a0b0c0d0e0f, display: false, outputs: 2, identity: { vendorCode: 0xa1b2c3, serialNumber: 42 } }\n",
    );
    const id = await cp.send(1, { kind: "id" });
    expect(id.reply).toMatchObject({ kind: "pdid", vendorCode: 0xa1b2c3, serialNumber: 42 });
    const cap = await cp.send(1, { kind: "cap" });
    if (cap.reply?.kind !== "pdcap") throw new Error(`expected PDCAP, got ${cap.reply?.kind}`);
    expect(findCapability(cap.reply.capabilities, CAPABILITY.OUTPUT_CONTROL)?.items).toBe(2);
    expect(findCapability(cap.reply.capabilities, CAPABILITY.READER_TEXT)).toBeUndefined();
    // Items bit 0 of communication security: SCBK-D accepted; not by a PD with a key outside install mode.
    expect(findCapability(cap.reply.capabilities, CAPABILITY.COMMUNICATION_SECURITY)?.items).toBe(0);
  });

  it("sets up the secure channel with its SCBK and refuses a wrong key and SCBK-D: no session", async ({
    bus,
  }) => {
    const { sim, cp } = await bus(PD_WITH_KEY);
    expect(await cp.secure(1, NEW_KEY)).toEqual({ ok: false, why: "SC_CRYPTOGRAM_MISMATCH" });
    expect(await cp.secure(1, null)).toEqual({ ok: false, why: "NAK security_conditions" });
    expect(sim.pd("bus", 1).secureState).toBe("clear");

    expect(await cp.secure(1, KEY)).toEqual({ ok: true });
    const poll = await cp.send(1, { kind: "poll" });
    expect(poll.packet?.scb?.type).toBe(SCS.REPLY_MAC);
    expect(poll).toMatchObject({ reply: { kind: "ack" }, failure: null });
    expect(sim.pd("bus", 1).secureState).toBe("secure");
  });

  it("NAKs a command whose MAC does not match, and a secured command once the session is gone", async ({
    bus,
  }) => {
    const { sim, cp } = await bus(PD_WITH_KEY);
    expect(await cp.secure(1, KEY)).toEqual({ ok: true });
    const forged = await cp.sendPayload(1, { code: CMD.POLL, data: new Uint8Array() }, { forgeMac: true });
    expect(forged.packet?.scb).toBeNull();
    expect(forged.reply).toEqual(nak("security_conditions"));
    expect(sim.pd("bus", 1).secureState).toBe("clear");
    expect(sim.pd("bus", 1).lastFailure).toBe("SC_MAC_MISMATCH");
    // The CP's session is stale now: the PD refuses it until a new handshake.
    expect((await cp.send(1, { kind: "poll" })).reply).toEqual(nak("security_conditions"));
    expect(await cp.secure(1, KEY)).toEqual({ ok: true });
    expect((await cp.send(1, { kind: "poll" })).reply).toEqual({ kind: "ack" });
  });

  it("in install mode takes SCBK-D, accepts KEYSET only under the channel, and keeps the new key across a restart", async ({
    bus,
    folder,
  }) => {
    const keyFile = join(folder.dir, "keys", "pd1.scbk");
    const { sim, cp, restart } = await bus(`      - { address: 1, scbkFile: ${keyFile} }\n`);
    expect((await cp.send(1, { kind: "keyset", keyType: 1, key: NEW_KEY })).reply).toEqual(
      nak("security_conditions"),
    );
    expect(await cp.secure(1, null)).toEqual({ ok: true });
    expect(sim.pd("bus", 1).secureState).toBe("secure (install mode, SCBK-D)");
    expect((await cp.send(1, { kind: "keyset", keyType: 1, key: NEW_KEY })).reply).toEqual({ kind: "ack" });
    expect(readFileSync(keyFile, "utf8").trim()).toBe("ffeeddccbbaa99887766554433221100");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    expect(await cp.secure(1, NEW_KEY)).toEqual({ ok: true });
    expect(await cp.secure(1, null)).toEqual({ ok: false, why: "NAK security_conditions" });

    await sim.stop();
    const again = await restart();
    expect(await again.cp.secure(1, NEW_KEY)).toEqual({ ok: true });
    expect((await again.cp.send(1, { kind: "poll" })).reply).toEqual({ kind: "ack" });
  });

  it("reports a card as RAW on the next POLL (H10301 123:4567 as in libosdp's trace), keys as KEYPAD, tamper as LSTATR", async ({
    bus,
  }) => {
    const { sim, cp } = await bus(PD_WITH_KEY);
    expect(await cp.secure(1, KEY)).toEqual({ ok: true });
    const pd = sim.pd("bus", 1);
    pd.present("123:4567");
    pd.typeKeys("1234#");
    pd.setTamper(true);
    const card = await cp.send(1, { kind: "poll" });
    expect(card.packet?.scb?.type).toBe(SCS.REPLY_DATA);
    expect(card.reply).toEqual({
      kind: "raw",
      reader: 0,
      format: 1,
      bitCount: 26,
      data: hexBytes("bd88eb80"),
    });
    expect((await cp.send(1, { kind: "poll" })).reply).toEqual({
      kind: "keypad",
      reader: 0,
      digits: "1234#",
    });
    expect((await cp.send(1, { kind: "poll" })).reply).toEqual({
      kind: "lstatr",
      tamper: true,
      power: false,
    });
    expect((await cp.send(1, { kind: "poll" })).reply).toEqual({ kind: "ack" });
  });

  it("records LED colour, beeps, text and outputs (D6 through OSDP) and shows them as reader lines", async ({
    bus,
  }) => {
    const { sim, cp } = await bus(PD_WITH_KEY);
    const shown: string[] = [];
    sim.on("reader", (e) => shown.push(`${e.deviceId} ${e.via} ${e.text}`));
    expect(await cp.secure(1, KEY)).toEqual({ ok: true });
    const led = {
      reader: 0,
      led: 0,
      temporary: {
        control: 2,
        onTenths: 20,
        offTenths: 0,
        onColor: LED_COLOR.GREEN,
        offColor: 0,
        timerTenths: 20,
      },
      permanent: { control: 1, onTenths: 1, offTenths: 0, onColor: LED_COLOR.RED, offColor: 0 },
    };
    for (const command of [
      { kind: "led", leds: [led] },
      { kind: "buz", reader: 0, tone: 2, onTenths: 1, offTenths: 1, count: 3 },
      { kind: "text", reader: 0, command: 3, tempSeconds: 2, row: 1, column: 1, text: "Welcome Anna" },
      { kind: "out", outputs: [{ output: 0, control: 2, timerTenths: 0 }] },
    ] satisfies OsdpCommand[])
      expect((await cp.send(1, command)).reply).toEqual({ kind: "ack" });
    const pd = sim.pd("bus", 1);
    expect(pd.panel.ledColor()).toBe("green");
    expect(pd.panel.textLines()).toEqual(["Welcome Anna"]);
    expect(pd.panel.outputs.isOn(0)).toBe(true);
    expect(shown).toEqual([
      "bus/1 led green",
      "bus/1 buzzer 3 beeps",
      "bus/1 display Welcome Anna",
      "bus/1 output output 0 ON",
    ]);
    // An output the PD does not have is a bad record.
    expect(
      (await cp.send(1, { kind: "out", outputs: [{ output: 5, control: 2, timerTenths: 0 }] })).reply,
    ).toEqual(nak("record"));
  });

  it("answers the broadcast address 0x7F from its own address", async ({ bus }) => {
    const { cp } = await bus("      - { address: 5 }\n");
    const id = await cp.send(0x7f, { kind: "id" });
    expect(id.packet?.address).toBe(5);
    expect(id.reply).toMatchObject({ kind: "pdid" });
  });

  it("puts three PDs on one bus, each answering only its own address", async ({ bus }) => {
    const { cp } = await bus(
      [1, 2, 3].map((a) => `      - { address: ${a}, identity: { serialNumber: ${a * 100} } }\n`).join(""),
    );
    for (const address of [1, 2, 3]) {
      const id = await cp.send(address, { kind: "id" });
      expect(id.packet?.address).toBe(address);
      expect(id.reply).toMatchObject({ kind: "pdid", serialNumber: address * 100 });
    }
    cp.timeoutMs = 150;
    expect((await cp.send(4, { kind: "id" })).packet).toBeNull();
  });

  it("answers a repeated sequence number with the same reply, without taking a second card from the queue", async ({
    bus,
  }) => {
    const { sim, cp } = await bus(PD_WITH_KEY);
    expect(await cp.secure(1, KEY)).toEqual({ ok: true });
    const pd = sim.pd("bus", 1);
    pd.present("123:4567");
    pd.present("123:4568");
    const first = await cp.send(1, { kind: "poll" });
    const again = await cp.repeat(1);
    expect(again.bytes).toEqual(first.bytes);
    expect(pd.pendingEvents).toBe(1);
    const next = await cp.send(1, { kind: "poll" });
    expect(next.reply).toMatchObject({ kind: "raw", bitCount: 26 });
    expect(next.bytes).not.toEqual(first.bytes);
    expect(pd.pendingEvents).toBe(0);
  });

  it("NAKs an unknown command, TEXT without a display, and an out-of-turn sequence number", async ({
    bus,
  }) => {
    const { cp } = await bus("      - { address: 1, display: false }\n");
    expect((await cp.sendPayload(1, { code: 0x7e, data: new Uint8Array() })).reply).toEqual(
      nak("unknown_command"),
    );
    const text = {
      kind: "text",
      reader: 0,
      command: 1,
      tempSeconds: 0,
      row: 1,
      column: 1,
      text: "Hi",
    } as const;
    expect((await cp.send(1, text)).reply).toEqual(nak("unknown_command"));
    expect((await cp.send(1, { kind: "poll" }, { sequence: 3 })).reply).toEqual(nak("sequence_number"));
  });

  it("gives up on a half packet after a silence, so a corrupt length does not hide the next command", async ({
    bus,
  }) => {
    const { cp } = await bus("      - { address: 1 }\n");
    // SOM, address 1, a length of 511 bytes that never come: then a real command behind it.
    await cp.writeRaw(hexBytes("53 01 ff 01 04"));
    expect((await cp.send(1, { kind: "id" })).reply).toMatchObject({ kind: "pdid" });
  });

  it("takes a new address with COMSET after replying from the old one", async ({ bus }) => {
    const { sim, cp } = await bus("      - { address: 1 }\n");
    const com = await cp.send(1, { kind: "comset", address: 9, baudRate: 38400 });
    expect(com.packet?.address).toBe(1);
    expect(com.reply).toEqual({ kind: "com", address: 9, baudRate: 38400 });
    expect((await cp.send(9, { kind: "id" })).reply).toMatchObject({ kind: "pdid" });
    expect(sim.pd("bus", 9).baudRate).toBe(38400);
  });
});

describe("the faults a simulated PD tests a control panel with", () => {
  it("silent: no reply; late: the reply after the CP's 200 ms timeout; bad-crc: a corrupt CRC; busy: BUSY", async ({
    bus,
  }) => {
    const { sim, cp } = await bus("      - { address: 1, fault: silent }\n");
    const pd = sim.pd("bus", 1);
    cp.timeoutMs = 200;
    expect((await cp.send(1, { kind: "id" })).packet).toBeNull();
    pd.setFault("late");
    expect((await cp.send(1, { kind: "id" })).packet).toBeNull();
    await vi.waitFor(() => expect(cp.unexpected.map((p) => p.code)).toEqual([0x45]));
    pd.setFault("bad-crc");
    expect((await cp.send(1, { kind: "id" })).failure).toBe("bad_crc");
    pd.setFault("busy");
    expect((await cp.send(1, { kind: "id" })).reply).toEqual({ kind: "busy" });
    // BUSY: the CP sends the same command again, same sequence number, and now gets its answer.
    pd.setFault("none");
    expect((await cp.repeat(1)).reply).toMatchObject({ kind: "pdid" });
  });

  it("clear: replies in clear while the secure channel is up; a dropped session NAKs the next secured command", async ({
    bus,
  }) => {
    const { sim, cp } = await bus(PD_WITH_KEY);
    const pd = sim.pd("bus", 1);
    expect(await cp.secure(1, KEY)).toEqual({ ok: true });
    pd.setFault("clear");
    const clear = await cp.send(1, { kind: "poll" });
    expect(clear.packet?.scb).toBeNull();
    expect(clear.failure).toBe("SC_NOT_SECURED");
    pd.setFault("none");
    expect(await cp.secure(1, KEY)).toEqual({ ok: true });
    pd.dropSession();
    expect((await cp.send(1, { kind: "poll" })).reply).toEqual(nak("security_conditions"));
  });

  it("unplugs and replugs like the other serial kinds", async ({ bus, defer, folder }) => {
    const { sim } = await bus("      - { address: 1 }\n");
    await sim.unplug("bus");
    expect(sim.list()[0]).toMatchObject({ plugged: false, role: "osdp" });
    await sim.replug("bus");
    const path = join(folder.dir, "osdp-bus");
    const port = await openSerialTransport(path, path, 9600);
    defer(() => port.close());
    expect((await new TestCp(port).send(1, { kind: "id" })).reply).toMatchObject({ kind: "pdid" });
  });
});
