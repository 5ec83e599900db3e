/** doors.md D3 and D8 through the daemon: fire release, lockdown, free passage, schedules, relays held. */
import { afterEach, beforeEach, describe, expect, vi } from "vitest";
import type { GatewayConfig } from "../../config/gateway.js";
import { Member } from "../../config/members.js";
import type { Store } from "../../gateway/store/db.js";
import { listAllEvents, listEvents } from "../../gateway/store/events.js";
import { importMembers } from "../../gateway/store/importer.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { doorConfig, FakeInputs, HEALTHY, startDoorRig } from "../helpers/doorRig.js";

const ANNA = "1234567";
const BRUNO = "7654321";
const STAFF = { operator: "giulia", reason: "drill" };

/** Two doors on one board: the pool gate (channels 1, 2) and the spa door (channel 4); a fire panel for both. */
const twoDoors = (reset: "manual" | "auto" = "manual", spa: Record<string, unknown> = {}): GatewayConfig =>
  doorConfig({
    doors: [
      { id: "pool-gate", relay: "board", channel: 1, channelB: 2 },
      { id: "spa-door", relay: "board", channel: 4, ...spa },
    ],
    fireInputs: [{ input: "fire-panel", reset }],
  });

const it = test.extend("rig", ({ exampleStore, gateway }) => {
  void exampleStore;
  return (
    config: GatewayConfig,
    inputs = new FakeInputs(Date.now, { ...HEALTHY, "fire-panel": "inactive" }),
  ) => startDoorRig(gateway, config, inputs);
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: at("2027-03-22T17:30") });
});
afterEach(() => {
  vi.useRealTimers();
});

const doorEvents = (store: Store) =>
  listAllEvents(store, { kind: "door" }).map((e) =>
    e.kind === "door" ? `${e.door} ${e.mode} ${e.source}` : "",
  );
const settle = () => vi.advanceTimersByTimeAsync(0);
/** Anna as staff: lockdownAccess. */
const annaIsStaff = (store: Store) =>
  importMembers(
    store,
    [
      Member.parse({
        id: "m-anna",
        name: "Anna",
        lockdownAccess: true,
        cards: [{ number: "0001234567", status: "active" }],
        multipacks: [{ id: "mp-anna-swim", product: "swim10", purchasedAt: "2027-03-01T18:00:00+01:00" }],
      }),
    ],
    "test",
  );

describe("D3: fire inputs", () => {
  it("D3: a fire input releases every door at its edge (no time passes), and scans are granted emergency without a pulse", async ({
    rig,
    exampleStore: store,
  }) => {
    const { inputs, relays, present, gateway } = await rig(twoDoors());
    const board = relays.get("board");
    inputs.set("fire-panel", "active");
    expect([board?.isOn(1), board?.isOn(2), board?.isOn(4)]).toEqual([true, true, true]);
    expect(doorEvents(store)).toEqual(["pool-gate emergency fire", "spa-door emergency fire"]);
    expect(gateway.status().doors.map((d) => d.mode)).toEqual(["emergency", "emergency"]);

    present("pool-in", "99999");
    await settle();
    expect(listEvents(store)[0]).toMatchObject({
      decision: "grant",
      reason: "emergency",
      creditsDeducted: 0,
    });
    expect(board?.log.filter((l) => l.startsWith("pulse"))).toEqual([]);
  });

  it("D3: reset manual: the input clearing changes nothing; only a command ends it, refused while the panel is still active", async ({
    rig,
    exampleStore: store,
  }) => {
    const { inputs, relays, gateway } = await rig(twoDoors());
    inputs.set("fire-panel", "active");
    await expect(gateway.frontDesk.emergency({ on: false }, STAFF)).rejects.toMatchObject({
      code: "fire_active",
    });
    inputs.set("fire-panel", "inactive");
    expect(gateway.status().doors.map((d) => d.mode)).toEqual(["emergency", "emergency"]);

    const done = await gateway.frontDesk.emergency({ on: false, doors: ["spa-door"] }, STAFF);
    expect(done.doorEventIds).toHaveLength(1);
    expect(gateway.status().doors.map((d) => d.mode)).toEqual(["emergency", "normal"]);
    expect(relays.get("board")?.isOn(4)).toBe(false);
    expect(listAllEvents(store, { kind: "door" }).at(-1)).toMatchObject({
      door: "spa-door",
      mode: "normal",
      source: "command",
      operator: "giulia",
      reason: "drill",
    });
  });

  it("D3: reset auto: the doors return to their mode when the input clears", async ({ rig }) => {
    const { inputs, gateway, relays } = await rig(twoDoors("auto"));
    inputs.set("fire-panel", "active");
    inputs.set("fire-panel", "inactive");
    expect(gateway.status().doors.map((d) => d.mode)).toEqual(["normal", "normal"]);
    expect(relays.get("board")?.isOn(1)).toBe(false);
  });

  it("D3: emergency is not undone by a stop and a restart: the relays open into it before the first card", async ({
    rig,
  }) => {
    const first = await rig(twoDoors());
    first.inputs.set("fire-panel", "active");
    await first.gateway.stop();
    // The panel was reset meanwhile, but reset is manual: the doors stay released.
    const second = await rig(twoDoors(), new FakeInputs(Date.now, { ...HEALTHY, "fire-panel": "inactive" }));
    expect(second.relays.get("board")?.log.slice(0, 3)).toEqual(["rest 1 on", "rest 2 on", "rest 4 on"]);
    expect(second.gateway.status().doors.map((d) => d.mode)).toEqual(["emergency", "emergency"]);
  });
});

