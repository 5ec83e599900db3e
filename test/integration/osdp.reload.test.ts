/**
 * Issue 13 §3, cli.md reload: a reload that adds an osdp reader on a port whose bus runs restarts
 * that bus with the new PD, and the readers already on it come back and go on deciding cards
 * (closing with the last reader is proven in test/osdp/osdpPorts.test.ts).
 */
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { planReload } from "../../gateway/configDiff.js";
import { listEvents } from "../../gateway/store/events.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { requireSocat } from "../helpers/socat.js";
import { importExamples, importInputs } from "../store/storeHelpers.js";

describe("reloading osdp readers", () => {
  it("adds a PD to a running bus: the bus restarts with it, the reader already there is open again and decides cards", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    requireSocat();
    importExamples(t.store);
    importInputs(t.store, [
      {
        name: "pia.yaml",
        value: {
          members: [
            {
              id: "m-pia",
              name: "Pia",
              cards: [{ number: "123:4567" }],
              multipacks: [{ id: "mp-pia", product: "gymflex", purchasedAt: "2027-03-20T10:00:00+01:00" }],
            },
          ],
        },
      },
    ]);
    const bus = join(folder.dir, "bus");
    const sim = await simulator(
      `devices:\n  - id: bus\n    kind: osdp-bus\n    expose: { pty: ${bus} }\n    pds: [{ address: 1 }, { address: 2 }]\n`,
    );
    const reader = (id: string, address: number) => ({
      id,
      driver: "osdp",
      port: bus,
      address,
      area: "gym",
      direction: "in",
      cardNumber: "wiegand-fc-cn",
    });
    const before = GatewayConfig.parse({ readers: [reader("gym-1", 1)] });
    const gateway = await startGateway({ config: before, clock: () => at("2027-03-22T10:00") });
    const states = () => gateway.status().readers.map((r) => [r.id, r.state]);
    await vi.waitFor(() => expect(states()).toEqual([["gym-1", "open"]]), { timeout: 5000 });

    const added = GatewayConfig.parse({ readers: [reader("gym-1", 1), reader("gym-2", 2)] });
    await gateway.reconfigure(added, planReload(before, added));
    await vi.waitFor(
      () =>
        expect(states()).toEqual([
          ["gym-1", "open"],
          ["gym-2", "open"],
        ]),
      { timeout: 8000 },
    );
    sim.pd("bus", 1).present("123:4567", "H10301");
    sim.pd("bus", 2).present("123:4567", "H10301");
    await vi.waitFor(
      () =>
        expect(
          listEvents(t.store)
            .map((e) => e.readerId)
            .sort(),
        ).toEqual(["gym-1", "gym-2"]),
      {
        timeout: 5000,
      },
    );
  }, 30_000);
});
