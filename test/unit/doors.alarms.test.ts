/** doors.md D4 through the daemon: held open, forced, input faults; raised once, cleared once, in status. */
import { afterEach, beforeEach, describe, expect, vi } from "vitest";
import type { GatewayConfig } from "../../config/gateway.js";
import type { Store } from "../../gateway/store/db.js";
import { listAllEvents } from "../../gateway/store/events.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { doorConfig, FakeInputs, HEALTHY, startDoorRig } from "../helpers/doorRig.js";

const ANNA = "1234567";
const STAFF = { operator: "giulia", reason: "delivery" };

const it = test.extend("rig", ({ exampleStore, gateway }) => {
  void exampleStore;
  return (config: GatewayConfig = doorConfig(), inputs = new FakeInputs(Date.now, HEALTHY)) =>
    startDoorRig(gateway, config, inputs);
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: at("2027-03-22T10:00") });
});
afterEach(() => {
  vi.useRealTimers();
});

const alarms = (store: Store) =>
  listAllEvents(store, { kind: "alarm" }).map((e) =>
    e.kind === "alarm" ? `${e.alarm} ${e.state} ${e.door ?? "-"} ${e.input ?? "-"}` : "",
  );

describe("D4: held_open and forced", () => {
  it("D4: a door opened for a grant and left open raises held_open once after heldOpenSeconds, cleared when it closes", async ({
    rig,
    exampleStore: store,
  }) => {
    const { present, inputs, gateway } = await rig();
    present("pool-in", ANNA);
    await vi.advanceTimersByTimeAsync(1000);
    inputs.set("pool-contact", "active");
    await vi.advanceTimersByTimeAsync(29_999);
    expect(alarms(store)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(alarms(store)).toEqual(["held_open raised pool-gate pool-contact"]);
    expect(gateway.status().doors[0]?.alarms).toEqual(["held_open"]);
    expect(gateway.status().problems).toContain("door pool-gate: alarm held_open");
    await vi.advanceTimersByTimeAsync(120_000);
    expect(alarms(store)).toHaveLength(1);

    inputs.set("pool-contact", "inactive");
    expect(alarms(store)).toEqual([
      "held_open raised pool-gate pool-contact",
      "held_open cleared pool-gate pool-contact",
    ]);
    expect(gateway.status().problems.filter((p) => p.includes("alarm"))).toEqual([]);
  });

  it("D4: a door opening with no grant is forced; within forcedGraceSeconds of a grant, a remote open or a REX press it is not", async ({
    rig,
    exampleStore: store,
  }) => {
    const { present, inputs, gateway } = await rig();
    inputs.set("pool-contact", "active");
    inputs.set("pool-contact", "inactive");
    expect(alarms(store)).toEqual([
      "forced raised pool-gate pool-contact",
      "forced cleared pool-gate pool-contact",
    ]);

    inputs.pass("pool-rex");
    await vi.advanceTimersByTimeAsync(5000);
    inputs.set("pool-contact", "active");
    inputs.set("pool-contact", "inactive");
    present("pool-in", ANNA);
    await vi.advanceTimersByTimeAsync(4000);
    inputs.set("pool-contact", "active");
    inputs.set("pool-contact", "inactive");
    await gateway.frontDesk.open({ door: "pool-gate" }, STAFF);
    inputs.set("pool-contact", "active");
    inputs.set("pool-contact", "inactive");
    expect(alarms(store)).toHaveLength(2);

    await vi.advanceTimersByTimeAsync(5001);
    inputs.set("pool-contact", "active");
    expect(alarms(store).at(-1)).toBe("forced raised pool-gate pool-contact");
  });

  it("D4: a door held released (free passage) raises neither forced nor held_open", async ({
    rig,
    exampleStore: store,
  }) => {
    const { inputs, gateway } = await rig();
    await gateway.frontDesk.door({ door: "pool-gate", mode: "unlocked" }, STAFF);
    await vi.advanceTimersByTimeAsync(60_000);
    inputs.set("pool-contact", "active");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(alarms(store)).toEqual([]);
  });
});

describe("D4: input_fault", () => {
  it("D4: an input unknown for more than 10 s raises input_fault once; a contact unknown raises no door alarm; back clears it", async ({
    rig,
    exampleStore: store,
  }) => {
    const { inputs, gateway } = await rig();
    inputs.set("pool-contact", "unknown");
    await vi.advanceTimersByTimeAsync(5000);
    inputs.set("pool-contact", "inactive");
    await vi.advanceTimersByTimeAsync(20_000);
    expect(alarms(store)).toEqual([]);

    inputs.set("pool-contact", "unknown");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(alarms(store)).toEqual(["input_fault raised pool-gate pool-contact"]);
    expect(gateway.status().problems).toContain(
      "door pool-gate: alarm input_fault (input pool-contact unreachable)",
    );
    await vi.advanceTimersByTimeAsync(60_000);
    inputs.set("pool-contact", "unknown");
    inputs.set("pool-contact", "active");
    expect(alarms(store)).toEqual([
      "input_fault raised pool-gate pool-contact",
      "input_fault cleared pool-gate pool-contact",
      "forced raised pool-gate pool-contact",
    ]);
  });

  it("D4: a fire panel's contact that never reads is an input fault of no door", async ({
    rig,
    exampleStore: store,
  }) => {
    await rig(doorConfig({ fireInputs: [{ input: "fire-panel" }] }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(alarms(store)).toEqual(["input_fault raised - fire-panel"]);
  });
});
