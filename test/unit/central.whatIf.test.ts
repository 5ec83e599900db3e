/**
 * What-if (issue 11 §2) on the worked example: scans decided and recorded by a gateway, held by the
 * central, replayed under the file's configuration and under a draft. Each replay starts from the
 * members as the central holds them with the window's charges given back, and carries its own state.
 */
import { describe, expect } from "vitest";
import { parse } from "yaml";
import { replay, replayWindow, whatIf } from "../../central/editor/whatIf.js";
import type { DecisionEvent } from "../../config/protocol/events.js";
import type { SiteConfig } from "../../config/site.js";
import { test } from "../harness/index.js";
import { siteConfig } from "../helpers/build.js";
import { type HeldScan, holdScans, romeTime } from "../helpers/centralHolding.js";
import { exampleDoc, exampleText, type Step } from "../helpers/examples.js";

const SITE = exampleText("site.yaml");
/** The example with weekday off-peak swimming from 08:00 instead of 07:00. */
const LATE_POOL = SITE.replace('from: "07:00", to: "17:00"', 'from: "08:00", to: "17:00"');

const configOf = (text: string): SiteConfig => siteConfig(parse(text));

const it = test.extend("hold", ({ store, folder, defer }) => (siteText: string, scans: HeldScan[]) => {
  const held = holdScans(store.store, folder.dir, siteText, scans);
  defer(() => held.store.close());
  return held;
});

/** Sunday after the worked example's Tuesday: the last 7 days reach back to Sunday 21 March. */
const NOW = romeTime("2027-03-28T12:00");
const WEEK = { from: NOW - 7 * 86_400_000, to: NOW };

