/**
 * Issue 13 §1–§2 over a real serial line: the control panel on one end of a socat pty pair (the
 * real `serialport` package), scripted PDs on the other. Two readers share the bus; the secure
 * channel comes up, a command is ACKed, a card read arrives; the line is cut (socat stopped), the
 * PDs go offline, and once the line is back the link reopens by itself and both return secured.
 */
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import type { CardEvent, PdStatus } from "../../drivers/osdp/cpTypes.js";
import { OsdpPort } from "../../drivers/osdp/osdpPort.js";
import { openTransport } from "../../drivers/transport/transport.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { it } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import { requireSocat } from "../helpers/socat.js";
import { FakeLine, FakePd, serveLine } from "./fakePds.js";

const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0x40 + i);

describe("an OSDP port over a pseudo-terminal", () => {
  it("polls two secured readers, survives the line being cut and reopens by itself", async ({
    defer,
    folder,
    ptyPair,
  }) => {
    requireSocat();
    const links = { a: join(folder.dir, "pd"), b: join(folder.dir, "cp") };
    const pds = [1, 2].map((address) => new FakePd({ address, secure: { scbk: KEY, installMode: false } }));
    const line = new FakeLine(pds);
    const serve = async () => {
      const pair = await ptyPair(links);
      const end = await openTransport(pair.a, { baudRate: 9600 });
      defer(() => end.close());
      serveLine(line, end);
      return pair;
    };
    const first = await serve();
    const port = new OsdpPort({
      target: links.b,
      baudRate: 9600,
      pds: [1, 2].map((address) => ({ address, secureChannel: "required" as const, scbk: KEY })),
      factory: openTransport,
      logger: silentLogger(),
      scheduler: realScheduler,
      now: Date.now,
      random: (n) => new Uint8Array(n).fill(7),
      timings: { offlineAfterMs: 1_000, offlineRetryMs: 300 },
      backoff: { baseMs: 50, factor: 2, capMs: 200, jitter: "none" },
    });
    const cards: CardEvent[] = [];
    const statuses: PdStatus[] = [];
    port.bus.on("card", (c) => cards.push(c));
    port.bus.on("status", (s) => statuses.push(s));
    port.start();
    defer(() => port.stop());
    const secured = () => port.bus.status().every((s) => s.online && s.secureChannel === "established");
    await vi.waitFor(() => expect(secured()).toBe(true), { timeout: 5_000 });
    await expect(
      port.bus.send(2, { kind: "buz", reader: 0, tone: 2, onTenths: 2, offTenths: 1, count: 1 }),
    ).resolves.toEqual({ kind: "ack" });
    pds[1]?.script.push({
      kind: "raw",
      reader: 0,
      format: 1,
      bitCount: 26,
      data: Uint8Array.of(0xbd, 0x88, 0xeb, 0x80),
    });
    await vi.waitFor(() => expect(cards).toHaveLength(1), { timeout: 2_000 });
    expect(cards[0]).toMatchObject({ address: 2, bitCount: 26 });

    await first.stop();
    await vi.waitFor(() => expect(port.bus.status().map((s) => s.online)).toEqual([false, false]), {
      timeout: 5_000,
    });
    await serve();
    await vi.waitFor(() => expect(secured()).toBe(true), { timeout: 8_000 });
    expect(port.health().state).toBe("open");
    expect(
      statuses
        .filter((s) => !s.online)
        .map((s) => s.address)
        .sort(),
    ).toEqual([1, 2]);
  });
});
