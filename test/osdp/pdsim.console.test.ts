/**
 * Issue 13 §6: the simulator prompt at an OSDP bus — `pd <bus>/<address> …` acts at one PD and
 * `pds` shows each PD's secure channel, LED, text, outputs, tamper and power.
 */
import { PassThrough } from "node:stream";
import { describe, expect, vi } from "vitest";
import { SimConsole } from "../../firmware-sim/console.js";
import { test as it } from "../harness/index.js";

const CONFIG = `devices:
  - id: bus
    kind: osdp-bus
    expose: { tcp: 0 }
    pds: [{ address: 1, scbk: 000102030405060708090a0b0c0d0e0f }, { address: 2 }]
`;

describe("the simulator prompt at an OSDP bus", () => {
  it("presents a card, types keys, opens the case and lists every PD's state", async ({
    simulator,
    defer,
  }) => {
    const sim = await simulator(CONFIG);
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.setEncoding("utf8").on("data", (s: string) => {
      printed += s;
    });
    const done = new SimConsole({ sim, input, output, timeZone: "UTC" }).run();
    defer(async () => {
      input.end();
      await done;
    });
    const type = (line: string) => input.write(`${line}\n`);

    type("pd bus/1 card 123:4567");
    type("pd bus/1 keys 1234#");
    type("pd bus/2 tamper on");
    type("pd bus/2 fault late");
    type("pd bus/9 keys 1");
    type("pd bus/1 card 1:1 X999");
    type("pds");
    await vi.waitFor(() => expect(printed).toMatch(/bus\/2 .*TAMPER/));
    expect(printed).toContain('type "pd bus/1 card 123:4567" to present a card at an OSDP reader');
    expect(printed).toContain("card 123:4567 at bus/1");
    expect(printed).toContain("keys 1234# at bus/1");
    expect(printed).toContain("! bus: no PD at address 9 (the bus has: 1, 2)");
    expect(printed).toMatch(/! pd card: "X999" is not a card format/);
    expect(printed).toMatch(/bus\/1 +clear +black +- +- +ok +ok +none/);
    expect(printed).toMatch(/bus\/2 +clear, no key \(install mode\) +black +- +- +TAMPER +ok +late/);
    expect(sim.pd("bus", 1).pendingEvents).toBe(2);
  });
});
