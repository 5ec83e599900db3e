import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AccessGwError } from "../../config/errors.js";
import { logLevelRequest, runLogLevel } from "../../gateway/cliLogLevel.js";
import { parseCommandLine } from "../../gateway/cliParse.js";
import { VERBS } from "../../gateway/cliVerbs.js";
import type { DaemonRequest } from "../../gateway/daemonRequests.js";
import { LogLevelControl, parseDuration } from "../../gateway/logLevelControl.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { memoryLogger } from "../helpers/logs.js";

const T0 = Date.parse("2026-12-14T06:00:00Z");
const TEN_MINUTES = 10 * 60_000;

describe("§6 accessgw log-level: the running daemon's level, back to the configured one after --for", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  /** The daemon's side over a real pino logger at gateway.yaml's level. */
  function daemon(configured: "info" | "warn" = "info") {
    const log = memoryLogger(configured);
    const control = new LogLevelControl({
      logger: log.logger,
      configured,
      scheduler: realScheduler,
      clock: Date.now,
    });
    const ask = (level: string, forMs: number | null = null, why: string | null = null) =>
      control.handle({ daemon: "log-level", level, forMs, who: "anna", why });
    return { log, control, ask };
  }

  it("debug for 10 minutes: debug at once, the configured level again after 10 minutes", () => {
    const { log, ask } = daemon();
    expect(ask("debug", TEN_MINUTES, "pool-in drops cards")).toEqual({
      ok: true,
      error: null,
      level: "debug",
      configured: "info",
      until: new Date(T0 + TEN_MINUTES).toISOString(),
    });
    expect(log.logger.isLevelEnabled("debug")).toBe(true);
    vi.advanceTimersByTime(TEN_MINUTES - 1);
    expect(log.logger.level).toBe("debug");
    vi.advanceTimersByTime(1);
    expect(log.logger.level).toBe("info");
    expect(log.lines.map((l) => l.msg)).toEqual([
      "log level changed by staff",
      "log level back to the configured level",
    ]);
  });

  it("a reload's new log.level is the configured level from then on, and ends a temporary one", () => {
    const { log, control, ask } = daemon();
    ask("debug", TEN_MINUTES, "pool-in drops cards");
    control.reconfigured("warn");
    expect(log.logger.level).toBe("warn");
    vi.advanceTimersByTime(TEN_MINUTES); // the pending return to the old level was dropped
    expect(log.logger.level).toBe("warn");
    expect(ask("reset")).toMatchObject({ ok: true, level: "warn", configured: "warn" });
  });

  it("--log-level given at start keeps its level over a reload's log.level", () => {
    const log = memoryLogger("debug");
    const control = new LogLevelControl({
      logger: log.logger,
      configured: "debug",
      pinned: true,
      scheduler: realScheduler,
      clock: Date.now,
    });
    control.reconfigured("warn");
    expect(log.logger.level).toBe("debug");
    expect(log.lines.at(-1)).toMatchObject({ file: "warn", kept: "debug" });
  });

  it("records the change as a staff action: who (the OS user), why, from, to and until", () => {
    const { log, ask } = daemon();
    ask("debug", TEN_MINUTES, "pool-in drops cards");
    expect(log.lines[0]).toMatchObject({
      level: "info",
      who: "anna",
      why: "pool-in drops cards",
      from: "info",
      to: "debug",
      until: new Date(T0 + TEN_MINUTES).toISOString(),
    });
  });

  it("a level without --for stays until reset, which puts the configured level back now", () => {
    const { log, ask } = daemon();
    ask("trace");
    vi.advanceTimersByTime(24 * 60 * TEN_MINUTES);
    expect(log.logger.level).toBe("trace");
    expect(ask("reset")).toMatchObject({ ok: true, level: "info", until: null });
    expect(log.logger.level).toBe("info");
  });

  it("a new change replaces a pending return: the earlier --for does not cut the new one short", () => {
    const { log, ask } = daemon();
    ask("debug", TEN_MINUTES);
    vi.advanceTimersByTime(5 * 60_000);
    ask("trace", TEN_MINUTES);
    vi.advanceTimersByTime(5 * 60_000);
    expect(log.logger.level).toBe("trace");
    vi.advanceTimersByTime(5 * 60_000);
    expect(log.logger.level).toBe("info");
  });

  it("raised from warn, the change is still written (at the new level); lowered to error, before it", () => {
    const quiet = daemon("warn");
    quiet.ask("debug");
    expect(quiet.log.lines.map((l) => l.to)).toEqual(["debug"]);
    const loud = daemon("info");
    loud.ask("error");
    expect(loud.log.lines.map((l) => l.to)).toEqual(["error"]);
  });

  it("stop() drops the pending return (the daemon is stopping)", () => {
    const { log, control, ask } = daemon();
    ask("debug", TEN_MINUTES);
    control.stop();
    vi.advanceTimersByTime(TEN_MINUTES);
    expect(log.logger.level).toBe("debug");
  });

  it.each([
    [{ daemon: "log-level", level: "loud", forMs: null, who: "anna", why: null }, /level/],
    [{ daemon: "log-level", level: "debug", forMs: -5, who: "anna", why: null }, /forMs/],
    [{ daemon: "log-level", level: "debug", forMs: null, who: "", why: null }, /who/],
    [{ daemon: "log-level", level: "debug", forMs: null, who: "anna", why: null, extra: 1 }, /extra/],
  ])("refuses an invalid request without changing the level: %j", (request, problem) => {
    const { log, control } = daemon();
    const reply = control.handle(request);
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error).toMatch(/^invalid: /);
    if (!reply.ok) expect(reply.error).toMatch(problem);
    expect(log.logger.level).toBe("info");
    expect(log.at("warn")).toHaveLength(1);
  });
});

