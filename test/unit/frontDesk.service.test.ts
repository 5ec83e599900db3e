import { describe, expect } from "vitest";
import type { CommandEvent } from "../../config/protocol/events.js";
import { CommandService } from "../../gateway/frontDesk/commandService.js";
import { COMMAND_MEMORY_MS } from "../../gateway/store/commands.js";
import type { Store } from "../../gateway/store/db.js";
import { listAllEvents } from "../../gateway/store/events.js";
import { it } from "../harness/index.js";
import { type FrontDeskScript, recordingFrontDesk } from "../helpers/frontDesk.js";
import { memoryLogger } from "../helpers/logs.js";

const T0 = Date.parse("2026-11-23T17:05:00Z");

/** A service on `store` whose clock the test sets, with a recording front desk. */
function rig(store: Store, script: FrontDeskScript = {}, withActions = true) {
  const desk = recordingFrontDesk(script);
  const log = memoryLogger();
  const clock = { now: T0 };
  let recorded = 0;
  const service = new CommandService({
    store,
    gatewayId: "gw-1",
    clock: () => clock.now,
    actions: withActions ? desk.actions : undefined,
    logger: log.logger,
    recorded: () => recorded++,
  });
  return { service, desk, log, clock, recorded: () => recorded };
}

const open = (id: string, at = T0, more: Record<string, unknown> = {}) => ({
  id,
  at: new Date(at).toISOString(),
  verb: "open",
  args: { door: "pool-gate" },
  operator: "anna",
  reason: "delivery at the side door",
  ...more,
});

const commandEvents = (store: Store) => listAllEvents(store, { kind: "command" }) as CommandEvent[];

