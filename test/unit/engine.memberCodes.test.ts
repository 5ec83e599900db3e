import { describe, expect, it } from "vitest";
import { mp, rome, scan, traceReasons } from "./engineFixture.js";

/**
 * Seed 003: an included contingent meant for corporate members or students. Premium includes yoga
 * for members holding `corp-acme` or `student`; a yoga 10-pack pays for everyone else.
 */
const site = rome({
  accessTypes: [
    { id: "gym-all", areas: ["gym"] },
    { id: "yoga", areas: ["studio"] },
    { id: "yoga-morning", areas: ["studio"], windows: [{ days: ["mon"], from: "07:00", to: "09:00" }] },
    { id: "spa-fed", areas: ["spa"], requiresCardModel: true },
    { id: "studio-fed", areas: ["studio"], requiresCardModel: true },
  ],
  products: [
    {
      id: "premium",
      credits: 0,
      cardModels: ["fin"],
      items: [
        { accessType: "gym-all", credits: 0 },
        { accessType: "yoga", credits: 0, requiresMemberCode: ["corp-acme", "student"] },
        { accessType: "yoga-morning", credits: 0, requiresMemberCode: ["student"] },
        { accessType: "spa-fed", credits: 0, requiresMemberCode: ["corp-acme"] },
      ],
    },
    { id: "yoga10", credits: 10, items: [{ accessType: "yoga", credits: 1, priority: 2 }] },
    {
      id: "fed-classes",
      credits: 10,
      cardModels: ["fin"],
      items: [{ accessType: "studio-fed", credits: 1 }],
    },
  ],
});
const premium = mp("mp-p", "premium", "2027-03-01T10:00");
const yoga10 = mp("mp-y", "yoga10", "2027-03-01T11:00");
const MONDAY = "2027-03-22T18:00";
const studio = (codes: string[], multipacks = [premium], when = MONDAY) =>
  scan(site, { multipacks, member: { codes } }, when, "studio");

describe("R19 member codes", () => {
  it.each([
    [["corp-acme"], "mp-p", 0],
    [["student"], "mp-p", 0],
    [["student", "corp-acme"], "mp-p", 0],
    [["staff", "student"], "mp-p", 0],
    [[], "mp-y", 1],
    [["staff"], "mp-y", 1],
    [["Student"], "mp-y", 1],
    [["student "], "mp-y", 1],
  ])(
    "R19: a member holding %j uses %s for yoga and pays %i (one of the item's codes, compared exactly)",
    (codes, multipackId, cost) => {
      const d = studio(codes, [premium, yoga10]);
      expect(d).toMatchObject({ decision: "grant", reason: "ok", multipackId, creditsDeducted: cost });
    },
  );

  it("R19: without a code the included item is skipped member_code_missing and the paid pack is tried next", () => {
    const d = studio([], [premium, yoga10]);
    expect(traceReasons(d)).toEqual([
      "mp-p/yoga:skipped:member_code_missing",
      "mp-p/yoga-morning:skipped:outside_time_window",
      "mp-y/yoga:chosen:ok",
    ]);
    expect(d.trace[0]?.detail).toBe(
      "yoga needs member code corp-acme or student; the member holds none (R19)",
    );
  });

  it("R19: with no other candidate the deny is member_code_missing, naming the codes", () => {
    const d = studio(["staff"]);
    expect(d).toMatchObject({
      decision: "deny",
      reason: "member_code_missing",
      message: "Member code corp-acme or student required — please see reception",
      creditsDeducted: 0,
    });
    expect(d.trace[0]?.detail).toContain("the member holds staff (R19)");
  });

  it("R19: the trace of a grant names the code that let the member in", () => {
    const d = studio(["staff", "student"]);
    const chosen = d.trace.find((r) => r.outcome === "chosen");
    expect(chosen).toMatchObject({ multipackId: "mp-p", accessTypeId: "yoga" });
    expect(chosen?.detail).toBe("costs 0 (R4), priority 1, member code student (R19)");
  });

  it("R19: an item without requiresMemberCode needs no code", () => {
    expect(scan(site, { multipacks: [premium] }, MONDAY, "gym")).toMatchObject({ decision: "grant" });
  });

  it("R19/R13: member_code_missing comes after R3 (a closed window is the reason, not the code)", () => {
    // Monday 18:00: yoga-morning is closed; yoga is open but needs a code the member lacks.
    const d = studio([]);
    expect(traceReasons(d)).toEqual([
      "mp-p/yoga:skipped:member_code_missing",
      "mp-p/yoga-morning:skipped:outside_time_window",
    ]);
    expect(d.reason).toBe("member_code_missing");
    // At 08:00 both are open; neither code held.
    expect(studio(["staff"], [premium], "2027-03-22T08:00").reason).toBe("member_code_missing");
    // A student at 08:00 gets in by either item.
    expect(studio(["student"], [premium], "2027-03-22T08:00").decision).toBe("grant");
  });

  it("R19/R13: a card model missing is asked first; with the card model the code decides", () => {
    const spa = (codes: string[], models: { model: string }[]) =>
      scan(site, { multipacks: [premium], member: { codes, cardModels: models } }, MONDAY, "spa");
    expect(spa([], []).reason).toBe("card_model_missing");
    expect(spa(["corp-acme"], []).reason).toBe("card_model_missing");
    expect(spa([], [{ model: "fin" }]).reason).toBe("member_code_missing");
    expect(spa(["corp-acme"], [{ model: "fin" }]).decision).toBe("grant");
  });

  it("R19/R13: member_code_missing is further than card_model_missing and not as far as no_credits", () => {
    const fed = mp("mp-f", "fed-classes", "2027-03-01T12:00");
    const d = studio([], [fed, premium]);
    expect(traceReasons(d)).toContain("mp-f/studio-fed:skipped:card_model_missing");
    expect(d.reason).toBe("member_code_missing");
    // yoga10 runs out (no_credits) while premium lacks the code: no_credits got further.
    const empty = mp("mp-e", "yoga10", "2027-03-01T12:00", { used: 10 });
    expect(studio([], [premium, empty, fed]).reason).toBe("no_credits");
  });

  it("R19: an exit needs no member code", () => {
    expect(scan(site, { multipacks: [premium] }, MONDAY, "studio", "out")).toMatchObject({
      decision: "grant",
      reason: "exit",
    });
  });
});
