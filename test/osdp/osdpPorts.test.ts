/**
 * Issue 13 §3: the gateway's OSDP ports. Readers naming one port share one bus (one transport,
 * every PD polled on it); a PD joining or leaving later rebuilds the bus with the new set; the
 * last one leaving closes the port. Also the D6 feedback commands as pure values.
 */
import { describe, expect, vi } from "vitest";
import { LED_COLOR, REPLY } from "../../drivers/osdp/codes.js";
import type { PdCommand } from "../../drivers/osdp/cpTypes.js";
import {
  displayLines,
  displayPages,
  feedbackSignals,
  feedbackText,
  TEXT_PAGE_MS,
} from "../../drivers/osdp/osdpFeedback.js";
import { decodePacket, encodePacket } from "../../drivers/osdp/packet.js";

/** Each page's TEXT commands as [row, seconds shown, text]. */
const texts = (pages: PdCommand[][]) =>
  pages.map((page) => page.map((c) => c.kind === "text" && [c.row, c.tempSeconds, c.text]));

import { OsdpPorts } from "../../drivers/osdp/osdpPorts.js";
import { it } from "../harness/index.js";
import {
  type FakeTransportFactory,
  fakeTransportFactory,
  ManualScheduler,
} from "../helpers/fakeTransport.js";
import { silentLogger } from "../helpers/logs.js";

const pd = (address: number) => ({ address, secureChannel: "off" as const, scbk: null });

function ports() {
  const transports = fakeTransportFactory();
  const scheduler = new ManualScheduler();
  const registry = new OsdpPorts({
    factory: transports.factory,
    scheduler,
    now: () => 0,
    random: (n) => new Uint8Array(n),
    logger: silentLogger(),
  });
  return { registry, transports, scheduler };
}

/** Runs the bus until its newest transport has a packet written, then answers it with an ACK. */
async function answerNext(scheduler: ManualScheduler, transports: FakeTransportFactory): Promise<number> {
  await vi.waitFor(() => {
    scheduler.runNext();
    expect(transports.opened.at(-1)?.written.length).toBeGreaterThan(0);
  });
  const t = transports.last();
  const sent = t.written.at(-1) as Uint8Array;
  const decoded = decodePacket(sent[0] === 0xff ? sent.subarray(1) : sent);
  if (!decoded.ok) throw new Error(decoded.message);
  const { address, sequence } = decoded.packet;
  const ack = encodePacket({
    address,
    reply: true,
    sequence,
    integrity: "crc",
    scb: null,
    code: REPLY.ACK,
    data: new Uint8Array(0),
  });
  t.written.length = 0;
  t.push(ack);
  return ack.length;
}

