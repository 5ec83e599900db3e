import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Reason } from "../../config/protocol/events.js";
import { REASON_CODES, REASON_STAGE, REASON_WORDS, REASONS } from "../../config/protocol/reasons.js";

describe("the reason codes: one list for the engine, the event schema and the command line", () => {
  it("the event schema's reasons are the list's codes, in its order", () => {
    expect(Reason.options).toEqual(REASONS.map((r) => r.code));
    expect(new Set(REASON_CODES).size).toBe(REASON_CODES.length);
  });

  it("R13: the staged deny reasons come in domain.md's order, R19's member_code_missing after card_model_missing", () => {
    const staged = REASONS.filter((r) => "stage" in r);
    const stages = staged.map((r) => ("stage" in r ? r.stage : 0));
    expect(stages).toEqual([...stages].sort((a, b) => a - b));
    expect(staged.map((r) => r.code)).toEqual([
      "inactive",
      "expired",
      "not_yet_valid",
      "suspended",
      "wrong_area",
      "outside_time_window",
      "card_model_missing",
      "member_code_missing",
      "no_credits",
      "allowance_used",
      "limit_reached",
      "offline_stale",
      "anti_passback",
      "area_full",
      "door_locked",
    ]);
    expect(REASON_STAGE.expired).toBe(REASON_STAGE.not_yet_valid);
    expect(REASON_STAGE.member_code_missing).toBeGreaterThan(REASON_STAGE.card_model_missing);
    expect(REASON_STAGE.member_code_missing).toBeLessThan(REASON_STAGE.no_credits);
  });

  it("grants are ok, reentry, booking and exit, and D7's emergency, door_unlocked, remote_open and staff_override; error is a deny without a stage", () => {
    expect(REASONS.filter((r) => r.decision === "grant").map((r) => r.code)).toEqual([
      "ok",
      "reentry",
      "booking",
      "exit",
      "emergency",
      "door_unlocked",
      "remote_open",
      "staff_override",
    ]);
    expect(REASON_STAGE.door_locked).toBeGreaterThan(REASON_STAGE.area_full);
    const error = REASONS.find((r) => r.code === "error");
    expect(error).toMatchObject({ decision: "deny" });
    expect(error && "stage" in error).toBe(false);
    expect(Reason.safeParse("error").success).toBe(true);
    expect(Reason.safeParse("member_code_missing").success).toBe(true);
    expect(Reason.safeParse("pin_wrong").success).toBe(false);
  });

  it("every code has words for the command line", () => {
    for (const code of REASON_CODES) expect(REASON_WORDS[code].length, code).toBeGreaterThan(3);
  });

  it("config/ imports nothing above it (no gateway, drivers or firmware-sim)", () => {
    const files = readdirSync("config", { recursive: true, encoding: "utf8" }).filter((f) =>
      f.endsWith(".ts"),
    );
    expect(files).toContain(join("protocol", "reasons.ts"));
    const bad = files.filter((f) =>
      /from\s+["'](?:\.\.\/)+(?:gateway|drivers|firmware-sim|bench)\//.test(
        readFileSync(join("config", f), "utf8"),
      ),
    );
    expect(bad).toEqual([]);
  });
});
