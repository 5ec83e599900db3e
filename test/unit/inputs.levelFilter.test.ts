import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type InputLevel, LevelFilter } from "../../drivers/inputs/levelFilter.js";
import { realScheduler } from "../../runtime/scheduler.js";

const T0 = Date.UTC(2026, 0, 5, 7, 0, 0);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

function filter(activeLow = false, debounceMs = 50) {
  const changes: [InputLevel, number][] = [];
  const f = new LevelFilter({
    activeLow,
    debounceMs,
    scheduler: realScheduler,
    clock: () => Date.now(),
    onChange: (level, at) => changes.push([level, at - T0]),
  });
  return { f, changes };
}

describe("D1: an input's level", () => {
  it("D1: is unknown until the device has said something", () => {
    expect(filter().f.level()).toBe("unknown");
  });

  it("D1: takes the first reading at once, then counts a change only after it held debounceMs, stamped at its first appearance", () => {
    const { f, changes } = filter();
    f.reading(false);
    expect(changes).toEqual([["inactive", 0]]);
    vi.advanceTimersByTime(100);
    f.reading(true);
    vi.advanceTimersByTime(49);
    expect(f.level()).toBe("inactive");
    vi.advanceTimersByTime(1);
    expect(f.level()).toBe("active");
    expect(changes).toEqual([
      ["inactive", 0],
      ["active", 100],
    ]);
  });

  it("D1: suppresses chatter shorter than debounceMs", () => {
    const { f, changes } = filter();
    f.reading(false);
    for (let i = 0; i < 5; i++) {
      f.reading(true);
      vi.advanceTimersByTime(20);
      f.reading(false);
      vi.advanceTimersByTime(20);
    }
    vi.advanceTimersByTime(1000);
    expect(changes).toEqual([["inactive", 0]]);
  });

  it("D1: a repeated reading of the waiting level does not restart the debounce", () => {
    const { f, changes } = filter();
    f.reading(false);
    f.reading(true);
    vi.advanceTimersByTime(30);
    f.reading(true);
    vi.advanceTimersByTime(20);
    expect(changes).toEqual([
      ["inactive", 0],
      ["active", 0],
    ]);
  });

  it("D1: activeLow turns the wire round", () => {
    const { f, changes } = filter(true);
    f.reading(true);
    expect(f.level()).toBe("inactive");
    f.reading(false);
    vi.advanceTimersByTime(50);
    expect(changes.map(([l]) => l)).toEqual(["inactive", "active"]);
  });

  it("D1: debounceMs 0 counts every change at once", () => {
    const { f, changes } = filter(false, 0);
    f.reading(true);
    f.reading(false);
    expect(changes).toEqual([
      ["active", 0],
      ["inactive", 0],
    ]);
  });

  it("D1: a device down makes the level unknown at once (never inactive) and drops a level waiting out its debounce", () => {
    const { f, changes } = filter();
    f.reading(true);
    vi.advanceTimersByTime(10);
    f.reading(false);
    f.down();
    vi.advanceTimersByTime(100);
    expect(f.level()).toBe("unknown");
    expect(changes).toEqual([
      ["active", 0],
      ["unknown", 10],
    ]);
    f.down();
    expect(changes).toHaveLength(2);
    f.reading(false);
    expect(changes.at(-1)).toEqual(["inactive", 110]);
  });
});
