/**
 * The WAL gate (gateway/store/walGate.ts): bulk sync writes pause while the checkpointer finishes,
 * so a long snapshot keeps the WAL near one second of writes instead of growing by every chunk.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, vi } from "vitest";
import { Member } from "../../config/members.js";
import { Checkpointer } from "../../gateway/store/checkpointer.js";
import { DB_FILE } from "../../gateway/store/db.js";
import { applyMembersChunked } from "../../gateway/store/syncMembers.js";
import { MAX_PAUSE_MS, WalGate } from "../../gateway/store/walGate.js";
import { it } from "../harness/index.js";
import { memoryLogger } from "../helpers/logs.js";

const walPages = (dir: string) => Math.ceil(statSync(join(dir, `${DB_FILE}-wal`)).size / 4096);
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe("WalGate", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("lets writers through while open, holds them while closed, and never longer than its pause", async () => {
    vi.useFakeTimers();
    const gate = new WalGate();
    let passed = 0;
    await gate.pass();
    gate.close();
    gate.close(); // closing twice is one pause
    expect(gate.pauseCount()).toBe(1);
    void gate.pass().then(() => passed++);
    void gate.pass().then(() => passed++);
    await vi.advanceTimersByTimeAsync(MAX_PAUSE_MS - 1);
    expect(passed).toBe(0);
    gate.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(passed).toBe(2);
    // Closed and never opened: the pause runs out by itself.
    gate.close();
    void gate.pass().then(() => passed++);
    await vi.advanceTimersByTimeAsync(MAX_PAUSE_MS - 1);
    expect(passed).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(passed).toBe(3);
    expect(gate.isClosed()).toBe(false);
    expect(gate.pauseCount()).toBe(2);
  });
});

describe("bulk writes and the checkpointer", () => {
  it("a chunked apply waits at a closed gate between chunks, and goes on when it opens", async ({
    exampleStore: store,
  }) => {
    const members = Array.from({ length: 5 }, (_, i) =>
      Member.parse({ id: `m-gate-${i}`, cards: [{ number: `77${i}` }] }),
    );
    store.walGate.close();
    const progress: number[] = [];
    const applying = applyMembersChunked(store, members, [], {
      chunkSize: 1,
      onProgress: (n) => progress.push(n),
    });
    await vi.waitFor(() => expect(progress).toEqual([1]));
    await turns(20);
    expect(progress).toEqual([1]);
    store.walGate.open();
    expect((await applying).applied).toBe(true);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
  });

  it("keeps the WAL from growing while bulk writes commit back to back", async ({ store: t }) => {
    const { store } = t;
    store.db.exec("CREATE TABLE filler (x BLOB)");
    const { logger, lines } = memoryLogger();
    // A limit of 1000 frames (4 MB) so that 20,000 pages written cross it many times.
    const c = new Checkpointer(store, join(t.dir, DB_FILE), logger, 20, 1000);
    c.start();
    const insert = store.db.prepare("INSERT INTO filler (x) VALUES (randomblob(4000))");
    // 200 transactions of 100 pages each, as a snapshot's chunks: back to back, each waiting at
    // the gate as applyMembersChunked does. Without the gate the worker's PASSIVE checkpoints
    // never reach the WAL's end and the file would hold all 20,000 pages.
    for (let i = 0; i < 200; i++) {
      store.bulk(() => {
        for (let j = 0; j < 100; j++) insert.run();
      });
      await new Promise<void>((resolve) => setImmediate(resolve));
      await store.walGate.pass();
    }
    expect(store.walGate.pauseCount()).toBeGreaterThan(0);
    expect(walPages(t.dir)).toBeLessThan(10_000);
    await c.stop();
    expect(store.walGate.isClosed()).toBe(false);
    expect(lines.filter((l) => l.level === "warn")).toEqual([]);
  });
});
