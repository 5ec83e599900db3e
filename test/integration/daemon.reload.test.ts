/**
 * cli.md reload on the in-process gateway with fake devices: while a reload restarts one reader
 * and adds another, a card on an untouched reader is decided and its door opens; the next cards
 * are decided with the new doors; a refused file changes nothing and stands in status.
 */
import { describe, expect } from "vitest";
import { stringify } from "yaml";
import { GatewayConfig, type Reader, type Relay } from "../../config/gateway.js";
import { readGatewayConfigFile } from "../../config/gatewayFile.js";
import type { CreateReaderResult } from "../../drivers/readers/createReader.js";
import type { RelayDriver } from "../../drivers/relays/relayDriver.js";
import type { Gateway } from "../../gateway/daemon.js";
import { Reloader } from "../../gateway/reload.js";
import { listEvents } from "../../gateway/store/events.js";
import { test } from "../harness/index.js";
import { at, clockFrom } from "../helpers/build.js";
import { FakeInputs, FakeReader, RecordingRelay } from "../helpers/doorRig.js";
import { memoryLogger } from "../helpers/logs.js";

const ANNA = "1234567";
const BRUNO = "7654321";
/** A Monday morning at the worked example's pool, the clock running from there. */
const clock = clockFrom(at("2027-03-22T10:00"));

/** A fake reader that counts its stops; `holdStop()` makes the next stop wait until released. */
class StoppableReader extends FakeReader {
  stops = 0;
  private held: { entered: () => void; release: Promise<void> } | undefined;
  /** The next stop() waits for `release`; resolves once stop() has been called. */
  holdStop(): { stopping: Promise<void>; release: () => void } {
    let release = () => {};
    let entered = () => {};
    const stopping = new Promise<void>((r) => {
      entered = r;
    });
    this.held = { entered: () => entered(), release: new Promise<void>((r) => (release = r)) };
    return { stopping, release };
  }
  override async stop(): Promise<void> {
    this.stops++;
    const held = this.held;
    this.held = undefined;
    if (held) {
      held.entered();
      await held.release;
    }
  }
}

/** The configuration document: pool-in and pool-out at the pool gate on the board, plus `extra`. */
function doc(extra: { readers?: object[]; gate?: object; gateway?: object } = {}) {
  const reader = (id: string, direction: string, port: string) => ({
    id,
    driver: "serial-line",
    port,
    area: "pool",
    direction,
    door: "pool-gate",
  });
  return {
    gateway: { id: "gw-1", ...extra.gateway },
    readers: [
      reader("pool-in", "in", "tcp://127.0.0.1:1"),
      reader("pool-out", "out", "tcp://127.0.0.1:3"),
      ...(extra.readers ?? []),
    ],
    doors: [{ id: "pool-gate", relay: "board", channel: 1, channelB: 2, pulseMs: 1000, ...extra.gate }],
    relays: [{ id: "board", driver: "lcus-serial", port: "tcp://127.0.0.1:2" }],
  };
}

const it = test.extend("rig", async ({ gateway: start, exampleStore, writeFile, folder }) => {
  const made: StoppableReader[] = [];
  const relays = new Map<string, RecordingRelay>();
  const log = memoryLogger("info");
  const file = writeFile("gateway.yaml", stringify(doc()));
  let reloader: Reloader | undefined;
  const gateway: Gateway = await start({
    config: GatewayConfig.parse(doc()),
    clock,
    logger: log.logger,
    inputs: new FakeInputs(clock),
    problems: () => reloader?.problems() ?? [],
    readerFactory: (c: Reader): CreateReaderResult => {
      const r = new StoppableReader(c.id);
      made.push(r);
      return { ok: true, reader: r };
    },
    relayFactory: (c: Relay, deps): RelayDriver => {
      const r = new RecordingRelay(c.id, deps.restingStates);
      relays.set(c.id, r);
      return r;
    },
  });
  reloader = new Reloader({
    file,
    dataDir: folder.data,
    gatewayId: "gw-1",
    store: exampleStore,
    gateway,
    logger: log.logger,
  });
  /** The readers made for `id`, oldest first. */
  const readers = (id: string) => made.filter((r) => r.id === id);
  const latest = (id: string) => readers(id).at(-1) as StoppableReader;
  const rewrite = (d: object | string) => writeFile("gateway.yaml", typeof d === "string" ? d : stringify(d));
  return {
    gateway,
    reloader,
    readers,
    latest,
    board: relays.get("board") as RecordingRelay,
    log,
    rewrite,
    store: exampleStore,
  };
});