describe("§6 the log-level verb's command line", () => {
  it.each([
    ["90s", 90_000],
    ["10m", 600_000],
    ["10", 600_000],
    ["2h", 7_200_000],
    ["10 min", 600_000],
  ])("--for %s is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["0m", "ten", "-5m", "1d"])("--for %s is no duration", (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it("builds the daemon-level request with who asked and why", () => {
    expect(logLevelRequest(["debug"], { for: "10m", why: " reader drops " }, "anna")).toEqual({
      daemon: "log-level",
      level: "debug",
      forMs: TEN_MINUTES,
      who: "anna",
      why: "reader drops",
    });
  });

  it.each([
    [[], /log-level takes one LEVEL/],
    [["loud"], /"loud" is not a level/],
    [["debug", "info"], /takes one LEVEL/],
  ])("refuses %j (exit 2)", (args, message) => {
    expect(() => logLevelRequest(args, {}, "anna")).toThrow(message);
  });

  it("refuses --for with reset, a bad --for and one over 24h", () => {
    expect(() => logLevelRequest(["reset"], { for: "10m" }, "anna")).toThrow(/--for goes with a LEVEL/);
    expect(() => logLevelRequest(["debug"], { for: "soon" }, "anna")).toThrow(/not a duration/);
    expect(() => logLevelRequest(["debug"], { for: "25h" }, "anna")).toThrow(/longer than 24h/);
  });

  it("prints the daemon's answer, and exits 4 when no daemon runs", async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(`ERR ${t}`), env: {} };
    const sent: DaemonRequest[] = [];
    const until = "2026-12-14T06:10:00.000Z";
    const code = await runLogLevel(
      ["debug"],
      { for: "10m" },
      {
        io,
        dataDir: "/nowhere",
        who: () => "anna",
        send: async (_dir, request) => {
          sent.push(request);
          return {
            kind: "answer",
            reply: { ok: true, error: null, level: "debug", configured: "info", until } as never,
          };
        },
      },
    );
    expect(code).toBe(0);
    expect(sent[0]).toMatchObject({ daemon: "log-level", level: "debug", who: "anna" });
    expect(out).toEqual([`log level debug until ${until}, then info`]);
    const none = await runLogLevel(
      ["debug"],
      {},
      {
        io,
        dataDir: "/nowhere",
        send: async () => ({ kind: "notRunning", why: "no /nowhere/control.sock" }),
      },
    );
    expect(none).toBe(4);
  });
});

describe("§6 --log-level on every verb", () => {
  const own = VERBS.filter((v) => !v.delegate && v.name !== "help");

  it.each(own.map((v) => v.name))("%s takes --log-level", (name) => {
    const command = parseCommandLine([name, "--log-level", "debug"]);
    expect(command).toMatchObject({ kind: "run", flags: { "log-level": "debug" } });
  });

  it("refuses a level that is none (exit 2)", () => {
    let caught: unknown;
    try {
      parseCommandLine(["start", "--config", "g.yaml", "--log-level", "loud"]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AccessGwError);
    expect((caught as AccessGwError).message).toMatch(
      /--log-level must be one of fatal, error, warn, info, debug, trace, silent \(found "loud"\)/,
    );
  });
});
