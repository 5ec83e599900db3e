/**
 * doors.md D2 and D4 with every part real: a serial-line reader and an LCUS board on the simulator's
 * serial servers, the simulator's turnstile (PASS outputs on a Tasmota input module) and door
 * contact (a Shelly Gen2 input) on a real Mosquitto, the gateway's real drivers, and the reference
 * central syncing the events. A member turns away (credits back, visit undone, presence restored,
 * the central's copy updated), pushes through the next time, somebody slips through on nobody's
 * grant (tailgate), and the gate is forced and held open.
 */
import { describe, expect, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { isDecision } from "../../config/protocol/events.js";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { SimSerialLineReader } from "../../firmware-sim/devices/serialLineReader.js";
import type { Gateway } from "../../gateway/daemon.js";
import { memberBalance } from "../../gateway/decisions.js";
import { listAllEvents, listEvents } from "../../gateway/store/events.js";
import { readVisits } from "../../gateway/store/packedHistory.js";
import { test } from "../harness/index.js";
import { at, clockFrom } from "../helpers/build.js";
import { importInputs } from "../store/storeHelpers.js";

const P = "t9/v1";
const G = "gw-doors";
const ANNA = "1234567";

/** What a pool rig is handed: more simulated devices, and the gateway config's own parts. */
interface PoolOptions {
  devices?: string[];
  /** Readers, inputs, doors, sync… given the reader's and the board's ports. */
  config: (ports: { reader: string; board: string }) => Record<string, unknown>;
  gatewayId?: string;
  /** More to wait for before the rig is ready (the sync link in step, say). */
  ready?: (status: ReturnType<Gateway["status"]>) => void;
}

/** The pool-in reader of the rigs: a serial-line reader opening the pool gate. */
const poolReader = (port: string) => ({
  id: "pool-in",
  driver: "serial-line",
  area: "pool",
  direction: "in",
  door: "pool-gate",
  port,
  debounceMs: 100,
});

/** The pool gate: LCUS relay 1, a grant standing once the turnstile's PASS-in shows a passage within 1 s. */
const POOL_GATE = {
  id: "pool-gate",
  relay: "board-1",
  channel: 1,
  pulseMs: 200,
  passage: "pass-in",
  passageTimeoutSeconds: 1,
};

/** The turnstile's PASS-in output on its Tasmota input module. */
const PASS_IN = { id: "pass-in", driver: "mqtt-tasmota", topic: "pool-io", switch: 1 };

/**
 * The simulator's turnstile (and `devices`) on the file's broker, a serial-line reader and an LCUS
 * board on its serial servers, and the gateway on the worked example, once its relays are open and
 * every input read; the clock runs from Monday 22 March 2027, 10:00.
 */
const it = test.extend(
  "pool",
  ({ broker, exampleStore: store, serialServer, simulator, gateway: startGateway }) =>
    async (o: PoolOptions) => {
      const sim = await simulator(
        [
          "devices:",
          "  - { id: turnstile, kind: turnstile, via: { driver: tasmota, topic: pool-io }, pulseMs: 200 }",
          ...(o.devices ?? []),
          `broker: { url: "${broker.url}" }`,
        ].join("\n"),
      );
      const readerLine = await serialServer();
      const reader = new SimSerialLineReader({ link: readerLine, lineEnding: "CR" });
      reader.start();
      const boardLine = await serialServer();
      const board = new SimLcusBoard({ link: boardLine });
      board.start();
      const config = GatewayConfig.parse({
        mqtt: { url: broker.url },
        relays: [{ id: "board-1", driver: "lcus-serial", port: boardLine.target, frameGapMs: 20 }],
        ...o.config({ reader: readerLine.target, board: boardLine.target }),
      });
      const clock = clockFrom(at("2027-03-22T10:00"));
      const gateway = await startGateway({ config, store, gatewayId: o.gatewayId ?? "gw-1", clock });
      await vi.waitFor(
        () => {
          const s = gateway.status();
          expect(s.relays.map((d) => d.state)).toEqual(["open"]);
          expect(s.inputs.filter((i) => i.level === "unknown")).toEqual([]);
          o.ready?.(s);
        },
        { timeout: 10_000 },
      );
      return { sim, reader, board, gateway, clock, store };
    },
);

describe("D2, D4 at a turnstile with the simulator, the broker and the central", () => {
  it("D2: a walk-away is undone everywhere, a push-through stands; D4: a tailgate, a forced gate and a gate held open raise alarms once", async ({
    pool,
    central: centralSite,
  }) => {
    const central = await centralSite(P).start();
    const { sim, reader, board, gateway, clock, store } = await pool({
      devices: ["  - { id: gate, kind: door, via: { driver: shelly-gen2, device: shellyplusi4-pool } }"],
      gatewayId: G,
      config: (ports) => ({
        gateway: { id: G, site: "rome-center" },
        sync: { enabled: true, topicPrefix: P },
        readers: [poolReader(ports.reader)],
        inputs: [
          PASS_IN,
          { id: "gate-contact", driver: "mqtt-shelly-gen2", device: "shellyplusi4-pool", input: 0 },
        ],
        doors: [
          {
            ...POOL_GATE,
            contact: "gate-contact",
            heldOpenSeconds: 1,
            forcedGraceSeconds: 0,
          },
        ],
      }),
      ready: (s) => expect(s.sync?.inStep).toBe(true),
    });
    const remaining = () =>
      memberBalance(store, { member: "m-anna" }, clock()).multipacks.find(
        (m) => m.multipackId === "mp-anna-swim",
      )?.creditsRemaining;
    const before = remaining();
    const presence = () => store.db.prepare("SELECT * FROM presence WHERE member_id = 'm-anna'").all();
    const presenceBefore = presence();

    // D2: Anna is let in and turns away: once the door's second has passed, it is as if she never came.
    reader.present(ANNA);
    const walkAway = await vi.waitFor(() => {
      const e = listEvents(store)[0];
      expect(e?.decision).toBe("grant");
      return e as NonNullable<typeof e>;
    });
    expect(walkAway.creditsDeducted).toBeGreaterThan(0);
    await vi.waitFor(() => expect(board.history.map((c) => c.on)).toEqual([true, false]), { timeout: 3000 });
    sim.act("turnstile", "walk-away");
    await vi.waitFor(() => expect(listEvents(store)[0]?.passed).toBe(false), { timeout: 5000 });
    expect(remaining()).toBe(before);
    expect(
      readVisits(store, walkAway.memberId as string).filter((v) => v.id === walkAway.id && !v.undone),
    ).toEqual([]);
    expect(presence()).toEqual(presenceBefore);
    // The central got the updated event with its refund at once (sync.md: not after the ack
    // timeout, 10 s): its credits agree with the gate's.
    await vi.waitFor(
      () => {
        const there = central.events(G).filter(isDecision);
        expect(there.find((e) => e.id === walkAway.id)?.passed).toBe(false);
        expect(central.remaining("mp-anna-swim")).toBe(before);
      },
      { timeout: 5000 },
    );

    // D2: she comes back and pushes through: the grant stands, at the gate and at the central (the
    // settled copy goes out at once too).
    reader.present(ANNA);
    const through = await vi.waitFor(() => {
      const e = listEvents(store)[1];
      expect(e?.decision).toBe("grant");
      return e as NonNullable<typeof e>;
    });
    await vi.waitFor(() => expect(board.history.filter((c) => c.on)).toHaveLength(2), { timeout: 3000 });
    sim.act("turnstile", "pass-in");
    await vi.waitFor(() => expect(listEvents(store)[1]?.passed).toBe(true), { timeout: 5000 });
    expect(remaining()).toBe((before ?? 0) - through.creditsDeducted);
    await vi.waitFor(
      () =>
        expect(
          central
            .events(G)
            .filter(isDecision)
            .find((e) => e.id === through.id)?.passed,
        ).toBe(true),
      { timeout: 5000 },
    );

    // D4: somebody pushes through on nobody's grant (once Anna's PASS output has dropped again): a
    // tailgate, raised and over at once.
    await vi.waitFor(() => expect(gateway.inputSignals.level("pass-in")).toBe("inactive"), { timeout: 5000 });
    sim.act("turnstile", "pass-in");
    const alarms = () =>
      listAllEvents(store, { kind: "alarm" }).flatMap((e) =>
        e.kind === "alarm" ? [[e.alarm, e.state]] : [],
      );
    await vi.waitFor(() => expect(alarms()).toContainEqual(["tailgate", "raised"]), { timeout: 5000 });

    // D4: the gate is pushed open with no grant (forced), and left open (held open); closing clears both.
    sim.act("gate", "open");
    await vi.waitFor(() => expect(alarms()).toContainEqual(["forced", "raised"]), { timeout: 5000 });
    await vi.waitFor(() => expect(alarms()).toContainEqual(["held_open", "raised"]), { timeout: 5000 });
    expect(gateway.status().problems.join("\n")).toMatch(/forced/);
    sim.act("gate", "close");
    await vi.waitFor(
      () => {
        expect(alarms()).toContainEqual(["forced", "cleared"]);
        expect(alarms()).toContainEqual(["held_open", "cleared"]);
      },
      { timeout: 5000 },
    );
    // Raised once, cleared once.
    expect(alarms().filter(([a]) => a === "held_open")).toEqual([
      ["held_open", "raised"],
      ["held_open", "cleared"],
    ]);
    // Every event reached the central.
    await vi.waitFor(() => expect(central.events(G)).toHaveLength(listAllEvents(store).length), {
      timeout: 10_000,
    });
  }, 60_000);
});

/** A member of staff who may pass a locked door and opens a first-person-in schedule (D3). */
const STAFF = `members:
  - id: m-lena
    name: Lena
    lockdownAccess: true
    cards: [{ number: "4242", status: active }]
    multipacks:
      - { id: mp-lena-swim, product: swim10, purchasedAt: "2027-03-01T18:00:00+01:00", status: active }
`;

describe("D2, D3 with the simulator's hardware", () => {
  it("D2: two grants and one passage settle the older and undo the newer; D3: a scheduled unlock waits for the first member of staff, then entries pass free", async ({
    pool,
    exampleStore,
    serialServer,
  }) => {
    importInputs(exampleStore, [{ name: "staff.yaml", text: STAFF }]);
    const spaLine = await serialServer();
    const { sim, reader, board, gateway, clock, store } = await pool({
      config: (ports) => ({
        readers: [
          poolReader(ports.reader),
          {
            id: "spa-in",
            driver: "serial-line",
            area: "pool",
            direction: "in",
            door: "spa-door",
            port: spaLine.target,
          },
        ],
        inputs: [PASS_IN],
        doors: [
          POOL_GATE,
          {
            id: "spa-door",
            relay: "board-1",
            channel: 3,
            pulseMs: 200,
            schedule: [{ days: ["mon"], from: "09:00", to: "12:00" }],
            firstPersonIn: true,
          },
        ],
      }),
    });

    // D2: Anna and Bruno are let in one after the other; one person goes through.
    reader.present(ANNA);
    await vi.waitFor(() => expect(listEvents(store)).toHaveLength(1));
    reader.present("7654321");
    await vi.waitFor(() => expect(listEvents(store).map((e) => e.decision)).toEqual(["grant", "grant"]));
    sim.act("turnstile", "pass-in");
    await vi.waitFor(() => expect(listEvents(store).map((e) => e.passed)).toEqual([true, false]), {
      timeout: 5000,
    });

    // D3: the spa's window is open, but nobody of staff has come: the door is normal and pulses.
    const spa = () => gateway.status().doors.find((d) => d.id === "spa-door");
    expect(spa()?.mode).toBe("normal");
    // The door's mode is the board's channel 3: held on once unlocked.
    const ch3 = () => board.history.filter((c) => c.channel === 3).at(-1)?.on ?? false;
    expect(ch3()).toBe(false);
    const lena = await gateway.command(
      {
        id: "fpi-1",
        at: new Date(clock()).toISOString(),
        verb: "admit",
        args: { card: "4242", reader: "spa-in" },
        operator: "reception",
        reason: "Lena's card reader at the spa is being replaced",
      },
      "local",
    );
    expect(lena).toMatchObject({ ok: true, decision: { decision: "grant" } });
    await vi.waitFor(() => expect(spa()?.mode).toBe("unlocked"), { timeout: 5000 });
    await vi.waitFor(() => expect(ch3()).toBe(true), { timeout: 5000 });
    expect(listAllEvents(store, { kind: "door" }).at(-1)).toMatchObject({
      door: "spa-door",
      mode: "unlocked",
      source: "schedule",
    });
    // Now an entry at the spa passes free, decided as a scan in the door's mode.
    const bruno = await gateway.command(
      {
        id: "fpi-2",
        at: new Date(clock()).toISOString(),
        verb: "admit",
        args: { card: "7654321", reader: "spa-in" },
        operator: "reception",
        reason: "the spa reader is being replaced",
      },
      "local",
    );
    expect(bruno).toMatchObject({ ok: true, decision: { decision: "grant", reason: "door_unlocked" } });
    expect(listEvents(store).at(-1)).toMatchObject({ reason: "door_unlocked", creditsDeducted: 0 });
  }, 60_000);
});