describe("reload: only what changed restarts (cli.md reload)", () => {
  it("a card on an untouched reader during the reload is decided and opens its door; the changed reader restarts, the added one starts, the next grant uses the new door", async ({
    rig,
  }) => {
    const { gateway, reloader, readers, latest, board, rewrite, store } = rig;
    const poolIn = latest("pool-in");
    // The changed reader (pool-out's debounce) is made to take its time stopping: the reload is mid-way.
    const edited = doc({ gate: { pulseMs: 700 } });
    edited.readers[1] = { ...edited.readers[1], port: "tcp://127.0.0.1:5" } as (typeof edited.readers)[1];
    rewrite({
      ...edited,
      readers: [
        ...edited.readers,
        {
          id: "pool-side",
          driver: "serial-line",
          port: "tcp://127.0.0.1:4",
          area: "pool",
          direction: "in",
          door: "pool-gate",
        },
      ],
    });
    const held = latest("pool-out").holdStop();
    const reloading = reloader.reload();
    // A refused file would never stop the reader: fail at once instead of hanging.
    await Promise.race([held.stopping, reloading.then((o) => expect(o.problems).toEqual([]))]);
    poolIn.present(ANNA);
    expect(board.log).toContain("pulse 1 1000");
    held.release();
    const outcome = await reloading;

    expect(outcome).toEqual({
      ok: true,
      file: expect.stringMatching(/gateway\.yaml$/),
      problems: [],
      changes: [
        "reader pool-out restarted (port changed)",
        "reader pool-side added (new in the file)",
        "door pool-gate changed (pulseMs changed)",
      ],
    });
    // Untouched: the same driver, never stopped; changed: a new driver, the old one stopped.
    expect(readers("pool-in")).toEqual([poolIn]);
    expect(poolIn.stops).toBe(0);
    expect(readers("pool-out").map((r) => r.stops)).toEqual([1, 0]);
    expect(readers("pool-side")).toHaveLength(1);
    expect(gateway.status().readers.map((r) => r.id)).toEqual(["pool-in", "pool-out", "pool-side"]);

    latest("pool-side").present(BRUNO);
    expect(board.log.at(-1)).toBe("pulse 1 700");
    latest("pool-out").present(ANNA);
    expect(board.log.at(-1)).toBe("pulse 2 700");
    const decided = listEvents(store, {}).map((e) => [e.readerId, e.decision]);
    expect(decided).toEqual([
      ["pool-in", "grant"],
      ["pool-side", "grant"],
      ["pool-out", "grant"],
    ]);
    expect(gateway.status().readers.find((r) => r.id === "pool-in")?.counters.grants).toBe(1);
  });

  it("logs one line per change by id", async ({ rig }) => {
    const d = doc();
    d.readers[0] = { ...d.readers[0], debounceMs: 500 } as (typeof d.readers)[0];
    rig.rewrite(d);
    await rig.reloader.reload();
    const info = rig.log.at("info").filter((l) => l.readerId === "pool-in");
    expect(info.map((l) => l.msg)).toEqual(["reader pool-in restarted (debounceMs changed)"]);
  });

  it("a bad file is refused whole: nothing changes, the problems are logged and stand in status until a good reload", async ({
    rig,
  }) => {
    const { gateway, reloader, latest, board, rewrite, log } = rig;
    const poolIn = latest("pool-in");
    const bad = doc({ gate: { pulseMs: 700 } });
    bad.readers[0] = { ...bad.readers[0], door: "no-such-door" };
    rewrite(bad);
    const outcome = await reloader.reload();
    expect(outcome.ok).toBe(false);
    expect(outcome.problems.join("\n")).toMatch(/no-such-door/);
    expect(
      log.at("error").some((l) => l.msg === "reload refused" && /no-such-door/.test(String(l.problem))),
    ).toBe(true);
    expect(gateway.status().problems.join("\n")).toMatch(
      /reload refused, the previous configuration runs: .*no-such-door/,
    );
    // The running configuration stays: same driver, the old door's pulse.
    poolIn.present(ANNA);
    expect(board.log.at(-1)).toBe("pulse 1 1000");
    expect(poolIn.stops).toBe(0);

    rewrite(doc());
    expect((await reloader.reload()).ok).toBe(true);
    expect(gateway.status().problems.filter((p) => p.startsWith("reload"))).toEqual([]);
  });

  it("refuses a new gateway id (only a restart changes it) and says so", async ({ rig }) => {
    rig.rewrite(doc({ gateway: { id: "gw-2" } }));
    const outcome = await rig.reloader.reload();
    expect(outcome.ok).toBe(false);
    expect(outcome.problems).toEqual([
      expect.stringMatching(
        /gateway\.id cannot change while the daemon runs \("gw-1" → "gw-2"\): restart the daemon/,
      ),
    ]);
    expect(rig.gateway.config.gateway.id).toBe("gw-1");
  });
});

describe("reload hooks (the service manager's RELOADING=1 / READY=1)", () => {
  it("calls onReloading before and onReloaded after every reload, refused or applied", async ({
    rig,
    folder,
  }) => {
    const calls: string[] = [];
    const file = rig.rewrite(doc());
    const reloader = new Reloader({
      file,
      dataDir: folder.data,
      gatewayId: "gw-1",
      store: rig.store,
      gateway: rig.gateway,
      logger: rig.log.logger,
      read: (f) => {
        calls.push("read");
        return readGatewayConfigFile(f);
      },
      hooks: {
        onReloading: () => calls.push("reloading"),
        onReloaded: (outcome) => calls.push(`reloaded ${outcome.ok}`),
      },
    });
    await reloader.reload();
    rig.rewrite("readers: [");
    await reloader.reload();
    expect(calls).toEqual(["reloading", "read", "reloaded true", "reloading", "read", "reloaded false"]);
  });
});
