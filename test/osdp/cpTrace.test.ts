/**
 * Issue 13 §1–§2, the acceptance that matters most: the control panel replays libosdp's own
 * conversations. A fake link answers with the trace's PD packets in order; the CP must write the
 * trace's CP packets exactly, mark byte included: ID, CAP, (the handshake with the trace's RND.A,)
 * the POLLs, OUT, LED and BUZ sent from the gateway's queue, and the RAW card read decoded.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CMD } from "../../drivers/osdp/codes.js";
import { decodeCommand } from "../../drivers/osdp/commands.js";
import type { CardEvent, PdCommand } from "../../drivers/osdp/cpTypes.js";
import { OsdpBus } from "../../drivers/osdp/osdpBus.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { silentLogger } from "../helpers/logs.js";
import { TRACE_SCBK, tracePacket } from "./sessions.js";
import { readTrace, type TraceName, withoutMark } from "./trace.js";
import { TraceLink } from "./traceLink.js";

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

/** The OUT, LED and BUZ the plain trace's CP sent, decoded from the trace itself. */
function traceCommands(): PdCommand[] {
  const commands: PdCommand[] = [];
  for (const block of readTrace("libosdp-plain-trace.txt")) {
    const packet = withoutMark(block);
    const code = codeOf(packet);
    if (block.direction !== "cp" || ![CMD.OUT, CMD.LED, CMD.BUZ].includes(code as 0x68)) continue;
    const decoded = decodeCommand(code, packet.subarray(6, packet.length - 2));
    if (!decoded.ok || !["out", "led", "buz"].includes(decoded.value.kind))
      throw new Error(decoded.ok ? "" : decoded.message);
    commands.push(decoded.value as PdCommand);
  }
  return commands;
}

/** A packet's command code: after the header, and after the security block when there is one. */
function codeOf(packet: Uint8Array): number {
  const scbLength = ((packet[4] as number) & 0x08) !== 0 ? (packet[5] as number) : 0;
  return packet[5 + scbLength] as number;
}

/** Replays a trace against a bus with one PD; returns what the CP wrote and the cards it reported. */
async function replay(name: TraceName, address: number, secure: boolean) {
  const blocks = readTrace(name);
  const cpBlocks = blocks.filter((b) => b.direction === "cp");
  // The gateway queues OUT, LED and BUZ as the reply before the trace's OUT arrives.
  const outAt = cpBlocks.findIndex((b) => codeOf(withoutMark(b)) === CMD.OUT);
  const results: Promise<unknown>[] = [];
  let bus: OsdpBus | undefined;
  const link = new TraceLink(blocks, (index) => {
    if (index === outAt - 1)
      for (const command of traceCommands()) results.push(bus?.send(address, command) as Promise<unknown>);
  });
  const chlng = tracePacket(4).data;
  bus = new OsdpBus({
    port: "trace",
    link,
    pds: [{ address, secureChannel: secure ? "required" : "off", scbk: secure ? TRACE_SCBK : null }],
    scheduler: realScheduler,
    now: () => Date.now(),
    random: () => chlng.slice(),
    logger: silentLogger(),
  });
  const cards: CardEvent[] = [];
  bus.on("card", (card) => cards.push(card));
  bus.start();
  for (let i = 0; i < 200 && cards.length === 0; i++) await vi.advanceTimersByTimeAsync(50);
  bus.stop();
  return { link, cards, results: await Promise.allSettled(results), status: bus.status()[0] };
}

describe("the control panel against libosdp's traces", () => {
  it("sends the plain trace's CP packets byte for byte and decodes its card read (secure channel off)", async () => {
    const { link, cards, results } = await replay("libosdp-plain-trace.txt", 5, false);
    expect(link.sent).toEqual(link.expected);
    expect(link.finished).toBe(true);
    expect(results.map((r) => r.status === "fulfilled" && r.value)).toEqual([
      { kind: "ack" },
      { kind: "ack" },
      { kind: "ack" },
    ]);
    expect(cards).toEqual([
      { address: 5, reader: 0, format: 1, bitCount: 26, data: Uint8Array.from([0xbd, 0x88, 0xeb, 0x80]) },
    ]);
  });

  it("sends the secure trace's CP packets byte for byte: handshake with its RND.A, sealed POLLs and commands, the encrypted card read", async () => {
    const { link, cards, results, status } = await replay("libosdp-sc-trace.txt", 0x65, true);
    expect(link.sent).toEqual(link.expected);
    expect(link.finished).toBe(true);
    expect(status).toMatchObject({ online: true, secureChannel: "established" });
    expect(results.map((r) => r.status === "fulfilled" && r.value)).toEqual([
      { kind: "ack" },
      { kind: "ack" },
      { kind: "ack" },
    ]);
    expect(cards).toEqual([
      { address: 0x65, reader: 0, format: 1, bitCount: 26, data: Uint8Array.from([0xbd, 0x88, 0xeb, 0x80]) },
    ]);
  });
});
