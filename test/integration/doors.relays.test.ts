/**
 * doors.md D2, D3 and D8 on a real relay board: the simulator's LCUS board on a socat pseudo-
 * terminal, the gateway's real lcus-serial driver and store; the readers and the inputs (another
 * feature's) are fakes the test drives.
 */
import { beforeAll, describe, expect, vi } from "vitest";
import type { GatewayConfig, Reader } from "../../config/gateway.js";
import { encodeLcus } from "../../drivers/codecs/lcus.js";
import type { CreateReaderResult } from "../../drivers/readers/createReader.js";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { requireSocat } from "../../firmware-sim/devices/ptyLink.js";
import { memberBalance } from "../../gateway/decisions.js";
import { listEvents } from "../../gateway/store/events.js";
import { pendingEvents } from "../../gateway/store/outbox.js";
import { readVisits } from "../../gateway/store/packedHistory.js";
import { test } from "../harness/index.js";
import { at, clockFrom } from "../helpers/build.js";
import { doorConfig, FakeInputs, FakeReader, HEALTHY } from "../helpers/doorRig.js";

beforeAll(() => requireSocat());

const ANNA = "1234567";
/** A Monday morning at the worked example's pool, the clock running from there. */
const clock = clockFrom(at("2027-03-22T10:00"));

const it = test.extend("board", ({ ptyLink, defer }) => async () => {
  const link = await ptyLink();
  const board = new SimLcusBoard({ link });
  board.start();
  defer(async () => board.stop());
  return { board, port: link.target };
});

/** The pool gate (channels 1 and 2) and the spa door (channel 4) on the LCUS board at `port`. */
function onBoard(
  port: string,
  gate: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): GatewayConfig {
  return doorConfig({
    relays: [{ id: "board", driver: "lcus-serial", port, baudRate: 9600, frameGapMs: 20 }],
    doors: [
      { id: "pool-gate", relay: "board", channel: 1, channelB: 2, passage: "pass-a", pulseMs: 200, ...gate },
      { id: "spa-door", relay: "board", channel: 4 },
    ],
    ...extra,
  });
}

/** The fake readers of a gateway, by id. */
function readerFactory(readers: Map<string, FakeReader>) {
  return (c: Reader): CreateReaderResult => {
    const r = new FakeReader(c.id);
    readers.set(c.id, r);
    return { ok: true, reader: r };
  };
}

describe("D2 on a real LCUS board", () => {
  it("D2: a turnstile walk-away: the relay pulsed, then credits back, visit undone, presence restored, the event queued again with passed false", async ({
    board: makeBoard,
    gateway: startGateway,
    exampleStore: store,
  }) => {
    const { board, port } = await makeBoard();
    const readers = new Map<string, FakeReader>();
    const inputs = new FakeInputs(clock, { ...HEALTHY, "pass-a": "inactive" });
    const gateway = await startGateway({
      config: onBoard(port, { passageTimeoutSeconds: 1 }),
      clock,
      inputs,
      readerFactory: readerFactory(readers),
    });
    await vi.waitFor(() => expect(gateway.status().relays[0]?.state).toBe("open"), { timeout: 5000 });
    const before = memberBalance(store, { card: ANNA }, clock()).multipacks[0]?.creditsRemaining;
    const switched: boolean[] = [];
    board.on("change", (c) => {
      if (c.channel === 1) switched.push(c.on);
    });

    readers.get("pool-in")?.present(ANNA);
    await vi.waitFor(() => expect(switched).toEqual([true, false]), { timeout: 3000 });
    expect(memberBalance(store, { card: ANNA }, clock()).multipacks[0]?.creditsRemaining).toBeLessThan(
      before ?? 0,
    );
    store.prepare("DELETE FROM outbox").run();

    await vi.waitFor(() => expect(listEvents(store)[0]?.passed).toBe(false), { timeout: 3000 });
    expect(memberBalance(store, { card: ANNA }, clock()).multipacks[0]?.creditsRemaining).toBe(before);
    expect(readVisits(store, "m-anna").filter((v) => !v.undone)).toEqual([]);
    expect(store.prepare("SELECT count(*) FROM presence WHERE member_id = 'm-anna'").pluck().get()).toBe(0);
    expect(pendingEvents(store).map((e) => e.id)).toEqual([listEvents(store)[0]?.id]);
  });
});

