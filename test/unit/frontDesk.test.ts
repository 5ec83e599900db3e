/** doors.md D5: the front desk's actions on a running gateway, each recorded with operator and reason. */
import { afterEach, beforeEach, describe, expect, vi } from "vitest";
import type { GatewayConfig } from "../../config/gateway.js";
import { memberBalance } from "../../gateway/decisions.js";
import type { Store } from "../../gateway/store/db.js";
import { listAllEvents, listEvents } from "../../gateway/store/events.js";
import { pendingEvents } from "../../gateway/store/outbox.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { doorConfig, FakeInputs, HEALTHY, startDoorRig } from "../helpers/doorRig.js";
import { memoryLogger } from "../helpers/logs.js";

const BRUNO = "7654321";
const STAFF = { operator: "giulia", reason: "pack chosen at the desk" };
const noPassage = () => doorConfig({}, { passage: undefined, passageB: undefined });

const it = test.extend("rig", ({ exampleStore, gateway }) => {
  void exampleStore;
  return (config: GatewayConfig = noPassage()) =>
    startDoorRig(gateway, config, new FakeInputs(Date.now, HEALTHY));
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: at("2027-03-22T17:30") });
});
afterEach(() => {
  vi.useRealTimers();
});

const packs = (store: Store) =>
  Object.fromEntries(
    memberBalance(store, { card: BRUNO }, Date.now()).multipacks.map((m) => [
      m.multipackId,
      m.creditsRemaining,
    ]),
  );
const pulses = (rig: Awaited<ReturnType<typeof startDoorRig>>) =>
  rig.relays.get("board")?.log.filter((l) => l.startsWith("pulse"));

describe("D5: open", () => {
  it("D5: open pulses the door once: a grant remote_open with no member and no charge, with operator and reason, queued for the central", async ({
    rig,
    exampleStore: store,
  }) => {
    const r = await rig();
    const result = await r.gateway.frontDesk.open({ door: "pool-gate", direction: "out" }, STAFF);
    expect(pulses(r)).toEqual(["pulse 2 1000"]);
    const [event] = listEvents(store);
    expect(event).toMatchObject({
      id: result.eventId,
      decision: "grant",
      reason: "remote_open",
      memberId: null,
      creditsDeducted: 0,
      direction: "out",
      area: "pool",
      operator: "giulia",
      staffReason: "pack chosen at the desk",
    });
    expect(pendingEvents(store).map((e) => e.id)).toEqual([result.eventId]);
  });

  it("D5: open of an unknown door is refused with the doors there are; a relay that is down is refused (D8)", async ({
    rig,
  }) => {
    const r = await rig();
    await expect(r.gateway.frontDesk.open({ door: "spa" }, STAFF)).rejects.toMatchObject({
      code: "unknown_door",
      message: 'unknown door "spa" (the gateway has: pool-gate)',
    });
    const board = r.relays.get("board");
    if (board) board.down = true;
    await expect(r.gateway.frontDesk.open({ door: "pool-gate" }, STAFF)).rejects.toMatchObject({
      code: "relay_failed",
    });
  });
});

