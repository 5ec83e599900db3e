/** doors.md D2 through the daemon: provisional grants, passages, walk-aways, tailgates and restarts. */
import { afterEach, beforeEach, describe, expect, vi } from "vitest";
import type { GatewayConfig } from "../../config/gateway.js";
import { memberBalance } from "../../gateway/decisions.js";
import type { Store } from "../../gateway/store/db.js";
import { listAllEvents, listEvents } from "../../gateway/store/events.js";
import { readVisits } from "../../gateway/store/packedHistory.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { doorConfig, FakeInputs, HEALTHY, startDoorRig } from "../helpers/doorRig.js";

const ANNA = "1234567";
const BRUNO = "7654321";
const PEAK = at("2027-03-22T17:30");

const it = test.extend("rig", ({ exampleStore, gateway }) => {
  void exampleStore;
  return (config: GatewayConfig = doorConfig()) =>
    startDoorRig(gateway, config, new FakeInputs(Date.now, HEALTHY));
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: PEAK });
});
afterEach(() => {
  vi.useRealTimers();
});

const swim = (store: Store, card: string) =>
  memberBalance(store, { card }, Date.now()).multipacks.find((m) => m.productId === "swim10")
    ?.creditsRemaining;
const settle = () => vi.advanceTimersByTimeAsync(0);
const alarms = (store: Store) =>
  listAllEvents(store, { kind: "alarm" }).map((e) => (e.kind === "alarm" ? `${e.alarm} ${e.state}` : ""));

describe("D2: passage confirmation", () => {
  it("D2: a member who walks away gets the credits back after passageTimeoutSeconds from the pulse", async ({
    rig,
    exampleStore: store,
  }) => {
    const { present, relays, gateway } = await rig();
    present("pool-in", ANNA);
    await settle();
    expect(relays.get("board")?.log).toContain("pulse 1 1000");
    expect(swim(store, ANNA)).toBe(8);
    expect(gateway.status().doors[0]).toMatchObject({ id: "pool-gate", waiting: 1 });

    await vi.advanceTimersByTimeAsync(9_999);
    expect(listEvents(store)[0]).toMatchObject({ decision: "grant", passed: null });
    await vi.advanceTimersByTimeAsync(1);

    expect(listEvents(store)[0]).toMatchObject({ decision: "grant", passed: false, relayFailed: false });
    expect(swim(store, ANNA)).toBe(10);
    expect(readVisits(store, "m-anna").filter((v) => !v.undone)).toEqual([]);
    expect(gateway.status().doors[0]).toMatchObject({ waiting: 0 });
  });

  it("D2: the passage seen settles the grant: passed true, charged, nothing undone later", async ({
    rig,
    exampleStore: store,
  }) => {
    const { present, inputs } = await rig();
    present("pool-in", ANNA);
    await settle();
    inputs.pass("pass-a");
    await vi.advanceTimersByTimeAsync(20_000);
    expect(listEvents(store)[0]).toMatchObject({ passed: true });
    expect(swim(store, ANNA)).toBe(8);
  });

  it("D2: two grants and one passage: the oldest passed, the other undone", async ({
    rig,
    exampleStore: store,
  }) => {
    const { present, inputs } = await rig();
    present("pool-in", ANNA);
    await vi.advanceTimersByTimeAsync(1000);
    present("pool-in", BRUNO);
    await settle();
    inputs.pass("pass-a");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(listEvents(store).map((e) => [e.memberId, e.passed])).toEqual([
      ["m-anna", true],
      ["m-bruno", false],
    ]);
    expect(alarms(store)).toEqual([]);
  });

  it("D2, D4: a passage with no grant waiting is a tailgate, raised and cleared at once", async ({
    rig,
    exampleStore: store,
  }) => {
    const { present, inputs, gateway } = await rig();
    present("pool-in", ANNA);
    await settle();
    inputs.pass("pass-a");
    inputs.pass("pass-a");
    expect(alarms(store)).toEqual(["tailgate raised", "tailgate cleared"]);
    expect(listAllEvents(store, { kind: "alarm" })[0]).toMatchObject({ door: "pool-gate", input: "pass-a" });
    expect(gateway.status().problems.filter((p) => p.includes("tailgate"))).toEqual([]);
  });

  it("D2: without a passage input a grant is final: passed null, never undone", async ({
    rig,
    exampleStore: store,
  }) => {
    const { present } = await rig(doorConfig({}, { passage: undefined, passageB: undefined }));
    present("pool-in", ANNA);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(listEvents(store)[0]).toMatchObject({ decision: "grant", passed: null });
    expect(swim(store, ANNA)).toBe(8);
  });

  it("D2: an exit pulses channelB and waits on passageB, not on the entry's passage", async ({
    rig,
    exampleStore: store,
  }) => {
    const { present, inputs, relays } = await rig();
    present("pool-out", ANNA);
    await settle();
    expect(relays.get("board")?.log).toContain("pulse 2 1000");
    inputs.pass("pass-a");
    expect(alarms(store)).toEqual(["tailgate raised", "tailgate cleared"]);
    inputs.pass("pass-b");
    expect(listEvents(store)[0]).toMatchObject({ reason: "exit", passed: true });
  });
});

describe("D2, D8: a grant whose relay failed", () => {
  it("D2, D8: waits for no passage: refunded once by <id>:refund, nothing waiting, a passage after it is a tailgate", async ({
    rig,
    exampleStore: store,
  }) => {
    const { present, inputs, relays, gateway } = await rig();
    const board = relays.get("board");
    if (board) board.down = true;
    present("pool-in", ANNA);
    await settle();
    expect(listEvents(store)[0]).toMatchObject({ relayFailed: true, passed: null });
    expect(gateway.status().doors[0]).toMatchObject({ waiting: 0 });
    inputs.pass("pass-a");
    expect(alarms(store)).toEqual(["tailgate raised", "tailgate cleared"]);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(listEvents(store)[0]).toMatchObject({ relayFailed: true, passed: null });
    expect(swim(store, ANNA)).toBe(10);
  });
});

describe("D2: after a restart", () => {
  it("D2: a grant whose timeout passed while the gateway was down, with no passage recorded, is undone at start", async ({
    rig,
    exampleStore: store,
  }) => {
    const first = await rig();
    first.present("pool-in", ANNA);
    await settle();
    await first.gateway.stop();
    await vi.advanceTimersByTimeAsync(30_000);
    await rig();
    expect(listEvents(store)[0]).toMatchObject({ passed: false });
    expect(swim(store, ANNA)).toBe(10);
  });

  it("D2: a passage recorded before the restart is never refunded; a grant still in time waits on", async ({
    rig,
    exampleStore: store,
  }) => {
    const first = await rig();
    first.present("pool-in", ANNA);
    await vi.advanceTimersByTimeAsync(1000);
    first.present("pool-in", BRUNO);
    await settle();
    first.inputs.pass("pass-a");
    await first.gateway.stop();
    await vi.advanceTimersByTimeAsync(5000);
    const second = await rig();
    expect(listEvents(store).map((e) => e.passed)).toEqual([true, null]);
    expect(second.gateway.status().doors[0]).toMatchObject({ waiting: 1 });
    second.inputs.pass("pass-a");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(listEvents(store).map((e) => e.passed)).toEqual([true, true]);
    expect(swim(store, ANNA)).toBe(8);
  });
});
