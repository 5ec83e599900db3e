import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Debouncer } from "../../gateway/debounce.js";

describe("R17 debounce", () => {
  it("R17: the same card repeated within 2 seconds produces one decision, not two", () => {
    const d = new Debouncer(2000);
    expect(d.accept("pool-in", "4215834", 0)).toBe(true);
    expect(d.accept("pool-in", "4215834", 1999)).toBe(false);
  });

  it("R17: the same card after the window is a new presentation", () => {
    const d = new Debouncer(2000);
    expect(d.accept("pool-in", "4215834", 0)).toBe(true);
    expect(d.accept("pool-in", "4215834", 2000)).toBe(true);
  });

  it("R17: a card held in the field (a frame every 100 ms for 10 s) is one presentation", () => {
    const d = new Debouncer(2000);
    const accepted = Array.from({ length: 100 }, (_, i) => d.accept("pool-in", "9357203", i * 100)).filter(
      Boolean,
    );
    expect(accepted).toHaveLength(1);
  });

  it("R17: card numbers are compared canonically (0004215834 repeats 4215834)", () => {
    const d = new Debouncer(2000);
    expect(d.accept("gym-in", "0004215834", 0)).toBe(true);
    expect(d.accept("gym-in", "4215834", 500)).toBe(false);
  });

  it("R17: another card, or the same card at another reader, is decided at once", () => {
    const d = new Debouncer(2000);
    expect(d.accept("gym-in", "111", 0)).toBe(true);
    expect(d.accept("gym-in", "222", 100)).toBe(true);
    expect(d.accept("gym-in", "111", 200)).toBe(true);
    expect(d.accept("pool-in", "111", 300)).toBe(true);
  });

  it("R17: debounceMs 0 decides every read; reset forgets a reader's last card", () => {
    const zero = new Debouncer(0);
    expect(zero.accept("r", "1", 0)).toBe(true);
    expect(zero.accept("r", "1", 0)).toBe(true);
    const d = new Debouncer(2000);
    d.accept("r", "1", 0);
    d.reset("r");
    expect(d.accept("r", "1", 10)).toBe(true);
  });

  it("R17: over any sequence of reads of one card, accepted reads are at least debounceMs after the previous read", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 50 }), (gaps) => {
        const d = new Debouncer(2000);
        let t = 0;
        let prev: number | null = null;
        for (const gap of gaps) {
          t += gap;
          const ok = d.accept("r", "42", t);
          expect(ok).toBe(prev === null || t - prev >= 2000);
          prev = t;
        }
      }),
    );
  });
});
