/**
 * The test harness's promises: cleanups run last-in first-out, all of them, after the test; a
 * test's folder and store are its own and gone after it; what a test starts on its store stops
 * before the store is closed. (Tests of this file run in order: a later one checks what an
 * earlier one left.)
 */
import { existsSync } from "node:fs";
import { describe, expect } from "vitest";
import { CleanupStack } from "../harness/cleanup.js";
import { it } from "../harness/index.js";

describe("CleanupStack", () => {
  it("runs the last cleanup registered first, including one registered while it runs", async () => {
    const stack = new CleanupStack();
    const ran: string[] = [];
    stack.defer(() => ran.push("first"));
    stack.defer(async () => {
      ran.push("second");
      stack.defer(() => ran.push("late"));
    });
    stack.defer(() => ran.push("third"));
    await stack.run();
    expect(ran).toEqual(["third", "second", "late", "first"]);
    await stack.run();
    expect(ran).toHaveLength(4);
  });

  it("runs every cleanup when some throw, then throws what they threw", async () => {
    const stack = new CleanupStack();
    const ran: number[] = [];
    stack.defer(() => ran.push(1));
    stack.defer(() => {
      throw new Error("two");
    });
    stack.defer(() => ran.push(3));
    await expect(stack.run()).rejects.toThrow("two");
    expect(ran).toEqual([3, 1]);

    stack.defer(() => Promise.reject(new Error("a")));
    stack.defer(() => {
      throw new Error("b");
    });
    const failure = await stack.run().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors.map((e: Error) => e.message)).toEqual(["b", "a"]);
  });
});

describe("the fixtures of one test", () => {
  const left: { folder?: string; storeDir?: string; storeOpenAtDefer?: boolean } = {};

  it("gives a test a fresh folder and a fresh store of its own, with the examples when asked", ({
    folder,
    store,
    exampleStore,
    defer,
  }) => {
    expect(existsSync(folder.dir)).toBe(true);
    expect(existsSync(folder.data)).toBe(false);
    expect(store.dir).not.toBe(folder.dir);
    expect(exampleStore).toBe(store.store);
    expect(exampleStore.siteConfig()?.site.id).toBe("rome-center");
    left.folder = folder.dir;
    left.storeDir = store.dir;
    // Registered by the test after the store was made: runs before the store is closed.
    defer(() => {
      left.storeOpenAtDefer = store.store.db.open;
    });
  });

  it("has removed that folder and store after the test, and ran its cleanups before closing the store", ({
    store,
  }) => {
    expect(left.folder).toBeDefined();
    expect(existsSync(left.folder as string)).toBe(false);
    expect(existsSync(left.storeDir as string)).toBe(false);
    expect(left.storeOpenAtDefer).toBe(true);
    expect(store.dir).not.toBe(left.storeDir);
  });

  it("keeps stores made with newStore apart, and closes them all after the test", ({ store, newStore }) => {
    const other = newStore();
    expect(other.dir).not.toBe(store.dir);
    expect(other.store.siteConfig()).toBeNull();
    left.storeDir = other.dir;
  });

  it("has removed the extra store too", () => {
    expect(existsSync(left.storeDir as string)).toBe(false);
  });
});
