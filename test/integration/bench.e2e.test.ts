import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runE2e } from "../../bench/e2eLatency.js";
import { requireSocat } from "../helpers/socat.js";

const GATEWAY = fileURLToPath(new URL("../../dist/bench/e2eGateway.js", import.meta.url));

describe("the end-to-end benchmark, as a 2 s smoke run", () => {
  it("gets one relay ON frame and one recorded grant for every scan of 3 readers (never asserts times)", async () => {
    requireSocat();
    if (!existsSync(GATEWAY))
      throw new Error("dist/bench/e2eGateway.js is missing: run `npm run build` first");
    const r = await runE2e({
      readers: 3,
      boards: 1,
      seconds: 2,
      warmupSeconds: 0.5,
      intervalMs: 100,
      pulseMs: 40,
      baudRate: 9600,
      timeoutMs: 2000,
      logLevel: "info",
      gatewayScript: GATEWAY,
    });
    expect(r.scansSent).toBe(75);
    expect(r).toMatchObject({ lost: 0, duplicated: 0, matched: 75, onFrames: 75, offFrames: 75 });
    // The gateway put each of the 3 door channels at rest (OFF) when the board's port opened.
    expect(r.restingFrames).toBe(3);
    expect(r).toMatchObject({ strayFrames: 0, discardedBytes: 0, gatewayExit: 0 });
    expect(r.latency.n).toBe(60);
    expect(r.db).toEqual({
      events: 75,
      grants: 75,
      denies: 0,
      relayFailed: 0,
      cardsMissing: 0,
      cardsExtra: 0,
    });
  }, 60_000);
});