describe("what-if: replaying the last days under a draft", () => {
  it("R3: a window opened an hour earlier admits the member refused last Tuesday at 07:30, and nothing else", ({
    hold,
  }) => {
    const held = hold(LATE_POOL, [
      { card: "1234567", area: "pool", at: "2027-03-23T07:30" },
      { card: "7654321", area: "gym", at: "2027-03-23T07:30" },
      { card: "1234567", area: "pool", direction: "out", at: "2027-03-23T09:00" },
      { card: "5550001", area: "gym", at: "2027-03-26T13:00" },
      // Before the window: not replayed.
      { card: "7654321", area: "studio", at: "2027-03-20T19:00" },
    ]);
    const report = whatIf({ ...held, ...WEEK, current: held.config, draft: configOf(SITE) });
    expect(report.scans).toBe(4);
    expect(report.changes).toEqual([
      {
        member: "m-anna",
        memberName: "Anna",
        card: "1234567",
        at: expect.stringMatching(/^2027-03-23T06:30:00(\.000)?Z$/),
        door: "pool",
        reader: "",
        before: { decision: "deny", reason: "outside_time_window", credits: 0, multipack: null },
        after: { decision: "grant", reason: "ok", credits: 1, multipack: "mp-anna-swim" },
      },
    ]);
    expect(report.totals).toEqual({ newlyGranted: 1, newlyDenied: 0, creditsBefore: 1, creditsAfter: 2 });
    expect(report.from).toBe(new Date(WEEK.from).toISOString());
  });

  it("a draft that changes no rule (a product's name) changes no decision", ({ hold }) => {
    const held = hold(SITE, [
      { card: "1234567", area: "pool", at: "2027-03-22T10:00" },
      { card: "7654321", area: "studio", at: "2027-03-23T19:00" },
      { card: "5550001", area: "gym", at: "2027-03-26T13:00" },
    ]);
    const draft = configOf(SITE.replace("name: 10 swims", "name: Ten swims"));
    const report = whatIf({ ...held, ...WEEK, current: held.config, draft });
    expect(report).toMatchObject({ scans: 3, changes: [] });
    expect(report.totals).toEqual({ newlyGranted: 0, newlyDenied: 0, creditsBefore: 2, creditsAfter: 2 });
  });

  it("R4, R16: an item costing 2 instead of 1 charges 2, from the credits the central held before the window", ({
    hold,
  }) => {
    // Bruno: 10 swims with 8 used before the window (central:b1); the pool's free visit of the day
    // goes through his flex (R7), the second through swim10. His 1 credit of that entry, folded into
    // his document at the central, is given back before the replay: he has 2, enough at 2 a swim.
    const held = hold(SITE, [
      { card: "1234567", area: "pool", at: "2027-03-22T10:00" },
      { card: "1234567", area: "pool", direction: "out", at: "2027-03-22T10:40" },
      { card: "7654321", area: "pool", at: "2027-03-23T10:00" },
      { card: "7654321", area: "pool", direction: "out", at: "2027-03-23T11:00" },
      { card: "7654321", area: "pool", at: "2027-03-23T15:00" },
    ]);
    const draft = configOf(
      SITE.replace("{ accessType: pool-offpeak, credits: 1,", "{ accessType: pool-offpeak, credits: 2,"),
    );
    const report = whatIf({ ...held, ...WEEK, current: held.config, draft });
    expect(report.changes.map((c) => [c.member, c.before.credits, c.after.credits, c.after.reason])).toEqual([
      ["m-anna", 1, 2, "ok"],
      ["m-bruno", 1, 2, "ok"],
    ]);
    expect(report.totals).toEqual({ newlyGranted: 0, newlyDenied: 0, creditsBefore: 2, creditsAfter: 4 });
  });

  it("R5, R12: each replay carries its own state: admitted earlier under the draft, a later entry is re-entry", ({
    hold,
  }) => {
    // Under the draft Anna is in the pool from 07:30 (hard anti-passback); she leaves at 08:15 and
    // comes back at 08:30, within the 90 minutes of R5: free, where the file charged that entry.
    const held = hold(LATE_POOL, [
      { card: "1234567", area: "pool", at: "2027-03-23T07:30" },
      { card: "1234567", area: "pool", direction: "out", at: "2027-03-23T08:15" },
      { card: "1234567", area: "pool", at: "2027-03-23T08:30" },
    ]);
    const report = whatIf({ ...held, ...WEEK, current: held.config, draft: configOf(SITE) });
    expect(
      report.changes.map((c) => [c.before.reason, c.after.reason, c.before.credits, c.after.credits]),
    ).toEqual([
      ["outside_time_window", "ok", 0, 1],
      ["ok", "reentry", 1, 0],
    ]);
    expect(report.totals).toMatchObject({ creditsBefore: 1, creditsAfter: 1 });
  });

  it("R12: a studio of 1 instead of 2 turns away the second member in, counted within each replay", ({
    hold,
  }) => {
    const withStudio = SITE.replace(
      "      - { accessType: gym-all, credits: 1, priority: 5 }",
      "      - { accessType: gym-all, credits: 1, priority: 5 }\n      - { accessType: studio-all, credits: 0, priority: 1 }",
    );
    const held = hold(withStudio, [
      { card: "7654321", area: "studio", at: "2027-03-26T19:00" },
      { card: "5550001", area: "studio", at: "2027-03-26T19:05" },
    ]);
    const draft = configOf(withStudio.replace("capacity: 2", "capacity: 1"));
    const report = whatIf({ ...held, ...WEEK, current: held.config, draft });
    expect(report.changes.map((c) => [c.memberName, c.before.reason, c.after.reason])).toEqual([
      ["Carla", "ok", "area_full"],
    ]);
    expect(report.totals).toMatchObject({ newlyGranted: 0, newlyDenied: 1 });
  });

  it("R12: who was inside before the window still counts: lifting anti-passback lets the member back in", ({
    hold,
  }) => {
    // Anna went into the pool on Sunday at 10:00, before the window opens (11:00 that day: 7 × 24 h before Sunday noon, across the DST change), and never
    // scanned out: at 14:00 the same day she is still inside (presence is forgotten at midnight).
    const held = hold(SITE, [
      { card: "1234567", area: "pool", at: "2027-03-21T10:00" },
      { card: "1234567", area: "pool", at: "2027-03-21T14:00" },
    ]);
    const draft = configOf(SITE.replace("antiPassback: { mode: hard }", "antiPassback: { mode: none }"));
    const report = whatIf({ ...held, ...WEEK, current: held.config, draft });
    expect(report.scans).toBe(1);
    expect(report.changes.map((c) => [c.before.reason, c.after.reason, c.after.credits])).toEqual([
      ["anti_passback", "ok", 1],
    ]);
  });

  it("D2: a grant whose door did not open took nothing, under either configuration: the next scan is a charged entry", ({
    hold,
  }) => {
    const held = hold(SITE, [
      { card: "1234567", area: "pool", at: "2027-03-22T10:00", relayFails: true },
      { card: "1234567", area: "pool", at: "2027-03-22T10:05" },
    ]);
    expect((held.recorded[1] as DecisionEvent).reason).toBe("ok");
    const draft = configOf(
      SITE.replace("{ accessType: pool-offpeak, credits: 1,", "{ accessType: pool-offpeak, credits: 2,"),
    );
    const report = whatIf({ ...held, ...WEEK, current: held.config, draft });
    expect(
      report.changes.map((c) => [c.at.slice(11, 16), c.before.reason, c.after.reason, c.after.credits]),
    ).toEqual([["09:05", "ok", "ok", 2]]);
    // The refunded grant counts no credits on either side.
    expect(report.totals).toMatchObject({ creditsBefore: 1, creditsAfter: 2 });
  });

  it("D5: a front-desk admit is not replayed, yet its charge and visit count: the re-entry after it stays free", ({
    hold,
  }) => {
    const held = hold(SITE, [
      { card: "1234567", area: "pool", at: "2027-03-22T10:00", admitThrough: "mp-anna-swim" },
      { card: "1234567", area: "pool", direction: "out", at: "2027-03-22T10:40" },
      { card: "1234567", area: "pool", at: "2027-03-22T11:00" },
    ]);
    const draft = configOf(
      SITE.replace("{ accessType: pool-offpeak, credits: 1,", "{ accessType: pool-offpeak, credits: 2,"),
    );
    const report = whatIf({ ...held, ...WEEK, current: held.config, draft });
    expect(report).toMatchObject({ scans: 2, changes: [] });
    expect(report.totals).toMatchObject({ creditsBefore: 0, creditsAfter: 0 });
  });

  it("D3: a scan let through for an emergency is replayed in the emergency: no window change alters it", ({
    hold,
  }) => {
    const held = hold(LATE_POOL, [
      { card: "1234567", area: "pool", at: "2027-03-23T07:30", doorMode: "emergency" },
    ]);
    const report = whatIf({ ...held, ...WEEK, current: held.config, draft: configOf(SITE) });
    expect(report).toMatchObject({ scans: 1, changes: [] });
    expect((held.recorded[0] as DecisionEvent).reason).toBe("emergency");
  });

  it("R1–R13: replayed under the file's own configuration, every step of the worked example decides as the gateway recorded it", ({
    hold,
  }) => {
    const steps = exampleDoc<Step[]>("steps.yaml");
    const held = hold(SITE, steps);
    const window = { from: romeTime("2027-03-22T00:00"), to: romeTime("2027-06-02T00:00") };
    const { scans, base } = replayWindow({ ...held, ...window });
    expect(scans).toHaveLength(steps.length);
    const decided = replay(held.config, base, scans);
    // steps.yaml goes back in time between members; the replay goes in time order: match by event.
    const recorded = new Map((held.recorded as DecisionEvent[]).map((e) => [e.id, e]));
    const outcome = (d: {
      decision: string;
      reason: string;
      creditsDeducted: number;
      creditsRemaining: number | null;
    }) => [d.decision, d.reason, d.creditsDeducted, d.creditsRemaining];
    expect(decided.map(outcome)).toEqual(scans.map((e) => outcome(recorded.get(e.id) as DecisionEvent)));
  });
});
