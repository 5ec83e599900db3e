/**
 * Issue 13 "Tests": the gateway's control panel against the simulator's PD 1 on the shared OSDP bus
 * (test/helpers/osdpRig.ts, a socat pty) — the secure channel established, lost and established
 * again: a PD that restarts (its session gone) is set up again before anything else is sent; a PD that answers in clear while the channel is up is
 * reported and its card refused, never used; and a tamper switch opened and closed at the PD shows
 * in `status` with its problem, and goes.
 */
import { describe, expect, vi } from "vitest";
import { CMD } from "../../drivers/osdp/codes.js";
import { OsdpFrameReader } from "../../drivers/osdp/frameReader.js";
import type { Store } from "../../gateway/store/db.js";
import { listEvents } from "../../gateway/store/events.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { memoryLogger } from "../helpers/logs.js";
import { type OsdpFixtures, startedBus } from "../helpers/osdpRig.js";
import { importExamples, importInputs } from "../store/storeHelpers.js";

/** A member with a gym membership and the card the simulated PDs present. */
const PIA = {
  id: "m-pia",
  name: "Pia",
  cards: [{ number: "123:4567" }],
  multipacks: [{ id: "mp-pia", product: "gymflex", purchasedAt: "2027-03-20T10:00:00+01:00" }],
};

/** The shared OSDP bus (test/helpers/osdpRig.ts), watched at PD 1: gym-in, secured, its door on PD 1's output 0. */
async function securedPd(t: { store: Store }, f: OsdpFixtures) {
  importExamples(t.store);
  importInputs(t.store, [{ name: "pia.yaml", value: { members: [PIA] } }]);
  const log = memoryLogger("info");
  const { sim, gateway } = await startedBus(
    f,
    { pin: "never" },
    { clock: () => at("2027-03-22T10:00"), logger: log.logger },
  );
  const reader = () => gateway.status().readers.find((r) => r.id === "gym-in");
  const pd = () => sim.pd("bus", 1);
  const opened = () => pd().panel.display.history.filter((o) => o.text === "output 0 ON").length;
  const established = () =>
    vi.waitFor(() => expect(reader()?.osdp).toMatchObject({ online: true, secureChannel: "established" }), {
      timeout: 10_000,
    });
  await established();
  return { sim, gateway, log, reader, pd, opened, established };
}

const grants = (store: Store) => listEvents(store).filter((e) => e.decision === "grant").length;

describe("the secure channel with a simulated PD, lost and set up again", () => {
  it("a PD that restarted (its session gone) gets the handshake again before anything else, and its card then opens the door", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    const { sim, pd, opened, established } = await securedPd(t, { folder, simulator, gateway: startGateway });
    // What the gateway sends PD 1 from here on, as the PDs' end of the line receives it (the other
    // PDs on the bus are polled in between, in their turns).
    const codes: number[] = [];
    const frames = new OsdpFrameReader();
    sim.device("bus").osdp?.onTraffic((from, bytes) => {
      if (from !== "cp") return;
      for (const e of frames.push(bytes))
        if (e.kind === "packet" && e.packet.address === 1) codes.push(e.packet.code);
    });
    pd().dropSession();
    await vi.waitFor(() => expect(codes).toContain(CMD.CHLNG), { timeout: 5000 });
    await established();
    expect(pd().secureState).toBe("secure");
    // Nothing but the handshake went to PD 1 between the drop being seen and the channel being up again.
    const chlng = codes.indexOf(CMD.CHLNG);
    expect(codes.slice(chlng, chlng + 2)).toEqual([CMD.CHLNG, CMD.SCRYPT]);
    pd().present("123:4567", "H10301");
    await vi.waitFor(() => expect(opened()).toBe(1), { timeout: 5000 });
    expect(grants(t.store)).toBe(1);
  }, 30_000);

  it("a PD that answers in clear while the channel is up: reported, its card refused and never decided; sealed again, its card is granted", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    const { pd, opened, established, log, reader } = await securedPd(t, {
      folder,
      simulator,
      gateway: startGateway,
    });
    pd().setFault("clear");
    pd().present("123:4567", "H10301");
    await vi.waitFor(() => expect(reader()?.driverCounters?.rejected).toMatchObject({ not_secured: 1 }), {
      timeout: 5000,
    });
    expect(log.at("warn")).toContainEqual(
      expect.objectContaining({ msg: "OSDP PD message refused", what: "card", code: "SC_NOT_SECURED" }),
    );
    expect(listEvents(t.store)).toEqual([]);
    expect(opened()).toBe(0);

    pd().setFault("none");
    await established();
    pd().present("123:4567", "H10301");
    await vi.waitFor(() => expect(opened()).toBe(1), { timeout: 5000 });
    expect(grants(t.store)).toBe(1);
    expect(reader()?.state).toBe("open");
  }, 30_000);
});

describe("a tamper switch at a simulated PD", () => {
  it("shows in status with its problem when opened, and goes when closed", async ({
    store: t,
    folder,
    simulator,
    gateway: startGateway,
  }) => {
    const { gateway, pd, reader } = await securedPd(t, { folder, simulator, gateway: startGateway });
    pd().setTamper(true);
    await vi.waitFor(() => expect(reader()?.osdp?.tamper).toBe(true), { timeout: 5000 });
    expect(gateway.status().problems.join("\n")).toMatch(/reader gym-in: OSDP PD 1.*tamper/i);
    pd().setTamper(false);
    await vi.waitFor(() => expect(reader()?.osdp?.tamper).toBe(false), { timeout: 5000 });
    expect(gateway.status().problems.join("\n")).not.toMatch(/tamper/i);
  }, 30_000);
});
