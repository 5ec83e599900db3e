/**
 * WAL checkpoints on a worker thread (the daemon's): the connection that decides stops
 * checkpointing inside its commits, the worker keeps the WAL from growing, and stopping hands
 * checkpoints back to the connection.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { Checkpointer } from "../../gateway/store/checkpointer.js";
import { DB_FILE } from "../../gateway/store/db.js";
import { it } from "../harness/index.js";
import { memoryLogger } from "../helpers/logs.js";
import type { TestStore } from "./storeHelpers.js";

const walPages = (s: TestStore) => Math.ceil(statSync(join(s.dir, `${DB_FILE}-wal`)).size / 4096);

describe("Checkpointer", () => {
  it("checkpoints from a worker thread while the connection writes, and hands back on stop", async ({
    store: t,
  }) => {
    const { store } = t;
    store.db.exec("CREATE TABLE filler (x BLOB)");
    const { logger, lines } = memoryLogger();
    const c = new Checkpointer(store, join(t.dir, DB_FILE), logger, 50);
    c.start();
    expect(store.db.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    const insert = store.db.prepare("INSERT INTO filler (x) VALUES (randomblob(4000))");
    const write = (pages: number) =>
      store.db.transaction(() => {
        for (let j = 0; j < pages; j++) insert.run();
      })();
    // 3000 pages, then 3000 more once the worker has checkpointed: the WAL's frames are reused
    // from its start, so the file does not grow to hold both (without checkpoints it would).
    for (let i = 0; i < 30; i++) write(100);
    const first = walPages(t);
    expect(first).toBeGreaterThan(3000);
    // Wait for a checkpoint that copied the whole WAL back: checkpoints that ran while it was being
    // written were partial (and their messages may still be queued), so a count alone does not say
    // the WAL can be reused.
    const caughtUp = () =>
      vi.waitFor(
        () => {
          const r = c.lastResult();
          expect(r?.walFrames).toBeGreaterThan(0);
          expect(r?.checkpointed).toBe(r?.walFrames);
        },
        { timeout: 5000 },
      );
    await caughtUp();
    // The next write starts the WAL over, unless it meets the worker inside its next (PASSIVE)
    // checkpoint, which a loaded machine makes likely now and then: then that write appends, and
    // one a little later starts over. Written in steps that each wait for the worker, the WAL
    // stays near its first size; without the worker it would grow by the whole 3000 pages.
    for (let i = 0; i < 30; i++) {
      const before = c.count();
      write(100);
      await vi.waitFor(() => expect(c.count()).toBeGreaterThan(before), { timeout: 5000 });
      await caughtUp();
    }
    expect(walPages(t)).toBeLessThan(first + 500);
    await c.stop();
    expect(store.db.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    expect(lines.filter((l) => l.level === "warn")).toEqual([]);
  });
});