describe("D3: commands, lockdown and free passage", () => {
  it("D3: locked: a member denied door_locked, staff with lockdownAccess let in, exits granted (D8)", async ({
    rig,
    exampleStore: store,
  }) => {
    const { gateway, present } = await rig(doorConfig({}, { passage: undefined, passageB: undefined }));
    await gateway.frontDesk.door({ door: "pool-gate", mode: "locked" }, STAFF);
    present("pool-in", BRUNO);
    present("pool-out", BRUNO);
    annaIsStaff(store);
    present("pool-in", ANNA);
    await settle();
    expect(listEvents(store).map((e) => `${e.memberId} ${e.direction} ${e.reason}`)).toEqual([
      "m-bruno in door_locked",
      "m-bruno out exit",
      "m-anna in ok",
    ]);
  });

  it("D3: unlocked until an instant: the relay held released, entries free, then back to normal (source until)", async ({
    rig,
    exampleStore: store,
  }) => {
    const { gateway, present, relays } = await rig(doorConfig());
    const until = new Date(Date.now() + 60_000).toISOString();
    await gateway.frontDesk.door({ door: "pool-gate", mode: "unlocked", until }, STAFF);
    expect(relays.get("board")?.isOn(1)).toBe(true);
    expect(gateway.status().doors[0]).toMatchObject({
      mode: "unlocked",
      source: "command",
      until,
      operator: "giulia",
    });
    present("pool-in", ANNA);
    await settle();
    expect(listEvents(store)[0]).toMatchObject({ reason: "door_unlocked", creditsDeducted: 0, passed: null });

    await vi.advanceTimersByTimeAsync(61_000);
    expect(gateway.status().doors[0]).toMatchObject({ mode: "normal", source: "until" });
    expect(relays.get("board")?.isOn(1)).toBe(false);
    expect(doorEvents(store)).toEqual(["pool-gate unlocked command", "pool-gate normal until"]);
  });

  it("D3: an unknown door or an until in the past is refused with words", async ({ rig }) => {
    const { gateway } = await rig(doorConfig());
    await expect(gateway.frontDesk.door({ door: "nope", mode: "locked" }, STAFF)).rejects.toThrow(
      'unknown door "nope" (the gateway has: pool-gate)',
    );
    await expect(
      gateway.frontDesk.door({ door: "pool-gate", mode: "locked", until: "2020-01-01T00:00:00Z" }, STAFF),
    ).rejects.toMatchObject({ code: "until_passed" });
  });
});

describe("D3: schedules and first-person-in", () => {
  const scheduled = (firstPersonIn: boolean) =>
    doorConfig(
      {},
      {
        passage: undefined,
        passageB: undefined,
        schedule: [{ days: ["mon"], from: "17:00", to: "19:00" }],
        firstPersonIn,
      },
    );

  it("D3: a scheduled unlock holds the door released in its window and ends with it", async ({
    rig,
    exampleStore: store,
  }) => {
    const { gateway, relays } = await rig(scheduled(false));
    expect(gateway.status().doors[0]).toMatchObject({ mode: "unlocked", source: "schedule" });
    expect(relays.get("board")?.log.slice(0, 2)).toEqual(["rest 1 on", "rest 2 on"]);
    await vi.advanceTimersByTimeAsync(90 * 60_000 + 1000);
    expect(gateway.status().doors[0]).toMatchObject({ mode: "normal" });
    expect(relays.get("board")?.isOn(1)).toBe(false);
    expect(doorEvents(store)).toEqual(["pool-gate unlocked schedule", "pool-gate normal schedule"]);
  });

  it("D3 firstPersonIn: the window opens only after the first grant of a member with lockdownAccess", async ({
    rig,
    exampleStore: store,
  }) => {
    annaIsStaff(store);
    const { gateway, present } = await rig(scheduled(true));
    await vi.advanceTimersByTimeAsync(2000);
    expect(gateway.status().doors[0]).toMatchObject({ mode: "normal" });
    present("pool-in", BRUNO);
    await settle();
    expect(gateway.status().doors[0]).toMatchObject({ mode: "normal" });
    present("pool-in", ANNA);
    await settle();
    expect(gateway.status().doors[0]).toMatchObject({ mode: "unlocked", source: "schedule" });
    expect(listEvents(store).map((e) => e.reason)).toEqual(["ok", "ok"]);
  });
});

describe("D8: relays and the mode", () => {
  it("D8: a mode set while the relay is down is put on the relay when it comes back; a pulse while down fails at once", async ({
    rig,
    exampleStore: store,
  }) => {
    const { gateway, relays, present } = await rig(
      doorConfig({}, { passage: undefined, passageB: undefined }),
    );
    const board = relays.get("board");
    if (!board) throw new Error("no board");
    board.down = true;
    present("pool-in", ANNA);
    await settle();
    expect(listEvents(store)[0]).toMatchObject({ decision: "grant", relayFailed: true });
    await gateway.frontDesk.door({ door: "pool-gate", mode: "unlocked" }, STAFF);
    expect(board.isOn(1)).toBe(false);
    board.reopen();
    expect([board.isOn(1), board.isOn(2)]).toEqual([true, true]);
  });

  it("D3: a fail-safe lock (releaseOn de-energise) rests energised, pulses off, and is held off when released", async ({
    rig,
  }) => {
    const { relays, present, gateway } = await rig(
      doorConfig(
        {},
        { passage: undefined, passageB: undefined, releaseOn: "de-energise", channelB: undefined },
      ),
    );
    const board = relays.get("board");
    present("pool-in", ANNA);
    await vi.advanceTimersByTimeAsync(1000);
    expect(board?.log).toEqual(["rest 1 on", "hold 1 off", "hold 1 on"]);
    await gateway.frontDesk.door({ door: "pool-gate", mode: "unlocked" }, STAFF);
    expect(board?.isOn(1)).toBe(false);
  });
});