describe("D3 on a real LCUS board", () => {
  it("D3: a fire input releases two doors within 100 ms, and they stay released across a restart after the board lost power", async ({
    board: makeBoard,
    gateway: startGateway,
    exampleStore: store,
  }) => {
    const { board, port } = await makeBoard();
    const config = onBoard(port, {}, { fireInputs: [{ input: "fire-panel" }] });
    const inputs = new FakeInputs(clock, { ...HEALTHY, "fire-panel": "inactive" });
    const first = await startGateway({ config, clock, inputs, readerFactory: readerFactory(new Map()) });
    await vi.waitFor(() => expect(first.status().relays[0]?.state).toBe("open"), { timeout: 5000 });

    const edge = performance.now();
    inputs.set("fire-panel", "active");
    await vi.waitFor(
      () => expect([board.isOn(1), board.isOn(2), board.isOn(4)]).toEqual([true, true, true]),
      {
        timeout: 1000,
        interval: 2,
      },
    );
    expect(performance.now() - edge).toBeLessThan(100);
    await first.stop();

    // The board lost power meanwhile: every relay off.
    for (const ch of [1, 2, 4]) board.receive(encodeLcus(ch, false));
    const readers = new Map<string, FakeReader>();
    const second = await startGateway({
      config,
      inputs: new FakeInputs(clock, { ...HEALTHY, "fire-panel": "inactive" }),
      readerFactory: readerFactory(readers),
    });
    await vi.waitFor(
      () => expect([board.isOn(1), board.isOn(2), board.isOn(4)]).toEqual([true, true, true]),
      {
        timeout: 5000,
      },
    );
    expect(second.status().doors.map((d) => d.mode)).toEqual(["emergency", "emergency"]);
    readers.get("pool-in")?.present(ANNA);
    await vi.waitFor(() => expect(listEvents(store).at(-1)?.reason).toBe("emergency"));
  });
});

describe("D3, D5 on a real LCUS board", () => {
  const STAFF = { operator: "giulia", reason: "test" };

  it("D5: open pulses the door; door unlocked holds both channels; emergency holds the spa door; lockdown denies a member's entry and lets an exit through", async ({
    board: makeBoard,
    gateway: startGateway,
    exampleStore: store,
  }) => {
    const { board, port } = await makeBoard();
    const readers = new Map<string, FakeReader>();
    const gateway = await startGateway({
      config: onBoard(port, { passage: undefined }),
      clock,
      inputs: new FakeInputs(clock, HEALTHY),
      readerFactory: readerFactory(readers),
    });
    await vi.waitFor(() => expect(gateway.status().relays[0]?.state).toBe("open"), { timeout: 5000 });
    const changes: string[] = [];
    board.on("change", (c) => changes.push(`${c.channel} ${c.on ? "on" : "off"}`));
    const desk = gateway.frontDesk;

    await desk.open({ door: "pool-gate" }, STAFF);
    await vi.waitFor(() => expect(changes).toEqual(["1 on", "1 off"]));
    await desk.door({ door: "pool-gate", mode: "unlocked" }, STAFF);
    await desk.emergency({ on: true, doors: ["spa-door"] }, STAFF);
    await vi.waitFor(() => expect([board.isOn(1), board.isOn(2), board.isOn(4)]).toEqual([true, true, true]));
    await desk.emergency({ on: false, doors: ["spa-door"] }, STAFF);
    await desk.door({ door: "pool-gate", mode: "locked" }, STAFF);
    await vi.waitFor(() =>
      expect([board.isOn(1), board.isOn(2), board.isOn(4)]).toEqual([false, false, false]),
    );

    readers.get("pool-in")?.present(ANNA);
    readers.get("pool-out")?.present("7654321");
    await vi.waitFor(() =>
      expect(listEvents(store).map((e) => e.reason)).toEqual(["remote_open", "door_locked", "exit"]),
    );
    await vi.waitFor(() => expect(changes.slice(-2)).toEqual(["2 on", "2 off"]), { timeout: 3000 });
  });
});
