/**
 * Issue 13 §3, cli.md reload: a reload that adds an osdp reader on a port whose bus runs restarts
 * that bus with the new PD, and the readers already on it come back and go on deciding cards
 * (closing with the last reader is proven in test/osdp/osdpPorts.test.ts); a reload that moves a
 * reader to another PD takes its door's osdp-output relay along.
 */
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import type { Simulator } from "../../firmware-sim/simulator.js";
import { planReload } from "../../gateway/configDiff.js";
import type { Store } from "../../gateway/store/db.js";
import { listEvents } from "../../gateway/store/events.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { requireSocat } from "../helpers/socat.js";
import { importExamples, importInputs } from "../store/storeHelpers.js";

/** A member with a gym membership and the card the simulated PDs present. */
const PIA = {
  id: "m-pia",
  name: "Pia",
  cards: [{ number: "123:4567" }],
  multipacks: [{ id: "mp-pia", product: "gymflex", purchasedAt: "2027-03-20T10:00:00+01:00" }],
};

/** Pia in the store, and the simulator's PDs 1 and 2 on one bus (no keys: install mode). */
async function twoPds(
  store: Store,
  folder: { dir: string },
  simulator: (text: string) => Promise<Simulator>,
) {
  requireSocat();
  importExamples(store);
  importInputs(store, [{ name: "pia.yaml", value: { members: [PIA] } }]);
  const bus = join(folder.dir, "bus");
  const sim = await simulator(
    `devices:\n  - id: bus\n    kind: osdp-bus\n    expose: { pty: ${bus} }\n    pds: [{ address: 1 }, { address: 2 }]\n`,
  );
  return { bus, sim };
}

describe("reloading osdp readers", () => {
  it("adds a PD to a running bus: the bus restarts with it, the reader already there is open again and decides cards", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    const { bus, sim } = await twoPds(t.store, folder, simulator);
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

  it("moves a reader to another PD: its door's osdp-output relay follows, and a card there opens that PD's output", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    const { bus, sim } = await twoPds(t.store, folder, simulator);
    const config = (address: number) =>
      GatewayConfig.parse({
        readers: [
          {
            id: "gym-1",
            driver: "osdp",
            port: bus,
            address,
            area: "gym",
            direction: "in",
            door: "gym-door",
            cardNumber: "wiegand-fc-cn",
          },
        ],
        doors: [{ id: "gym-door", relay: "gym-out", channel: 0, pulseMs: 300 }],
        relays: [{ id: "gym-out", driver: "osdp-output", reader: "gym-1" }],
      });
    const gateway = await startGateway({ config: config(1), clock: () => at("2027-03-22T10:00") });
    const opened = (address: number) =>
      sim.pd("bus", address).panel.display.history.filter((o) => o.text === "output 0 ON").length;
    await vi.waitFor(() => expect(gateway.status().relays.map((r) => r.state)).toEqual(["open"]), {
      timeout: 5000,
    });

    await gateway.reconfigure(config(2), planReload(config(1), config(2)));
    await vi.waitFor(() => expect(gateway.status().relays.map((r) => r.state)).toEqual(["open"]), {
      timeout: 8000,
    });
    await vi.waitFor(() => expect(gateway.status().readers.map((r) => r.state)).toEqual(["open"]), {
      timeout: 8000,
    });
    sim.pd("bus", 2).present("123:4567", "H10301");
    await vi.waitFor(() => expect(opened(2)).toBe(1), { timeout: 5000 });
    expect(listEvents(t.store).map((e) => [e.readerId, e.decision, e.relayFailed])).toEqual([
      ["gym-1", "grant", false],
    ]);
    expect(opened(1)).toBe(0);
  }, 30_000);
});
