import { describe, expect, it } from "vitest";
import { type Feature, FeatureController } from "../../gateway/features/controller.js";
import { memoryLogger } from "../helpers/logs.js";

/** A feature that records its start and stop in `order`; `failStart` makes its start reject. */
function feature(name: string, order: string[], options: { failStart?: boolean; failStop?: boolean } = {}) {
  const f: Feature = {
    name,
    start: async () => {
      await Promise.resolve();
      if (options.failStart) throw new Error(`${name} cannot start`);
      order.push(`start ${name}`);
    },
    stop: async () => {
      await Promise.resolve();
      order.push(`stop ${name}`);
      if (options.failStop) throw new Error(`${name} cannot stop`);
    },
  };
  return f;
}

describe("FeatureController: the daemon's lifecycle", () => {
  it("starts the features in order, one after the other, and stops them in reverse", async () => {
    const order: string[] = [];
    const c = new FeatureController(
      ["relays", "access pipeline", "readers"].map((n) => feature(n, order)),
      memoryLogger().logger,
    );
    await c.start();
    expect(order).toEqual(["start relays", "start access pipeline", "start readers"]);
    await c.stop();
    expect(order.slice(3)).toEqual(["stop readers", "stop access pipeline", "stop relays"]);
  });

  it("stops the features already started, in reverse, when one fails to start, and rethrows its error", async () => {
    const order: string[] = [];
    const { logger, lines } = memoryLogger();
    const c = new FeatureController(
      [feature("mqtt", order), feature("relays", order), feature("sync", order, { failStart: true })].concat(
        feature("readers", order),
      ),
      logger,
    );
    await expect(c.start()).rejects.toThrow("sync cannot start");
    expect(order).toEqual(["start mqtt", "start relays", "stop relays", "stop mqtt"]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        feature: "sync",
        msg: expect.stringMatching(/failed to start/),
      }),
    );
  });

  it("stops the others when one fails to stop, and stops each feature once", async () => {
    const order: string[] = [];
    const { logger, lines } = memoryLogger();
    const c = new FeatureController(
      [feature("a", order), feature("b", order, { failStop: true }), feature("c", order)],
      logger,
    );
    await c.start();
    await c.stop();
    await c.stop();
    expect(order.slice(3)).toEqual(["stop c", "stop b", "stop a"]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "error", feature: "b", msg: "feature failed to stop" }),
    );
  });
});