describe("D5: the command service", () => {
  it("carries out a command and records who, why, where from and what it produced", ({ store }) => {
    const { service, desk, recorded } = rig(store.store);
    return service.handle(open("c-1"), "local").then((r) => {
      expect(r).toMatchObject({ id: "c-1", ok: true, error: null, eventId: "gw-1:101", replayed: false });
      expect(desk.calls).toEqual([
        {
          verb: "open",
          args: { door: "pool-gate" },
          staff: { operator: "anna", reason: "delivery at the side door" },
        },
      ]);
      const [event] = commandEvents(store.store);
      expect(event).toEqual({
        kind: "command",
        id: r.commandEventId,
        seq: 1,
        at: "2026-11-23T17:05:00.000Z",
        commandId: "c-1",
        verb: "open",
        args: { door: "pool-gate" },
        operator: "anna",
        reason: "delivery at the side door",
        origin: "local",
        ok: true,
        error: null,
        eventId: "gw-1:101",
      });
      expect(recorded()).toBe(1);
    });
  });

  it("D5: a command is done once per id; a replay gets the first result and nothing is done again", async ({
    store,
  }) => {
    const { service, desk, clock } = rig(store.store);
    const first = await service.handle(open("c-1"), "central");
    clock.now += 5 * 60_000; // long after: a replay is answered, never judged stale
    const again = await service.handle(open("c-1"), "central");
    expect(desk.calls).toHaveLength(1);
    expect(again).toMatchObject({ id: "c-1", ok: true, eventId: first.eventId, replayed: true });
    expect(commandEvents(store.store)).toHaveLength(1);
    expect(service.counters()).toEqual({ done: 1, refused: 0, replayed: 1, invalid: 0 });
  });

  it("D5: the same id arriving twice at once is carried out once", async ({ store }) => {
    const { service, desk } = rig(store.store, { hold: true });
    const a = service.handle(open("c-1"), "central");
    const b = service.handle(open("c-1"), "local");
    desk.release();
    const [ra, rb] = await Promise.all([a, b]);
    expect(desk.calls).toHaveLength(1);
    expect([ra.replayed, rb.replayed]).toEqual([false, true]);
    expect(rb.eventId).toBe(ra.eventId);
  });

  it("D5: the done ids survive a restart of the daemon", async ({ store }) => {
    await rig(store.store).service.handle(open("c-1"), "central");
    const after = rig(store.reopen());
    const r = await after.service.handle(open("c-1"), "central");
    expect(r).toMatchObject({ ok: true, replayed: true });
    expect(after.desk.calls).toHaveLength(0);
  });

  it("D5: a command older than 60 s on arrival is refused as stale, recorded, never carried out", async ({
    store,
  }) => {
    const { service, desk, clock } = rig(store.store);
    expect((await service.handle(open("c-60", T0 - 60_000), "central")).ok).toBe(true);
    clock.now += 1;
    const r = await service.handle(open("c-61", clock.now - 60_001), "central");
    expect(r).toMatchObject({ id: "c-61", ok: false, error: "stale", eventId: null });
    expect(desk.calls).toHaveLength(1);
    expect(commandEvents(store.store).map((e) => [e.commandId, e.ok, e.error])).toEqual([
      ["c-60", true, null],
      ["c-61", false, "stale"],
    ]);
    // The stale id stays refused: it is not carried out on a later copy either.
    expect(await service.handle(open("c-61", clock.now - 60_001), "central")).toMatchObject({
      error: "stale",
      replayed: true,
    });
    expect(desk.calls).toHaveLength(1);
  });

  it("refuses a command from beyond 10 s in the future (a wrong clock), accepts one within", async ({
    store,
  }) => {
    const { service, desk } = rig(store.store);
    expect((await service.handle(open("c-skew", T0 + 10_000), "central")).ok).toBe(true);
    expect(await service.handle(open("c-future", T0 + 10_001), "central")).toMatchObject({
      ok: false,
      error: "future",
    });
    expect(desk.calls).toHaveLength(1);
  });

  it("records a refusal of the front desk with its code, words and the decision it recorded", async ({
    store,
  }) => {
    const refuse = {
      code: "no_credits",
      message: "the multipack mp-1 has no credits left",
      eventId: "gw-1:7",
    };
    const { service } = rig(store.store, { refuse });
    const r = await service.handle(
      { ...open("c-1"), verb: "admit", args: { card: "4215834", area: "pool", multipack: "mp-1" } },
      "local",
    );
    expect(r).toMatchObject({
      ok: false,
      error: "no_credits: the multipack mp-1 has no credits left",
      eventId: "gw-1:7",
    });
    expect(commandEvents(store.store)[0]).toMatchObject({ verb: "admit", ok: false, eventId: "gw-1:7" });
  });

  it("answers bad input with the problem, counts it and records nothing", async ({ store }) => {
    const { service, desk, log } = rig(store.store);
    const r = await service.handle({ id: "c-1", verb: "open", args: { door: "pool-gate" } }, "local");
    expect(r).toMatchObject({ id: "c-1", ok: false, eventId: null, commandEventId: null });
    expect(r.error).toMatch(/^invalid: at: .*operator: .*reason: /);
    expect(await service.handle("not a command", "local")).toMatchObject({ id: null, ok: false });
    expect(desk.calls).toHaveLength(0);
    expect(commandEvents(store.store)).toHaveLength(0);
    expect(service.counters().invalid).toBe(2);
    expect(log.at("warn")).toHaveLength(2);
  });

  it("refuses every command as unavailable when the daemon runs no front desk", async ({ store }) => {
    const { service } = rig(store.store, {}, false);
    const r = await service.handle(open("c-1"), "central");
    expect(r).toMatchObject({ ok: false, error: "unavailable: this gateway runs no front desk" });
  });

  it("never acts again on an id a stopped daemon left half done", async ({ store }) => {
    const first = rig(store.store, { hold: true });
    void first.service.handle(open("c-1"), "central"); // the daemon dies while the door opens
    await new Promise((resolve) => setImmediate(resolve));
    const after = rig(store.reopen());
    const r = await after.service.handle(open("c-1"), "central");
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/^interrupted: /) });
    expect(after.desk.calls).toHaveLength(0);
  });

  it("does nothing and says so when the cache fails (it cannot tell whether the id was done)", async ({
    store,
  }) => {
    const { service, desk } = rig(store.store);
    store.store.close();
    const r = await service.handle(open("c-1"), "local");
    expect(r).toMatchObject({ id: "c-1", ok: false, eventId: null });
    expect(r.error).toMatch(/^failed: the gateway's cache cannot be used \(.*\); nothing was done$/);
    expect(desk.calls).toHaveLength(0);
  });

  it("logs an admit's card masked at info level", async ({ store }) => {
    const { service, log } = rig(store.store);
    await service.handle(
      { ...open("c-1"), verb: "admit", args: { card: "0004215834", reader: "pool-in" } },
      "local",
    );
    const line = log.at("info").find((l) => l.msg === "front desk: command done");
    expect(line?.args).toEqual({ card: "…5834", reader: "pool-in" });
    expect(JSON.stringify(log.lines)).not.toContain("4215834");
  });

  it("forgets done ids after a week (by then a copy is stale anyway)", async ({ store }) => {
    const { service, desk, clock } = rig(store.store);
    await service.handle(open("c-1"), "central");
    clock.now += COMMAND_MEMORY_MS + 1;
    await service.handle(open("c-2", clock.now), "central");
    const r = await service.handle(open("c-1"), "central");
    expect(r).toMatchObject({ ok: false, error: "stale", replayed: false });
    expect(desk.calls).toHaveLength(2);
  });
});
