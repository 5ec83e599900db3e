import { describe, expect, it } from "vitest";
import { REJECT_LOG_WINDOW_MS, RejectLog } from "../../drivers/readers/rejectLog.js";
import { memoryLogger } from "../helpers/logs.js";

describe("the rejected-read log of one reader", () => {
  it("logs the first reject at info at once, then at most one line per window with the count in between", () => {
    const { logger, at } = memoryLogger();
    let now = 0;
    const log = new RejectLog(logger, () => now, "mqtt");
    log.report("bad_format", "tele/x/SENSOR: PN532.UID: expected a hex UID", { topic: "tele/x/SENSOR" });
    now = REJECT_LOG_WINDOW_MS - 1;
    log.report("bad_format", "second", { topic: "tele/x/SENSOR" });
    log.report("too_long", "third", { topic: "tele/x/SENSOR" });
    now = 2 * REJECT_LOG_WINDOW_MS - 1;
    log.report("bad_parity", "fourth", { topic: "tele/x/SENSOR" });
    expect(at("info")).toEqual([
      {
        level: "info",
        topic: "tele/x/SENSOR",
        error: "bad_format",
        hint: expect.stringContaining("firmware settings"),
        msg: "read rejected",
      },
      {
        level: "info",
        topic: "tele/x/SENSOR",
        error: "bad_parity",
        hint: expect.stringContaining("D0 and D1 swapped"),
        suppressedSinceLastLine: 2,
        msg: "read rejected",
      },
    ]);
  });

  it("keeps the detail, which may quote a payload, at debug only", () => {
    const { logger, at } = memoryLogger();
    const log = new RejectLog(logger, () => 0, "serial");
    log.report("bad_characters", '"4215834x" is not a decimal line');
    expect(at("debug")).toEqual([
      {
        level: "debug",
        error: "bad_characters",
        detail: '"4215834x" is not a decimal line',
        msg: "read rejected",
      },
    ]);
    expect(JSON.stringify(at("info"))).not.toContain("4215834");
  });
});
