/**
 * Issue 13 §1: an OSDP port polls only once its link is open. Before, the bus started with the
 * port: the first ID went into a port still opening, was lost, and each PD waited the 2 s offline
 * retry before it was asked again (every `accessgw osdp keyset` and `comset` paid it, and the
 * daemon's readers at each start).
 */
import { describe, expect, it } from "vitest";
import { CMD } from "../../drivers/osdp/codes.js";
import { OsdpPort } from "../../drivers/osdp/osdpPort.js";
import { decodePacket } from "../../drivers/osdp/packet.js";
import type { Transport } from "../../drivers/transport/transport.js";
import { FakeTransport, ManualScheduler } from "../helpers/fakeTransport.js";
import { silentLogger } from "../helpers/logs.js";

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("an OSDP port", () => {
  it("sends nothing while its link is opening, and asks ID at sequence 0 as soon as it is open", async () => {
    const scheduler = new ManualScheduler();
    const line = new FakeTransport("/dev/ttyUSB0");
    let open: (t: Transport) => void = () => undefined;
    const port = new OsdpPort({
      target: "/dev/ttyUSB0",
      baudRate: 9600,
      pds: [{ address: 1, secureChannel: "off", scbk: null }],
      factory: () => new Promise<Transport>((resolve) => (open = resolve)),
      logger: silentLogger(),
      scheduler,
      // The clock never moves: a packet written now is not a 2 s retry.
      now: () => 0,
      random: (n) => new Uint8Array(n),
    });
    port.start();
    while (scheduler.runNext()) await flush();
    expect(port.bus.counters().pds[1]).toMatchObject({ sent: 0 });

    open(line);
    await flush();
    for (let i = 0; i < 5 && line.written.length === 0; i++) {
      scheduler.runNext();
      await flush();
    }
    const first = decodePacket((line.written[0] ?? new Uint8Array()).subarray(1));
    expect(first.ok && { code: first.packet.code, sequence: first.packet.sequence }).toEqual({
      code: CMD.ID,
      sequence: 0,
    });
    await port.stop();
  });
});