describe("D5: admit", () => {
  it("D5 admit --multipack: charges that pack when it can be used there now (seed 003)", async ({
    rig,
    exampleStore: store,
  }) => {
    const r = await rig();
    const result = await r.gateway.frontDesk.admit(
      { card: BRUNO, reader: "pool-in", multipack: "mp-bruno-swim" },
      STAFF,
    );
    expect(result.decision).toMatchObject({ decision: "grant", reason: "ok" });
    expect(packs(store)).toMatchObject({ "mp-bruno-swim": 0 });
    expect(listEvents(store)[0]).toMatchObject({
      multipackId: "mp-bruno-swim",
      operator: "giulia",
      creditsDeducted: 2,
    });
    expect(pulses(r)).toEqual(["pulse 1 1000"]);
  });

  it("D5 admit --multipack: a pack that cannot pay here now is refused with its reason and words, the deny recorded; a pack the member lacks is refused", async ({
    rig,
    exampleStore: store,
  }) => {
    const r = await rig();
    const refused = r.gateway.frontDesk.admit(
      { card: BRUNO, reader: "pool-in", multipack: "mp-bruno-flex" },
      STAFF,
    );
    await expect(refused).rejects.toMatchObject({
      code: "outside_time_window",
      message: expect.stringMatching(/^outside the allowed time windows: /),
      eventId: "gw-1:1",
    });
    expect(listEvents(store)[0]).toMatchObject({ decision: "deny", operator: "giulia", multipackId: null });
    await expect(
      r.gateway.frontDesk.admit({ card: BRUNO, reader: "pool-in", multipack: "mp-anna-swim" }, STAFF),
    ).rejects.toMatchObject({ code: "unknown_multipack" });
    expect(listEvents(store)).toHaveLength(1);
    expect(pulses(r)).toEqual([]);
  });

  it("D5 admit --free: staff_override at no cost whatever the rules say, and the area's entry door opens", async ({
    rig,
    exampleStore: store,
  }) => {
    const r = await rig();
    await r.gateway.frontDesk.door({ door: "pool-gate", mode: "locked" }, STAFF);
    const result = await r.gateway.frontDesk.admit({ card: BRUNO, area: "pool", free: true }, STAFF);
    expect(result.decision).toMatchObject({ decision: "grant", reason: "staff_override" });
    expect(listEvents(store)[0]).toMatchObject({
      creditsDeducted: 0,
      readerId: null,
      staffReason: STAFF.reason,
    });
    expect(packs(store)).toMatchObject({ "mp-bruno-swim": 2 });
    expect(pulses(r)).toEqual(["pulse 1 1000"]);
  });

  it("§6: a staff admit is logged as a decision (door, member name, reason) with who admitted", async ({
    gateway,
    exampleStore,
  }) => {
    void exampleStore;
    const log = memoryLogger("info");
    const r = await startDoorRig(gateway, noPassage(), new FakeInputs(Date.now, HEALTHY), {
      logger: log.logger,
    });
    await r.gateway.frontDesk.admit({ card: BRUNO, area: "pool", free: true }, STAFF);
    expect(log.lines.find((l) => l.msg === "member admitted by staff")).toMatchObject({
      decision: "grant",
      reason: "staff_override",
      door: "pool-gate",
      memberId: "m-bruno",
      memberName: "Bruno",
      card: "…4321",
      operator: "giulia",
    });
  });

  it("D5 admit with neither: decided as a scan would be, in the door's mode", async ({
    rig,
    exampleStore: store,
  }) => {
    const r = await rig();
    await expect(r.gateway.frontDesk.admit({ card: "999", reader: "pool-in" }, STAFF)).rejects.toMatchObject({
      code: "unknown_card",
    });
    await r.gateway.frontDesk.door({ door: "pool-gate", mode: "locked" }, STAFF);
    await expect(r.gateway.frontDesk.admit({ card: BRUNO, reader: "pool-in" }, STAFF)).rejects.toMatchObject({
      code: "door_locked",
    });
    expect(listEvents(store).map((e) => e.reason)).toEqual(["unknown_card", "door_locked"]);
  });

  it("D5 admit: a reader and an area together, an unknown reader, --multipack with --free are refused", async ({
    rig,
  }) => {
    const r = await rig();
    const desk = r.gateway.frontDesk;
    await expect(desk.admit({ card: BRUNO, reader: "pool-in", area: "pool" }, STAFF)).rejects.toMatchObject({
      code: "usage",
    });
    await expect(desk.admit({ card: BRUNO, reader: "gym-in" }, STAFF)).rejects.toMatchObject({
      code: "unknown_reader",
    });
    await expect(
      desk.admit({ card: BRUNO, area: "pool", free: true, multipack: "mp-bruno-swim" }, STAFF),
    ).rejects.toMatchObject({ code: "usage" });
  });
});

describe("D5: door and emergency", () => {
  it("D5 emergency on releases every door (none named) and off resets them, each a door event with operator and reason", async ({
    rig,
    exampleStore: store,
  }) => {
    const r = await rig();
    const on = await r.gateway.frontDesk.emergency({ on: true }, STAFF);
    expect(on.doorEventIds).toHaveLength(1);
    expect(r.relays.get("board")?.isOn(1)).toBe(true);
    await r.gateway.frontDesk.emergency({ on: false }, STAFF);
    expect(r.relays.get("board")?.isOn(1)).toBe(false);
    expect(
      listAllEvents(store, { kind: "door" }).map((e) =>
        e.kind === "door" ? [e.mode, e.source, e.operator] : [],
      ),
    ).toEqual([
      ["emergency", "command", "giulia"],
      ["normal", "command", "giulia"],
    ]);
  });

  it("D5: a stopped gateway refuses the front desk", async ({ rig }) => {
    const r = await rig();
    await r.gateway.stop();
    expect(() => r.gateway.frontDesk).toThrow("the gateway is not running");
  });
});