describe("the gateway's OSDP ports", () => {
  it("opens one bus for the readers of one port, rebuilds it when a PD joins later, and closes it with the last", async () => {
    const { registry, transports } = ports();
    registry.join({ port: "/dev/ttyUSB0", baudRate: 9600, pd: pd(1) });
    registry.join({ port: "/dev/ttyUSB0", baudRate: 9600, pd: pd(2) });
    await vi.waitFor(() => expect(transports.opened).toHaveLength(1));
    expect(registry.status("/dev/ttyUSB0", 1)).toMatchObject({ address: 1, online: false });
    expect(registry.status("/dev/ttyUSB0", 2)).toMatchObject({ address: 2 });

    registry.join({ port: "/dev/ttyUSB0", baudRate: 9600, pd: pd(3) });
    await vi.waitFor(() => expect(transports.opened).toHaveLength(2));
    expect(transports.opened[0]?.isOpen).toBe(false);
    expect(registry.status("/dev/ttyUSB0", 3)).toMatchObject({ address: 3 });

    await registry.leave("/dev/ttyUSB0", 1);
    await registry.leave("/dev/ttyUSB0", 2);
    expect(registry.status("/dev/ttyUSB0", 3)).toMatchObject({ address: 3 });
    await registry.leave("/dev/ttyUSB0", 3);
    expect(registry.status("/dev/ttyUSB0", 3)).toBeUndefined();
    expect(transports.opened.every((t) => !t.isOpen)).toBe(true);
    await expect(
      registry.send("/dev/ttyUSB0", 3, {
        kind: "buz",
        reader: 0,
        tone: 2,
        onTenths: 2,
        offTenths: 2,
        count: 1,
      }),
    ).rejects.toMatchObject({
      code: "OSDP_OFFLINE",
    });
  });

  it("counts the bytes each PD sent, across a rebuild of its port's bus; a PD that leaves starts again from 0", async () => {
    const { registry, transports, scheduler } = ports();
    registry.join({ port: "/dev/ttyUSB0", baudRate: 9600, pd: pd(1) });
    const first = await answerNext(scheduler, transports);
    expect(registry.bytesFrom("/dev/ttyUSB0", 1)).toBe(first);

    // PD 2 joins: the bus is rebuilt on a new transport; PD 1's count carries over.
    registry.join({ port: "/dev/ttyUSB0", baudRate: 9600, pd: pd(2) });
    await vi.waitFor(() => expect(transports.opened).toHaveLength(2));
    expect(registry.bytesFrom("/dev/ttyUSB0", 1)).toBe(first);
    const second = await answerNext(scheduler, transports);
    expect(registry.bytesFrom("/dev/ttyUSB0", 1) + registry.bytesFrom("/dev/ttyUSB0", 2)).toBe(
      first + second,
    );

    await registry.leave("/dev/ttyUSB0", 1);
    expect(registry.bytesFrom("/dev/ttyUSB0", 1)).toBe(0);
    await registry.stop();
  });

  it("keeps separate ports apart", async () => {
    const { registry, transports } = ports();
    registry.join({ port: "/dev/ttyUSB0", baudRate: 9600, pd: pd(1) });
    registry.join({ port: "/dev/ttyUSB1", baudRate: 9600, pd: pd(1) });
    await vi.waitFor(() =>
      expect(transports.opened.map((t) => t.target).sort()).toEqual(["/dev/ttyUSB0", "/dev/ttyUSB1"]),
    );
    await registry.stop();
    expect(transports.opened.every((t) => !t.isOpen)).toBe(true);
  });
});

describe("D6 through OSDP: the feedback commands", () => {
  const grant = {
    decision: "grant" as const,
    reason: "ok",
    message: "Welcome Noè — 3 credits left today",
    undone: false,
  };

  it("D6: a grant is LED green for 2 s and one short beep; a deny and an undone grant red and three", () => {
    const [led, buz] = feedbackSignals(grant);
    expect(led).toMatchObject({
      kind: "led",
      leds: [{ temporary: { control: 2, timerTenths: 20, onColor: LED_COLOR.GREEN } }],
    });
    expect(buz).toMatchObject({ kind: "buz", tone: 2, onTenths: 2, count: 1 });
    for (const f of [
      { ...grant, decision: "deny" as const },
      { ...grant, undone: true },
    ]) {
      const [l, b] = feedbackSignals(f);
      expect(l).toMatchObject({ leds: [{ temporary: { onColor: LED_COLOR.RED } }] });
      expect(b).toMatchObject({ count: 3 });
    }
  });

  it("D6: the message as ASCII (accents dropped, — as -), wrapped at words into two rows of at most 32", () => {
    expect(displayLines(grant.message)).toEqual(["Welcome Noe - 3 credits left", "today"]);
    expect(displayLines("a ".repeat(60))).toHaveLength(2);
    expect(displayLines("x".repeat(40))).toEqual(["x".repeat(32)]);
    expect(feedbackText({ ...grant, message: "" })).toEqual([]);
    expect(texts(feedbackText(grant))).toEqual([
      [
        [1, 5, "Welcome Noe - 3 credits left"],
        [2, 5, "today"],
      ],
    ]);
  });

  it("D6: a message longer than two rows shows in pages: each up until the next, the last 5 s, a short one blanking the row it leaves; at most three", () => {
    const locked = {
      ...grant,
      decision: "deny" as const,
      message: "Too many wrong PINs — try again in 15 minutes or please see reception",
    };
    expect(texts(feedbackText(locked))).toEqual([
      [
        [1, 4, "Too many wrong PINs - try again"],
        [2, 4, "in 15 minutes or please see"],
      ],
      [
        [1, 5, "reception"],
        [2, 5, " ".repeat(32)],
      ],
    ]);
    expect(TEXT_PAGE_MS / 1000).toBeLessThan(4);
    expect(displayPages("word ".repeat(100)).map((p) => p.length)).toEqual([2, 2, 2]);
  });
});
