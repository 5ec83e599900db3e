/**
 * Issue 13 "Benchmarks": a door's OUT and a reader's feedback do not wait behind every other PD's
 * POLL (at 9600 baud eight secured POLLs are 240 ms): a queued command goes ahead of the POLLs that
 * are due, at most MAX_COMMAND_RUN in a row, and the round robin then goes on where it was, so a
 * PD flooded with commands never keeps the others from being polled. Within one PD's queue a door's
 * OUT goes ahead of the grant's LED, beep and text, queued a moment before it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { OUTPUT_CONTROL } from "../../drivers/osdp/codes.js";
import type { PdCommand } from "../../drivers/osdp/cpTypes.js";
import { MAX_COMMAND_RUN } from "../../drivers/osdp/osdpBus.js";
import { advance, CARD, LED, outcome, rig, secureReader } from "./cpRig.js";

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

/** Eight secured PDs, set up, every one's POLL due at the moment the test goes on. */
async function busyBus() {
  const r = rig(Array.from({ length: 8 }, (_, i) => ({ ...secureReader(i + 1), display: true })));
  await advance(200);
  // Moves the clock past the poll interval without running the bus's wake: every POLL is due.
  vi.setSystemTime(Date.now() + 60);
  return { ...r, from: r.line.written.length };
}

/** Lets `n` exchanges run: fake timers run a setImmediate queued during a tick 1 ms later, so 1 ms each. */
const exchanges = (n: number) => advance(n);

const label = (w: { address: number; kind: string }) => `${w.address}${w.kind === "led" ? "L" : ""}`;

describe("a command on a busy bus", () => {
  it("goes ahead of the POLLs that are due, and the PDs it passed are polled next, in their order", async () => {
    const { line, bus, from } = await busyBus();
    const done = outcome(bus.send(6, LED));
    await exchanges(20);
    expect(line.written.slice(from).map(label)).toEqual(["6L", "1", "2", "3", "4", "5", "7", "8"]);
    expect(await done).toEqual({ value: { kind: "ack" } });
  });

  it(`goes ahead at most ${MAX_COMMAND_RUN} in a row while a POLL waits: a flood of commands to one PD leaves the others polled`, async () => {
    const { line, bus, from } = await busyBus();
    const done = Array.from({ length: 10 }, () => outcome(bus.send(8, LED)));
    await exchanges(20);
    expect(line.written.slice(from).map(label)).toEqual([
      ...["8L", "8L", "8L", "8L", "1"],
      ...["8L", "8L", "8L", "8L", "2"],
      ...["8L", "8L", "3", "4", "5", "6", "7"],
    ]);
    for (const d of done) expect(await d).toEqual({ value: { kind: "ack" } });
  });
});

describe("a PD's own queue", () => {
  it("sends a door's OUT ahead of the LED, beep and text still waiting, and keeps OUTs in their order", async () => {
    const { line, bus, from } = await busyBus();
    const buz: PdCommand = { kind: "buz", reader: 0, tone: 2, onTenths: 2, offTenths: 1, count: 1 };
    const text: PdCommand = {
      kind: "text",
      reader: 0,
      command: 1,
      tempSeconds: 0,
      row: 1,
      column: 1,
      text: "Welcome",
    };
    const out = (output: number): PdCommand => ({
      kind: "out",
      outputs: [{ output, control: OUTPUT_CONTROL.TEMPORARY_ON, timerTenths: 1 }],
    });
    // An idle bus sends a command at once: PD 2's LED is on the line while PD 3's commands queue.
    const first = outcome(bus.send(2, LED));
    expect(line.written.slice(from).map(label)).toEqual(["2L"]);
    const done = [LED, buz, out(0), text, out(1)].map((c) => outcome(bus.send(3, c)));
    await exchanges(20);
    const sent = line.to(3).slice(line.to(3).length - 5);
    expect(sent.map((w) => w.kind)).toEqual(["out", "out", "led", "buz", "text"]);
    expect(
      sent.slice(0, 2).map((w) => (w.command as { outputs: { output: number }[] }).outputs[0]?.output),
    ).toEqual([0, 1]);
    // PD 2's LED and three of PD 3's go ahead of the due POLLs (its OUTs, then its LED); then one
    // POLL (MAX_COMMAND_RUN), and PD 3's beep and text.
    expect(line.written.slice(from, from + 7).map(label)).toEqual(["2L", "3", "3", "3L", "1", "3", "3"]);
    for (const d of [first, ...done]) expect(await d).toEqual({ value: { kind: "ack" } });
  });
});

describe("a card's door", () => {
  it("is on the line within the card's listener: the card's exchange is over before its listeners hear it", async () => {
    const { fakes, line, bus } = rig([secureReader(1), secureReader(2)]);
    await advance(200);
    const out: PdCommand = {
      kind: "out",
      outputs: [{ output: 0, control: OUTPUT_CONTROL.TEMPORARY_ON, timerTenths: 1 }],
    };
    const inListener: string[] = [];
    let done: Promise<unknown> | undefined;
    bus.on("card", (card) => {
      const before = line.written.length;
      done = outcome(bus.send(card.address, out));
      inListener.push(...line.written.slice(before).map((w) => `${w.address} ${w.kind}`));
    });
    fakes[1]?.script.push(CARD);
    await advance(200);
    expect(inListener).toEqual(["2 out"]);
    expect(await done).toEqual({ value: { kind: "ack" } });
  });
});
