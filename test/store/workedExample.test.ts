import { describe, expect } from "vitest";
import { scan } from "../../gateway/decisions.js";
import { parseAt } from "../../gateway/engine/index.js";
import type { RecordedEvent } from "../../gateway/store/events.js";
import { listEvents } from "../../gateway/store/events.js";
import { test } from "../harness/index.js";
import { exampleDoc, exampleText, type Step } from "../helpers/examples.js";
import { scanReq } from "./storeHelpers.js";

const steps = exampleDoc<Step[]>("steps.yaml");

/** The rule comment after each step in steps.yaml (`} # R5: within 90 min`), or null. */
const comments: (string | null)[] = exampleText("steps.yaml")
  .split(/^(?=- )/m)
  .filter((chunk) => chunk.startsWith("- "))
  .map((chunk) => /\}\s*#\s*(.+)$/m.exec(chunk)?.[1]?.trim() ?? null);

/** The rule a step whose comment names none shows, from the reason it expects. */
const RULE_OF_REASON: Record<string, string> = {
  exit: "R11",
  wrong_area: "R3",
  anti_passback: "R12",
  expired: "R2",
  not_yet_valid: "R2",
  limit_reached: "R8",
  unknown_card: "R1",
  card_blocked: "R1",
};

const ruleOf = (comment: string | null) => /^R\d+/.exec(comment ?? "")?.[0];

/**
 * A test name that starts with the rule the step proves: its comment's rule; else the rule of the
 * expected reason; else R4 for a charge; else the last rule named for the same card and area.
 */
function stepName(s: Step, i: number): string {
  const expected = s.expect as { decision: string; reason?: string; creditsDeducted?: number };
  const earlier = steps
    .slice(0, i)
    .map((p, j) => (p.card === s.card && p.area === s.area ? ruleOf(comments[j] ?? null) : undefined))
    .filter((r) => r !== undefined);
  const rule =
    ruleOf(comments[i] ?? null) ??
    RULE_OF_REASON[expected.reason ?? ""] ??
    (expected.creditsDeducted !== undefined ? "R4" : (earlier.at(-1) ?? "R4"));
  const comment =
    comments[i] && !ruleOf(comments[i] ?? null) ? `${rule}: ${comments[i]}` : (comments[i] ?? rule);
  const what = `${expected.decision}${expected.reason ? ` ${expected.reason}` : ""}`;
  return `${comment}: step ${i + 1}, card ${s.card} ${s.direction ?? "in"} ${s.area} at ${s.at} → ${what}`;
}

const GATEWAY = "gw-example";
const ZONE = "Europe/Rome";

/** Runs steps 0…last on a fresh store (site and members imported), returning their recorded events. */
const it = test.extend("runThrough", ({ exampleStore: store }) => (last: number): RecordedEvent[] => {
  return steps.slice(0, last + 1).map((s) => {
    const now = parseAt(s.at, ZONE);
    if (now === null) throw new Error(`bad time in steps.yaml: ${s.at}`);
    return scan(store, scanReq(s.card, s.area, s.direction ?? "in"), now, GATEWAY);
  });
});

describe("the worked example (steps.yaml), run through scan() in-process", () => {
  it("has one rule comment slot per step", () => {
    expect(comments).toHaveLength(steps.length);
    expect(steps.length).toBeGreaterThan(20);
  });

  it.for(steps.map((s, i) => [stepName(s, i), i] as const))("%s", ([_name, i], { runThrough }) => {
    const events = runThrough(i);
    const e = events[i] as RecordedEvent;
    const expected = (steps[i] as Step).expect;
    const actual = Object.fromEntries(Object.keys(expected).map((k) => [k, e[k as keyof RecordedEvent]]));
    expect(actual, `trace: ${JSON.stringify(e.trace)}`).toEqual(expected);
  });

  it("R14: records every step as an event <gateway id>:1…n, oldest first by seq", ({
    store: t,
    runThrough,
  }) => {
    const events = runThrough(steps.length - 1);
    expect(events.map((e) => e.id)).toEqual(steps.map((_, i) => `${GATEWAY}:${i + 1}`));
    const listed = listEvents(t.store);
    expect([...listed].sort((a, b) => a.seq - b.seq)).toEqual(events);
    // Every field of the decision JSON is present, null when it does not apply (cli.md).
    for (const e of listed) for (const value of Object.values(e)) expect(value).not.toBeUndefined();
  });
});
