import { describe, expect, vi } from "vitest";
import { followEvents, runEvents, type Wait } from "../../gateway/cliEvents.js";
import { scan } from "../../gateway/decisions.js";
import { Store } from "../../gateway/store/db.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { scanReq } from "./storeHelpers.js";

/** A wait the test releases by hand: each poll of the follow is one step the test takes. */
function steppedWait() {
  const waits: (() => void)[] = [];
  const wait: Wait = (_ms, signal) =>
    new Promise<void>((resolve) => {
      waits.push(resolve);
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  /** Lets the follow poll once more and waits until it waits again. */
  const step = async () => {
    const n = waits.length;
    waits[n - 1]?.();
    await vi.waitFor(() => expect(waits).toHaveLength(n + 1));
  };
  return { wait, waits, step };
}

describe("events --follow", () => {
  it("prints the matching events recorded after it began, in recording order, until the signal", async ({
    exampleStore: store,
  }) => {
    scan(store, scanReq("1234567", "pool"), at("2027-03-22T10:00"), "gw-1");
    const printed: [number, string][] = [];
    const stop = new AbortController();
    const { wait, waits, step } = steppedWait();
    const done = followEvents(
      store,
      { memberId: "m-anna" },
      1,
      stop.signal,
      (e) => printed.push([e.seq, e.kind === "decision" ? e.reason : e.kind]),
      wait,
    );
    await vi.waitFor(() => expect(waits).toHaveLength(1));
    expect(printed).toEqual([]);

    scan(store, scanReq("7654321", "gym"), at("2027-03-22T10:05"), "gw-1");
    scan(store, scanReq("1234567", "pool", "out"), at("2027-03-22T10:10"), "gw-1");
    await step();
    expect(printed).toEqual([[3, "exit"]]);

    scan(store, scanReq("0001234567", "pool"), at("2027-03-22T09:00"), "gw-1");
    await step();
    expect(printed).toEqual([
      [3, "exit"],
      [4, "ok"],
    ]);

    stop.abort();
    await done;
    scan(store, scanReq("1234567", "gym"), at("2027-03-22T11:00"), "gw-1");
    expect(printed).toHaveLength(2);
  });

  it("catches up on a long backlog in reads of 500 seqs, without waiting between them", async ({
    exampleStore: store,
  }) => {
    const insert = store.db.prepare(
      "INSERT INTO events (seq, id, at, decision, reason, card, reader_id, doc) VALUES (?, ?, ?, 'deny', 'unknown_card', ?, NULL, ?)",
    );
    store.db.transaction(() => {
      for (let seq = 1; seq <= 1234; seq++) {
        const card = seq % 2 === 0 ? "42" : "43";
        insert.run(seq, `gw:${seq}`, seq, card, JSON.stringify({ seq, card }));
      }
    })();
    const printed: number[] = [];
    const stop = new AbortController();
    const { wait, waits } = steppedWait();
    const done = followEvents(store, { card: "42" }, 0, stop.signal, (e) => printed.push(e.seq), wait);
    await vi.waitFor(() => expect(waits).toHaveLength(1));
    expect(printed).toHaveLength(617);
    expect(printed.slice(0, 3)).toEqual([2, 4, 6]);
    expect(printed.at(-1)).toBe(1234);
    stop.abort();
    await done;
  });
});

/** An output that is full after every line until the test lets it drain. */
function slowPipe() {
  const lines: string[] = [];
  const pipe = {
    lines,
    full: true,
    release: () => {},
    io: {
      out: (text: string) => lines.push(text),
      err: (text: string) => lines.push(`stderr: ${text}`),
      env: {},
      drain: () =>
        pipe.full
          ? new Promise<void>((resolve) => {
              pipe.release = resolve;
            })
          : null,
    },
  };
  return pipe;
}

/** Three of Bruno's gym entries, recorded; the test's store is closed so runEvents opens its own. */
function threeEvents(store: Store): void {
  for (const time of ["10:00", "10:10", "10:20"])
    scan(store, scanReq("7654321", "gym"), at(`2027-03-22T${time}`), "gw-1");
  store.close();
}

describe("events into a slow pipe", () => {
  it("waits while the output is full instead of piling the history up in memory", async ({
    store: t,
    exampleStore,
  }) => {
    threeEvents(exampleStore);
    const pipe = slowPipe();
    const done = runEvents(
      { json: true },
      {
        io: pipe.io,
        openStore: () => Store.open(t.dir),
        time: () => () => 0,
        signal: new AbortController().signal,
      },
    );
    await vi.waitFor(() => expect(pipe.lines).toHaveLength(1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(pipe.lines).toHaveLength(1);
    pipe.full = false;
    pipe.release();
    expect(await done).toBe(0);
    expect(pipe.lines.map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3]);
  });

  it("stops a --follow ended (Ctrl-C) during its first listing there, with exit 0", async ({
    store: t,
    exampleStore,
  }) => {
    threeEvents(exampleStore);
    const pipe = slowPipe();
    const stop = new AbortController();
    const done = runEvents(
      { json: true, follow: true },
      { io: pipe.io, openStore: () => Store.open(t.dir), time: () => () => 0, signal: stop.signal },
    );
    await vi.waitFor(() => expect(pipe.lines).toHaveLength(1));
    stop.abort();
    pipe.release();
    expect(await done).toBe(0);
    expect(pipe.lines).toHaveLength(1);
  });
});
