import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BackoffOptions,
  backoffCeiling,
  backoffDelay,
  defaultBackoff,
} from "../../drivers/transport/backoff.js";

const full: BackoffOptions = { baseMs: 250, factor: 2, capMs: 30_000, jitter: "full" };

describe("backoff", () => {
  it.each([
    [0, 250],
    [1, 500],
    [2, 1000],
    [3, 2000],
    [6, 16_000],
    [7, 30_000],
    [50, 30_000],
    [5000, 30_000],
    [-3, 250],
    [Number.NaN, 250],
  ])("caps retry %d's ceiling at %d ms", (attempt, ceiling) => {
    expect(backoffCeiling(attempt, full)).toBe(ceiling);
  });

  it.each([
    ["full", 0, 3, 0],
    ["full", 0.5, 3, 1000],
    ["full", 0.999999, 3, 1999],
    ["equal", 0, 3, 1000],
    ["equal", 0.5, 3, 1500],
    ["none", 0.3, 3, 2000],
    ["full", 0.5, 40, 15_000],
  ] as const)("with %s jitter and random %d, retry %d waits %d ms", (jitter, r, attempt, delay) => {
    expect(backoffDelay(attempt, () => r, { ...full, jitter })).toBe(delay);
  });

  it("defaults to 250 ms doubling up to 30 s with full jitter", () => {
    expect(defaultBackoff).toEqual(full);
  });

  it("keeps a misbehaving random source inside [0, ceiling]", () => {
    expect(backoffDelay(2, () => 7, full)).toBe(1000);
    expect(backoffDelay(2, () => -1, full)).toBe(0);
    expect(backoffDelay(2, () => Number.NaN, full)).toBe(0);
  });

  it("always waits within [0, cap] whatever the attempt, random value and settings", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10, max: 10_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 120_000 }),
        fc.constantFrom("full", "equal", "none"),
        (attempt, r, baseMs, factor, capMs, jitter) => {
          const options: BackoffOptions = { baseMs, factor, capMs, jitter };
          const delay = backoffDelay(attempt, () => r, options);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(capMs);
          expect(delay).toBeLessThanOrEqual(backoffCeiling(attempt, options));
        },
      ),
    );
  });

  it("never lowers the upper bound from one attempt to the next", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 120_000 }),
        (attempt, baseMs, factor, capMs) => {
          const options: BackoffOptions = { baseMs, factor, capMs, jitter: "full" };
          expect(backoffCeiling(attempt + 1, options)).toBeGreaterThanOrEqual(
            backoffCeiling(attempt, options),
          );
        },
      ),
    );
  });
});
