/**
 * The relay drivers' per-channel queue (drivers/relays/keyedQueue.ts): one task at a time per key,
 * keys independent, a failure never blocking the next task, and a task for an idle key started
 * within run() itself, so a door's pulse reaches its driver before the caller goes on (issue 13,
 * card-to-relay latency: the pulse used to wait for the rest of the scan's turn).
 */
import { describe, expect, it } from "vitest";
import { KeyedQueue } from "../../drivers/relays/keyedQueue.js";

/** A task that records its start and ends when told. */
function gate(log: string[], name: string) {
  let end!: (ok: boolean) => void;
  const task = () =>
    new Promise<string>((resolve, reject) => {
      log.push(`start ${name}`);
      end = (ok) => (ok ? resolve(name) : reject(new Error(name)));
    });
  return { task, end: (ok = true) => end(ok) };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("KeyedQueue", () => {
  it("starts a task for an idle key within run(), before the caller's next line", () => {
    const q = new KeyedQueue<number>();
    const log: string[] = [];
    void q.run(0, gate(log, "a").task);
    log.push("caller goes on");
    expect(log).toEqual(["start a", "caller goes on"]);
    expect(q.pending()).toBe(1);
  });

  it("runs one task at a time per key in order, keys side by side, a failure not blocking the next", async () => {
    const q = new KeyedQueue<number>();
    const log: string[] = [];
    const [a, b, c, other] = [gate(log, "a"), gate(log, "b"), gate(log, "c"), gate(log, "other")];
    const results = [q.run(0, a.task), q.run(0, b.task), q.run(0, c.task)].map((p) =>
      p.then(
        (v) => `ok ${v}`,
        (e: Error) => `failed ${e.message}`,
      ),
    );
    void q.run(1, other.task);
    expect(log).toEqual(["start a", "start other"]);
    expect(q.pending(0)).toBe(3);
    a.end(false);
    await flush();
    expect(log).toEqual(["start a", "start other", "start b"]);
    b.end();
    await flush();
    c.end();
    other.end();
    expect(await Promise.all(results)).toEqual(["failed a", "ok b", "ok c"]);
    await q.idle();
    await flush();
    expect(q.pending()).toBe(0);
    // Drained: the next task for the key starts at once again.
    void q.run(0, gate(log, "d").task);
    expect(log.at(-1)).toBe("start d");
  });

  it("lets a task that queues for its own key wait for itself, and counts housekeeping apart", async () => {
    const q = new KeyedQueue<string>();
    const log: string[] = [];
    let inner: Promise<unknown> | undefined;
    const outer = q.run("k", async () => {
      log.push("outer starts");
      inner = q.run("k", async () => log.push("inner runs"), { counted: false });
      await flush();
      log.push("outer ends");
    });
    expect(q.pending("k")).toBe(1);
    await outer;
    await inner;
    expect(log).toEqual(["outer starts", "outer ends", "inner runs"]);
  });

  it("turns a task that throws before returning its promise into a rejection", async () => {
    const q = new KeyedQueue<number>();
    const thrown = q.run(0, () => {
      throw new Error("bad channel");
    });
    await expect(thrown).rejects.toThrow("bad channel");
    const log: string[] = [];
    await q.run(0, async () => log.push("next"));
    expect(log).toEqual(["next"]);
  });
});
