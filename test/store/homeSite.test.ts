/**
 * R20 home site through the cache: a member's homeSite and a limit's `at` imported (and refused
 * when wrong, the field named), loaded into the facts, the gateway's own visits counted at its site
 * (the example site, rome-center), and a member document from the central carrying homeSite.
 */
import { describe, expect } from "vitest";
import { Member } from "../../config/members.js";
import { explain, loadFacts, scan, siteModel } from "../../gateway/decisions.js";
import { applyMembers } from "../../gateway/store/syncMembers.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { problemsOf } from "../unit/configTestData.js";
import { importInputs, scanReq } from "./storeHelpers.js";

const MONDAY_10 = at("2027-03-22T10:00");
const BRUNO = "7654321";

/** Bruno of the worked example (gym flex), with a home site or none. */
function brunoDoc(homeSite: string | undefined) {
  return {
    id: "m-bruno",
    name: "Bruno",
    ...(homeSite === undefined ? {} : { homeSite }),
    cards: [{ number: BRUNO }],
    multipacks: [{ id: "mp-bruno-flex", product: "gymflex", purchasedAt: "2027-03-20T10:00:00+01:00" }],
  };
}

/** The worked example with one more limit on the gym, and Bruno at home at `homeSite`. */
const it = test.extend(
  "withGymLimit",
  ({ exampleStore: store }) =>
    (limit: Record<string, unknown>, homeSite: string | undefined) => {
      importInputs(store, [
        { name: "limits.yaml", value: { limits: [{ id: "gym-limit", areas: ["gym"], ...limit }] } },
        { name: "members.yaml", value: { members: [brunoDoc(homeSite)] } },
      ]);
      return store;
    },
);

describe("R20 home site in the cache", () => {
  it("R20: an imported limit at: away refuses Bruno away from his home site, not at home nor without one", ({
    withGymLimit,
  }) => {
    const store = withGymLimit({ amount: 0, period: "day", at: "away" }, "milan-north");
    expect(store.siteConfig()?.limits.find((l) => l.id === "gym-limit")?.at).toBe("away");
    expect(explain(store, scanReq(BRUNO, "gym"), MONDAY_10)).toMatchObject({
      decision: "deny",
      reason: "limit_reached",
    });
    for (const home of ["rome-center", undefined]) {
      importInputs(store, [{ name: "members.yaml", value: { members: [brunoDoc(home)] } }]);
      expect(loadFacts(store, siteModel(store), scanReq(BRUNO, "gym"), MONDAY_10).member?.homeSite).toBe(
        home ?? null,
      );
      expect(explain(store, scanReq(BRUNO, "gym"), MONDAY_10).decision).toBe("grant");
    }
  });

  it("R20: the gateway's own visits are at its site: a home limit counts them for a member at home here", ({
    withGymLimit,
  }) => {
    const store = withGymLimit({ amount: 1, period: "day", at: "home" }, "rome-center");
    expect(scan(store, scanReq(BRUNO, "gym"), MONDAY_10, "gw-1").decision).toBe("grant");
    const facts = loadFacts(store, siteModel(store), scanReq(BRUNO, "gym"), MONDAY_10 + 60_000);
    expect(facts.visits.map((v) => v.site)).toEqual(["rome-center"]);
    expect(explain(store, scanReq(BRUNO, "gym"), MONDAY_10 + 3_600_000)).toMatchObject({
      reason: "limit_reached",
    });
    // A member of another club is away here: the home limit neither applies nor counts this visit.
    importInputs(store, [{ name: "members.yaml", value: { members: [brunoDoc("milan-north")] } }]);
    expect(explain(store, scanReq(BRUNO, "gym"), MONDAY_10 + 3_600_000).decision).toBe("grant");
  });

  it("R20: a member document from the central carries homeSite into the cache", ({ withGymLimit }) => {
    const store = withGymLimit({ amount: 0, period: "day", at: "away" }, undefined);
    const out = applyMembers(store, [Member.parse(brunoDoc("turin-lingotto"))], [], {
      name: "changes rev 1",
    });
    expect(out.applied).toBe(true);
    expect(explain(store, scanReq(BRUNO, "gym"), MONDAY_10).reason).toBe("limit_reached");
  });

  it("R20: a bad at or homeSite is refused, the file, record and field named", () => {
    const badLimit = {
      name: "limits.yaml",
      value: { limits: [{ id: "l", amount: 1, period: "day", at: "abroad" }] },
    };
    expect(problemsOf([badLimit])).toEqual([
      'limits.yaml: limits[0] (l).at: Invalid option: expected one of "all"|"home"|"away" (found "abroad")',
    ]);
    const badHome = {
      name: "members.yaml",
      value: { members: [{ ...brunoDoc(undefined), homeSite: "rome center" }] },
    };
    expect(problemsOf([badHome])).toEqual([
      'members.yaml: members[0] (m-bruno).homeSite: expected an id of letters, digits and . _ : @ - (found "rome center")',
    ]);
  });
});
