import { describe, expect, it } from "vitest";
import { CommandMessage, CommandResult, rawCommandId } from "../../config/protocol/commands.js";
import { parseSyncPayload } from "../../config/protocol/payloads.js";

const AT = "2026-11-23T17:05:00Z";
const command = (verb: string, args: unknown, more: Record<string, unknown> = {}) => ({
  id: "c-1",
  at: AT,
  verb,
  args,
  operator: "anna",
  reason: "member forgot her card",
  ...more,
});

/** The first problem zod reports for a command, with its path. */
function problem(value: unknown): string {
  const r = CommandMessage.safeParse(value);
  if (r.success) throw new Error(`accepted: ${JSON.stringify(value)}`);
  const issue = r.error.issues[0];
  return `${issue?.path.join(".")}: ${issue?.message}`;
}

describe("D5: the commands contract", () => {
  it.each([
    ["open", { door: "pool-gate" }],
    ["open", { door: "pool-gate", direction: "out" }],
    ["admit", { card: "0004215834", reader: "pool-in" }],
    ["admit", { card: "4215834", area: "pool", multipack: "mp-1" }],
    ["admit", { card: "4215834", area: "pool", free: true }],
    ["door", { door: "pool-gate", mode: "unlocked", until: "2026-11-23T19:00:00+01:00" }],
    ["door", { door: "pool-gate", mode: "locked" }],
    ["emergency", { on: true }],
    ["emergency", { on: false, doors: ["pool-gate", "gym-door"] }],
  ])("accepts %s %j", (verb, args) => {
    expect(CommandMessage.safeParse(command(verb, args)).success).toBe(true);
  });

  it("D5: every command needs an operator and a reason, not blank", () => {
    const { operator: _o, ...noOperator } = command("open", { door: "pool-gate" });
    expect(problem(noOperator)).toMatch(/^operator: /);
    expect(problem(command("open", { door: "pool-gate" }, { reason: "   " }))).toBe(
      "reason: must not be empty",
    );
  });

  it.each<[string, string, unknown, RegExp]>([
    ["a misspelt arg", "open", { dor: "pool-gate" }, /^args(\.door)?: /],
    ["an unknown direction", "open", { door: "pool-gate", direction: "up" }, /^args\.direction: /],
    [
      "both reader and area",
      "admit",
      { card: "1", reader: "pool-in", area: "pool" },
      /either reader or area/,
    ],
    ["neither reader nor area", "admit", { card: "1" }, /either reader or area/],
    ["multipack and free", "admit", { card: "1", area: "pool", multipack: "mp", free: true }, /not both/],
    ["the mode emergency", "door", { door: "pool-gate", mode: "emergency" }, /^args\.mode: /],
    [
      "an until before the command",
      "door",
      { door: "d", mode: "locked", until: "2026-11-23T17:04:00Z" },
      /later than/,
    ],
    ["an empty door list", "emergency", { on: true, doors: [] }, /^args\.doors: /],
    ["an unknown verb", "reboot", {}, /^verb: /],
  ])("refuses %s", (_what, verb, args, expected) => {
    expect(problem(command(verb, args))).toMatch(expected);
  });

  it("ignores unknown keys on the envelope, as every message the gateway receives", () => {
    const r = CommandMessage.safeParse(command("open", { door: "pool-gate" }, { sentAt: AT }));
    expect(r.success && !("sentAt" in r.data)).toBe(true);
  });

  it("D5: a result is {id, ok, error, eventId}, strict", () => {
    expect(CommandResult.safeParse({ id: "c-1", ok: false, error: "stale", eventId: null }).success).toBe(
      true,
    );
    expect(
      CommandResult.safeParse({ id: "c-1", ok: true, error: null, eventId: null, extra: 1 }).success,
    ).toBe(false);
  });

  it("reads the id of a payload that failed validation, so its sender still gets a result", () => {
    expect(rawCommandId({ id: " c-9 ", verb: "reboot" })).toBe("c-9");
    expect(rawCommandId({ verb: "open" })).toBeNull();
    expect(rawCommandId("c-9")).toBeNull();
  });

  it("travels on the sync topics like every payload (a problem names the topic)", () => {
    const topic = "accessgw/v1/gateways/gw-1/commands";
    const bad = parseSyncPayload("commands", topic, new TextEncoder().encode('{"id":"c-1"}'));
    expect(bad.ok ? "accepted" : bad.problem).toMatch(
      /^accessgw\/v1\/gateways\/gw-1\/commands: commands refused: /,
    );
  });
});
